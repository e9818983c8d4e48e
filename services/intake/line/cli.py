"""`sodsong line ...`: chat with the LINE bot in the terminal (embedded, LINE simulated), and the rich menu.

    sodsong line simulate                 # all five services embedded + a simulated LINE; type as a LINE user
    sodsong line simulate --script f.txt  # the user's lines from a file (one per line), for demos and tests
    sodsong line status                   # events by state, the oldest waiting one's age (counts only)

In the chat: type text as a LINE user would; a number presses that quick-reply button; and
    /location <address in words> [| lat,lon]   share a location      /photo [file]   send a photo (default: a test
    /file <path>                               send a file                            JPEG carrying GPS in EXIF)
    /date YYYY-MM-DD                           pick a date in the date picker
    /office <question>                         the office asks the tipster a question (through casework's API)
    /quit
"""
from __future__ import annotations

import copy
import io
import os
import secrets
import tempfile
import time
from pathlib import Path

import click

HELP_LINE = ("พิมพ์ข้อความ หรือกดหมายเลขปุ่ม / type text, or a button's number; "
             "/location, /photo, /file, /date, /office, /quit")


@click.group()
def line():
    """The LINE Official Account bot."""


@line.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status(ctx, as_json):
    """LINE events by state (waiting, answered, dead), the oldest waiting one's age, chats with a draft. Counts only."""
    import json

    from sqlalchemy import func, select

    from services.intake.cli import _db
    from services.intake.line import store
    from services.intake.models import LINE_TABLES
    from shared.clock import aware_utc, utcnow

    db = _db(ctx)  # migrated first
    tables = LINE_TABLES
    events, chats = tables[store.EVENTS], tables[store.CHATS]
    with db.reading() as session:
        by_state = dict(session.execute(select(events.c.status, func.count()).group_by(events.c.status)).all())
        oldest = session.execute(select(func.min(events.c.created_at)).where(
            events.c.status.in_(("pending", "failed", "sending")))).scalar()
        drafts = session.execute(select(func.count()).select_from(chats).where(
            chats.c.draft_expires_at.is_not(None))).scalar()
    oldest = aware_utc(oldest)
    report = {"events": by_state, "oldest_waiting_seconds": round((utcnow() - oldest).total_seconds(), 1)
              if oldest else None, "chats_with_draft": drafts}
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"events: {', '.join(f'{k} {v}' for k, v in sorted(by_state.items())) or 'none'}")
    click.echo(f"oldest waiting: {report['oldest_waiting_seconds'] if oldest else '-'} s; "
               f"chats with a draft: {drafts}")


@line.command("simulate")
@click.option("--script", type=click.File("r", encoding="utf-8"), help="The user's lines, one per line.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Default: a new temporary directory.")
@click.pass_context
def simulate(ctx, script, data_dir):
    """Chat with the bot in the terminal: Sodsong embedded, LINE simulated on 127.0.0.1."""
    from shared import config as config_mod
    from sodsong import registry, runner  # the simulator runs every service, as `sodsong run` does

    cfg = copy.deepcopy(ctx.find_root().obj["config"])
    if data_dir or config_mod.is_memory_transport(cfg):
        cfg["data_dir"] = str(Path(data_dir or tempfile.mkdtemp(prefix="sodsong-line-")).resolve())
        cfg["keys_dir"] = cfg["data_dir"] + "-keys"  # never a deployment's own keys
        for service in config_mod.SERVICES:
            if not os.environ.get(f"SODSONG_DB_URL_{service.upper()}") and not cfg.get("db_url"):
                cfg[service]["db_url"] = config_mod.db_url_for(cfg, service)
        cfg["notify"]["channels"]["file"]["path"] = str(Path(cfg["data_dir"]) / "notifications.jsonl")
    secret = secrets.token_hex(16)
    sim = _start_simulator(secret, cfg)
    cfg["intake"]["line"] = {**(cfg["intake"].get("line") or {}), "channel_secret": secret,
                             "channel_access_token": sim.access_token, "api_base": sim.base_url,
                             "data_api_base": sim.base_url, "poll_seconds": 0.2}
    cfg["intake"].setdefault("tipster_notices", {})["poll_seconds"] = 0.5
    cfg["metrics"] = {"http": ""}
    sim.webhook_url = f"http://{cfg['intake']['http']}/line/webhook"
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

    registry.migrate_all(cfg, config_mod.SERVICES)
    containers = runner.build_containers(cfg, config_mod.SERVICES)
    for container in containers:
        container.start()
    try:
        _wait_healthy(f"http://{cfg['intake']['http']}/health")
        click.echo(f"Sodsong (embedded, data in {cfg['data_dir']}) — LINE simulated at {sim.base_url}")
        click.echo(HELP_LINE)
        _chat(cfg, sim, script)
    finally:
        for container in containers:
            container.stop()
        sim.stop()


def _start_simulator(secret: str, cfg: dict):
    """The simulator listens on a port the kernel picks; it must not be one the services are about to bind (the
    kernel may hand out a port a test or an operator chose because it was free a moment ago)."""
    from services.intake.line.simulator import LineSimulator

    taken = {address.rpartition(":")[2] for address in (cfg["intake"].get("http"), cfg["casework"].get("http"),
                                                        (cfg.get("health") or {}).get("http")) if address}
    for _ in range(20):
        sim = LineSimulator(channel_secret=secret).start()
        if str(sim.port) not in taken:
            return sim
        sim.stop()
    raise click.ClickException("no free port for the LINE simulator")


