"""`bench/throughput.py --processes`: which services share a process, and a deployment started in that shape."""
import argparse
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

import tests.support.deployment as deployment_mod

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from throughput import parse_shape, shape_label  # noqa: E402


def test_a_shape_names_each_service_once_processes_by_bar_services_by_comma():
    assert parse_shape("intake|routing,casework|notify,audit") == [
        ("intake",), ("routing", "casework"), ("notify", "audit")]
    assert parse_shape(" intake , routing,casework,notify,audit ") == [
        ("intake", "routing", "casework", "notify", "audit")]
    assert shape_label(parse_shape("intake|routing,casework|notify,audit")) == "intake|routing,casework|notify,audit"
    assert shape_label(None) == "intake|routing|casework|notify|audit"


@pytest.mark.parametrize("text", [
    "intake|routing|casework|notify",             # audit missing
    "intake|routing|casework|notify|audit|audit",  # audit twice
    "intake|routing,casework||notify,audit",      # an empty process
    "intake|routing|casework|notify|audit|desk",  # no such service
])
def test_a_shape_that_misses_or_repeats_a_service_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match="exactly once"):
        parse_shape(text)


def test_a_deployment_starts_one_process_per_group(monkeypatch, tmp_path):
    started = []

    class Process:
        def __init__(self, env, services, name):
            self.services, self.name = services, name

        def start(self):
            started.append((self.name, self.services))
            return self

        def wait_ready(self, url=None):
            self.url = url

        def terminate(self):
            pass

        def stop(self):
            pass

    @contextmanager
    def fake(*_args, **_kwargs):
        yield ("amqp://x", "vhost") if not _kwargs else "postgresql://x"

    monkeypatch.setattr(deployment_mod, "SodsongProcess", Process)
    monkeypatch.setattr(deployment_mod, "rabbit_vhost", fake)
    monkeypatch.setattr(deployment_mod, "pg_database", lambda migrated: fake(migrated=migrated))
    with ExitStack() as stack:
        dep = deployment_mod.Deployment("real", tmp_path, stack, migrated=False,
                                        groups=parse_shape("intake|routing,casework|notify,audit"))
        dep.start()
        assert started == [("intake", ("intake",)), ("routing+casework", ("routing", "casework")),
                           ("notify+audit", ("notify", "audit"))]
        assert dep.processes["intake"].url.endswith("/health")
        assert dep.processes["routing+casework"].url is None  # ready when its log says it started
        started.clear()
        dep.start("audit")  # naming services still starts one process each
        assert started == [("audit", ("audit",))]
