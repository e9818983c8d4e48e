"""What keeps a service process small: migrations in a child, names resolved without greendns, heavy libraries
imported only when used. Each check runs a fresh interpreter, as `sodsong run` starts one."""
import json
import subprocess
import sys

import pytest

from sodsong import runner


def _fresh(code: str, env_extra: dict | None = None) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k != "EVENTLET_NO_GREENDNS"}
    env.update(env_extra or {})
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, env=env,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_command_resolves_names_in_the_thread_pool_without_greendns():
    found = _fresh(
        "import json, socket, sys, threading\n"
        "import sodsong.cli\n"
        "from eventlet.green import socket as green\n"
        "addr = socket.getaddrinfo('localhost', 5672)[0][4][0]\n"
        "print(json.dumps({'dns': [m for m in sys.modules if m == 'dns' or m.startswith('dns.')],\n"
        "  'off_hub': [getattr(getattr(m, n), '_off_hub', False) for m in (socket, green)\n"
        "              for n in ('getaddrinfo', 'gethostbyname', 'gethostbyname_ex', 'getnameinfo')],\n"
        "  'addr': addr}))")
    assert found["dns"] == []
    assert all(found["off_hub"])
    assert found["addr"] in ("127.0.0.1", "::1")


def test_an_operator_may_keep_greendns():
    found = _fresh("import json, socket, sys\nimport sodsong.cli\n"
                   "print(json.dumps({'off_hub': getattr(socket.getaddrinfo, '_off_hub', False),"
                   " 'dns': 'dns.resolver' in sys.modules}))", {"EVENTLET_NO_GREENDNS": "no"})
    assert found == {"off_hub": False, "dns": True}


@pytest.mark.parametrize("service", ["routing", "casework", "audit"])
def test_a_service_that_neither_migrates_nor_sends_loads_no_alembic_requests_or_line_sdk(service):
    found = _fresh(
        "import json, sys\nimport sodsong.cli\nfrom sodsong import registry\n"
        f"registry.entry({service!r}).service_class()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'mako', 'requests', "
        "'linebot', 'dns'})))")
    assert found == []


def test_intake_loads_the_line_sdk_only_for_a_reply():
    found = _fresh("import json, sys\nimport sodsong.cli\nfrom sodsong import registry\n"
                   "registry.entry('intake').service_class()\n"
                   "print(json.dumps(sorted(m for m in sys.modules if m.startswith('linebot'))))")
    assert found == []


def test_migrations_run_in_a_child_and_a_failure_stops_the_start(monkeypatch, tmp_path):
    done = tmp_path / "migrated"

    def migrate(config, services):
        done.write_text(",".join(services))

    monkeypatch.setattr(runner.registry, "migrate_all", migrate)
    runner.migrate_in_a_child({}, ("routing", "audit"))
    assert done.read_text() == "routing,audit"

    def fail(config, services):
        raise RuntimeError("no database")

    monkeypatch.setattr(runner.registry, "migrate_all", fail)
    with pytest.raises(RuntimeError, match="migrations failed for routing"):
        runner.migrate_in_a_child({}, ("routing",))


def test_malloc_arenas_are_limited_unless_the_operator_chose(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert runner.limit_malloc_arenas() is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert runner.limit_malloc_arenas() is False


# What `sodsong run` never needs in a serving process: the operator commands (`sodsong ops`, backups, broker users,
# which bring SQLite and kombu's memory broker) are imported by their own commands. Pillow and filetype only by
# the first upload intake receives.
NEVER_AT_START = {"sqlite3", "shared.backup", "shared.broker_users", "sodsong.cli_ops", "PIL", "filetype"}


@pytest.mark.parametrize("service", ["intake", "routing", "casework", "notify", "audit"])
def test_a_service_process_loads_no_operator_commands_sqlite_or_pillow_at_start(service):
    found = _fresh(
        "import json, sys\nimport sodsong.cli\nfrom sodsong import registry\n"
        f"registry.entry({service!r}).service_class()\n"
        f"print(json.dumps(sorted(m for m in {sorted(NEVER_AT_START)!r} if m in sys.modules)))")
    assert found == []


def test_the_operator_commands_are_still_there_when_asked_for():
    from click.testing import CliRunner

    from sodsong import cli

    for args in (["ops", "--help"], ["ops", "cases", "--help"], ["backup", "data", "--help"],
                 ["restore", "data", "--help"], ["broker", "setup", "--help"], ["broker", "definitions", "--help"]):
        result = CliRunner().invoke(cli.main, args)
        assert result.exit_code == 0, (args, result.output)


def test_intake_imports_pillow_with_the_first_image_and_strips_it():
    found = _fresh(
        "import io, json, sys\nimport sodsong.cli\nfrom sodsong import registry\n"
        "registry.entry('intake').service_class()\n"
        "from services.intake.domain import attachments\n"
        "before = 'PIL' in sys.modules\n"
        "from PIL import Image\n"
        "buf = io.BytesIO(); img = Image.new('RGB', (4, 4)); exif = img.getexif(); exif[0x010F] = 'camera'\n"
        "img.save(buf, format='JPEG', exif=exif)\n"
        "out = attachments.clean([attachments.Upload('a.jpg', buf.getvalue())], attachments.limits({}))\n"
        "print(json.dumps({'before': before, 'type': out[0].media_type,\n"
        "  'exif': dict(Image.open(io.BytesIO(out[0].data)).getexif())}))")
    assert found == {"before": False, "type": "image/jpeg", "exif": {}}


# HTTP and templates only where a service serves pages or renders messages: intake and casework serve HTTP, notify
# (and intake) render messages with jinja2; routing and audit do neither.
@pytest.mark.parametrize("service, absent", [
    ("routing", {"werkzeug", "nameko.web", "jinja2"}),
    ("audit", {"werkzeug", "nameko.web", "jinja2"}),
    ("notify", {"werkzeug", "nameko.web"}),
])
def test_a_service_without_http_loads_no_web_stack(service, absent):
    found = _fresh(
        "import json, sys\nimport sodsong.cli\nfrom sodsong import registry\n"
        f"registry.entry({service!r}).service_class()\n"
        f"print(json.dumps(sorted(m for m in {sorted(absent)!r} if m in sys.modules)))")
    assert found == []