def _wait_healthy(url: str, timeout: float = 60.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise click.ClickException("intake did not start")


def _read(script, sim):
    if script is not None:
        line = script.readline()
        if not line:
            return None
        line = line.rstrip("\n")
        if "{receipt}" in line:  # a script cannot know the receipt: the last one the bot showed
            line = line.replace("{receipt}", _last(sim, r"\d{4} \d{4} \d{4} \d{4}") or "")
        click.echo(f"คุณ/you> {line}")
        return line
    from eventlet import tpool

    try:
        return tpool.execute(input, "คุณ/you> ")
    except EOFError:
        return None


def _show(messages, start=1) -> None:
    for message in messages:
        click.echo("บอท/bot: " + message.get("text", f"({message.get('type')})").replace("\n", "\n         "))
    items = []
    for message in messages:
        items = [i["action"] for i in ((message.get("quickReply") or {}).get("items") or [])] or items
    if items:
        click.echo("         " + "  ".join(f"[{n}] {a['label']}" for n, a in enumerate(items, start=start)))


def _chat(cfg, sim, script) -> None:
    user = sim.user()
    seen = 0
    office = {}
    _show(user.follow())
    seen = sim._seq
    while True:
        line = _read(script, sim)
        if line is None or line.strip() == "/quit":
            return
        line = line.strip()
        if not line:
            continue
        try:
            if line.isdigit() and 1 <= int(line) <= len(user.quick()):
                action = user.quick()[int(line) - 1]
                if action["type"] in ("postback", "datetimepicker"):
                    answer = user.tap(action["label"])
                else:
                    click.echo("  (LINE's own button: use /location or /photo)")
                    continue
            elif line.startswith("/location"):
                words, _, point = line[len("/location"):].partition("|")
                lat, _, lon = (point.strip() or "12.2436,102.5151").partition(",")
                answer = user.send_location("", words.strip(), float(lat), float(lon))
            elif line.startswith("/photo"):
                path = line[len("/photo"):].strip()
                answer = user.send_image(Path(path).read_bytes() if path else _demo_photo())
            elif line.startswith("/file"):
                path = Path(line[len("/file"):].strip())
                answer = user.send_file(path.read_bytes(), path.name)
            elif line.startswith("/date"):
                label = next(a["label"] for a in user.quick() if a["type"] == "datetimepicker")
                answer = user.tap(label, date=line[len("/date"):].strip())
            elif line.startswith("/office"):
                _office_asks(cfg, sim, office, line[len("/office"):].strip())
                answer = None
            else:
                answer = user.say(line)
        except (StopIteration, KeyError, ValueError, OSError) as exc:
            click.echo(f"  ({exc})")
            continue
        except TimeoutError:
            click.echo("  (no answer from the bot)")
            continue
        if answer is not None:
            _show(answer)
        seen = sim._seq
        if line.startswith("/office"):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not sim.pushes_to(user.user_id, after=seen):
                time.sleep(0.2)
        for pushed in sim.pushes_to(user.user_id, after=seen):
            click.echo("  (ข้อความแจ้งเตือน / push notice)")
            _show(pushed.messages)
        seen = sim._seq


def _office_asks(cfg, sim, office: dict, question: str) -> None:
    """The office asks through casework's API, as a caseworker of the office that holds the last filed tip."""
    import requests

    reference = _last(sim, r"SS-[0-9A-Z]{4}-[0-9A-Z]{4}")
    if reference is None:
        raise ValueError("file a report first")
    desk = f"http://{cfg['casework']['http']}"
    if not office:
        from sqlalchemy import select

        from services.casework.cli import casework_db
        from services.casework.usecases import accounts
        from services.casework.models import Case

        db = casework_db(cfg)
        deadline = time.monotonic() + 20
        office_code = None
        while office_code is None and time.monotonic() < deadline:
            with db.reading() as session:
                office_code = session.execute(select(Case.office_code).where(
                    Case.reference == reference)).scalar_one_or_none()
            if office_code is None:
                time.sleep(0.5)
        if office_code is None:
            raise ValueError("the case is not open yet; try again in a moment")
        username, password = f"demo-{secrets.token_hex(3)}", secrets.token_urlsafe(18)
        passwords = accounts.Passwords(**accounts.settings(cfg.get("casework"))["argon2"])
        with db.transaction() as uow:
            accounts.create_user(uow, passwords, username=username, office_code=office_code, role="caseworker",
                                 password=password, display_name="เจ้าหน้าที่ (สาธิต)",
                                 actor={"kind": "system", "id": "line-simulate"})
        signed = requests.post(f"{desk}/api/v1/session", json={"username": username, "password": password},
                               timeout=30)
        office["auth"] = {"Authorization": f"Bearer {signed.json()['token']}"}
    asked = requests.post(f"{desk}/api/v1/cases/{reference}/questions", headers=office["auth"], timeout=30,
                          json={"text": question})
    click.echo(f"  (เจ้าหน้าที่ถามผ่านระบบงานคดี / the office asked through casework: HTTP {asked.status_code})")


def _last(sim, pattern: str) -> str | None:
    import re

    for sent in reversed(sim.sent):
        for message in reversed(sent.messages):
            found = re.search(pattern, message.get("text", ""))
            if found:
                return found.group(0)
    return None


def _demo_photo() -> bytes:
    from PIL import Image

    im = Image.new("RGB", (320, 240), (200, 170, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (12.0, 14.0, 37.0), 3: "E", 4: (102.0, 30.0, 54.0)}
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    return buf.getvalue()

