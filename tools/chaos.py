"""The chaos run: proof that a tip which got its 201 reaches its office once, whatever breaks meanwhile.

Every service runs as its own process (two instances of routing and of notify) against RabbitMQ and PostgreSQL.
While N tips are submitted over HTTP, service processes are killed with SIGKILL at random moments and started
again, RabbitMQ's application is stopped and started, and PostgreSQL is restarted once. Then the run waits for
quiescence and checks each accepted tip: routed once, one case, exactly one office notification, and an intact
audit chain.

It needs a machine where it may restart RabbitMQ and PostgreSQL (a test box, never production), rabbitmqctl and
pg_ctlcluster on PATH, and a PostgreSQL role that may create databases.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

SODSONG = str(Path(sys.executable).with_name("sodsong"))
LAYOUT = {"intake": 1, "routing": 2, "casework": 1, "notify": 2, "audit": 1}


@dataclass
class Report:
    tips: int
    accepted: int = 0
    completed: int = 0
    lost: int = 0
    duplicate_tips: int = 0
    duplicate_decisions: int = 0
    duplicate_cases: int = 0
    duplicate_notifications: int = 0
    resent_after_crash: int = 0
    dead_letters: int = 0
    audit_intact: bool = False
    max_latency_s: float = 0.0
    kills: int = 0
    broker_restarts: int = 0
    db_restarts: int = 0
    rejected_during_outages: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.lost == 0 and self.duplicate_tips == 0 and self.duplicate_decisions == 0
                and self.duplicate_cases == 0 and self.duplicate_notifications == 0 and self.resent_after_crash == 0
                and self.audit_intact and self.accepted > 0)

    def table(self) -> str:
        rows = [
            ("tips submitted", self.tips), ("accepted (201)", self.accepted),
            ("submissions refused while something was down (retried)", self.rejected_during_outages),
            ("completed", self.completed), ("lost", self.lost),
            ("tips stored twice (a retry after a lost answer)", self.duplicate_tips),
            ("duplicate routing decisions", self.duplicate_decisions), ("duplicate cases", self.duplicate_cases),
            ("duplicate notifications (delivery records)", self.duplicate_notifications),
            ("messages written again after a crash mid-send", self.resent_after_crash),
            ("dead letters", self.dead_letters),
            ("audit chain intact", "yes" if self.audit_intact else "NO"),
            ("max end-to-end latency, first try to office notified (s)", f"{self.max_latency_s:.1f}"),
            ("service kills (SIGKILL)", self.kills), ("RabbitMQ restarts", self.broker_restarts),
            ("PostgreSQL restarts", self.db_restarts),
        ]
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


class Cluster:
    """The service processes of one run."""

    def __init__(self, env: dict, workdir: Path):
        self.env = env
        self.workdir = workdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()

    def names(self) -> list[str]:
        return [f"{svc}-{i}" for svc, n in LAYOUT.items() for i in range(1, n + 1)]

    def start(self, name: str) -> None:
        service = name.rsplit("-", 1)[0]
        log = open(self.workdir / f"{name}.log", "ab")
        proc = subprocess.Popen([SODSONG, "run", "--no-migrate", "--service", service], env=self.env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_die_with_parent)
        log.close()
        with self.lock:
            self.procs[name] = proc

    def kill9(self, name: str) -> None:
        with self.lock:
            proc = self.procs.get(name)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def ensure_running(self) -> None:
        for name in self.names():
            with self.lock:
                proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                self.start(name)

    def stop_all(self) -> None:
        with self.lock:
            procs = list(self.procs.values())
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _die_with_parent():
    """In the child, before exec: if the chaos run itself is killed (a CI time limit), its services go too,
    instead of holding database connections on the machine afterwards."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _rabbitmqctl(*args, timeout=120):
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, timeout=timeout, check=True)


def _restart_postgres():
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True,
                   capture_output=True, timeout=120)


def submit_until_accepted(base: str, body: dict, idempotency_key: str, *, refused, stop=None):
    """Post a tip until intake accepts it (201), every 0.3 s under one Idempotency-Key, as a tipster's app does;
    `refused()` after each try that failed. The accepting response, or None once `stop` is set."""
    while stop is None or not stop.is_set():
        try:
            r = requests.post(f"{base}/api/v1/tips", json=body, headers={"Idempotency-Key": idempotency_key},
                              timeout=15)
        except requests.RequestException:
            r = None
        if r is not None and r.status_code == 201:
            return r
        refused()
        time.sleep(0.3)
    return None


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not up in {timeout}s")


def run(tips: int, *, pg_admin_url: str, amqp_base: str, seed: int | None = None, workdir: Path | None = None,
        submit_concurrency: int = 4, rate: float = 10.0, quiesce_timeout: float = 600.0, say=print) -> Report:
    """`rate` paces submissions (tips per second) so the failures land while tips are arriving."""
    seed = seed if seed is not None else random.randrange(1 << 30)
    rnd = random.Random(seed)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="sodsong-chaos-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"chaos: {tips} tips, seed {seed}, logs in {workdir}")
    report = Report(tips=tips)
    vhost = f"sodsong-chaos-{uuid.uuid4().hex[:8]}"
    dbname = f"sodsong_chaos_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    admin = psycopg2.connect(pg_admin_url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{dbname}"')
    admin.close()
    intake_port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODSONG")}
    env.update({
        "SODSONG_AMQP_URI": f"{amqp_base.rstrip('/')}/{vhost}",
        "SODSONG_DB_URL": f"{pg_admin_url.rsplit('/', 1)[0]}/{dbname}",
        "SODSONG_DATA_DIR": str(workdir / "data"),
        "SODSONG__intake__http": f"127.0.0.1:{intake_port}",
        "SODSONG__casework__http": f"127.0.0.1:{_free_port()}",
        "SODSONG__metrics__http": "",
        "SODSONG__intake__argon2": "{time_cost: 1, memory_cost_kib: 8192, parallelism: 1}",
        "SODSONG__notify__stuck_sending_seconds": "15",
        # every chaos tip comes from one loopback client: lift the per-client filing limit for the run
        "SODSONG__intake__filing_limit": "{tips: 1000000, window_seconds: 600}",
    })
    cluster = Cluster(env, workdir)
    base = f"http://127.0.0.1:{intake_port}"
    try:
        subprocess.run([SODSONG, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=300)
        subprocess.run([SODSONG, "broker", "setup"], env=env, check=True, capture_output=True, timeout=120)
        for name in cluster.names():
            cluster.start(name)
        _wait_http(f"{base}/health", 60)

        accepted: dict[str, tuple[str, float]] = {}
        accepted_lock = threading.Lock()
        submitting_done = threading.Event()
        counter = iter(range(tips))
        counter_lock = threading.Lock()

        started = time.monotonic()

        def count_refusal():
            with accepted_lock:
                report.rejected_during_outages += 1

        def submitter():
            while True:
                with counter_lock:
                    i = next(counter, None)
                if i is None:
                    return
                pause = started + i / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                body = {
                    "category": "bribery",
                    "description": f"ทดสอบความทนทาน {i}: เจ้าหน้าที่เรียกรับเงินเพื่อออกใบอนุญาต",
                    "location": {"province_code": "23"},
                    "accused": {"official_type": "state_official"},
                }
                # A tipster's app tries again until the tip is accepted, under one Idempotency-Key, so a retry after
                # an answer lost to a crash gets the first answer back instead of filing the tip again.
                first_try = time.time()  # latency is the tipster's: from the first try, outages included
                r = submit_until_accepted(base, body, f"chaos-{seed}-{i}", refused=count_refusal)
                with accepted_lock:
                    accepted.setdefault(r.json()["reference"], (r.json()["receipt"], first_try))

        def chaos():
            did_broker = did_db = False
            while not submitting_done.is_set():
                time.sleep(rnd.uniform(1.0, 3.0))
                if submitting_done.is_set():
                    break
                roll = rnd.random()
                if not did_broker and roll < 0.12:
                    say("chaos: RabbitMQ stop_app")
                    _rabbitmqctl("stop_app")
                    time.sleep(rnd.uniform(1.0, 4.0))
                    _rabbitmqctl("start_app")
                    _rabbitmqctl("await_startup")
                    report.broker_restarts += 1
                    did_broker = True
                elif not did_db and roll < 0.24:
                    say("chaos: PostgreSQL restart")
                    _restart_postgres()
                    report.db_restarts += 1
                    did_db = True
                else:
                    victim = rnd.choice(cluster.names())
                    say(f"chaos: kill -9 {victim}")
                    cluster.kill9(victim)
                    report.kills += 1
                    time.sleep(rnd.uniform(0.2, 2.0))
                    cluster.start(victim)
            if not did_broker:
                say("chaos: RabbitMQ stop_app")
                _rabbitmqctl("stop_app")
                time.sleep(2)
                _rabbitmqctl("start_app")
                _rabbitmqctl("await_startup")
                report.broker_restarts += 1
            if not did_db:
                say("chaos: PostgreSQL restart")
                _restart_postgres()
                report.db_restarts += 1

        workers = [threading.Thread(target=submitter) for _ in range(submit_concurrency)]
        chaos_thread = threading.Thread(target=chaos)
        for w in workers:
            w.start()
        chaos_thread.start()
        for w in workers:
            w.join()
        submitting_done.set()
        chaos_thread.join()
        cluster.ensure_running()
        report.accepted = len(accepted)
        say(f"chaos: {report.accepted} tips accepted; waiting for quiescence")
        _check(env, accepted, report, quiesce_timeout, cluster)
    finally:
        cluster.stop_all()
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=120)
        try:
            admin = psycopg2.connect(pg_admin_url)
            admin.autocommit = True
            cur = admin.cursor()
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
            cur.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            admin.close()
        except psycopg2.Error as exc:
            report.notes.append(f"could not drop {dbname}: {exc}")
    return report


def _check(env: dict, accepted: dict, report: Report, timeout: float, cluster: Cluster) -> None:
    from services.notify.models import Delivery
    from shared import config as config_mod
    from sodsong.registry import service_db_for

    config = config_mod.load(env=env)
    dbs = {s: service_db_for(s, config) for s in config_mod.SERVICES}
    refs = set(accepted)
    deadline = time.monotonic() + timeout
    while True:
        cluster.ensure_running()  # a process that died on its own (not by us) is restarted too
        try:
            with dbs["notify"].reading() as s:
                sent = dict(s.execute(select(Delivery.reference, func.count()).where(
                    Delivery.status == "sent", Delivery.recipient_kind == "office")
                    .group_by(Delivery.reference)).all())
        except OperationalError:  # the database is still coming back
            sent = {}
        done = refs & set(sent)
        if done == refs or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    time.sleep(3.0)  # let the audit and intake projections settle
    _retrying(lambda: _tally(dbs, accepted, refs, report, config))


def _retrying(fn, attempts: int = 10):
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(3.0)


def _tally(dbs, accepted, refs, report, config) -> None:
    from services.audit import usecases as audit_usecases
    from services.audit.repository import AuditRepository
    from services.casework.models import Case
    from services.intake.models import Tip
    from services.notify.models import Delivery
    from services.routing.models import Decision
    from shared import deadletters
    from shared.clock import aware_utc

    with dbs["intake"].reading() as s:
        stored_tips = s.execute(select(func.count()).select_from(Tip)).scalar_one()
    with dbs["routing"].reading() as s:
        decisions = dict(s.execute(select(Decision.reference, func.count()).where(Decision.hop == 0)
                                   .group_by(Decision.reference)).all())
    with dbs["casework"].reading() as s:
        cases = dict(s.execute(select(Case.reference, func.count()).group_by(Case.reference)).all())
    with dbs["notify"].reading() as s:
        deliveries = s.execute(select(Delivery.id, Delivery.reference, Delivery.sent_at).where(
            Delivery.status == "sent", Delivery.recipient_kind == "office")).all()
    per_ref = Counter(d.reference for d in deliveries)
    written = Counter()
    channel_file = Path(config["notify"]["channels"]["file"]["path"])
    if channel_file.exists():
        for line in channel_file.read_text(encoding="utf-8").splitlines():
            try:
                written[json.loads(line)["delivery_id"]] += 1
            except (ValueError, KeyError):
                pass
    report.completed = len([r for r in refs if decisions.get(r) and cases.get(r) and per_ref.get(r)])
    report.lost = len(refs) - report.completed
    report.duplicate_tips = stored_tips - len(accepted)  # each submitted once (one key): any extra is a double
    report.duplicate_decisions = sum(n - 1 for r, n in decisions.items() if r in refs and n > 1)
    report.duplicate_cases = sum(n - 1 for r, n in cases.items() if r in refs and n > 1)
    report.duplicate_notifications = sum(n - 1 for r, n in per_ref.items() if r in refs and n > 1)
    # A sender killed between writing a message and recording it as sent writes it again when another instance
    # takes the delivery over: external sends are at-least-once, each carrying its delivery id as idempotency key.
    report.resent_after_crash = sum(n - 1 for n in written.values() if n > 1)
    report.dead_letters = sum(len(deadletters.list_letters(db)) for db in dbs.values())
    latencies = []
    for d in deliveries:
        if d.reference in accepted and d.sent_at is not None:
            latencies.append(aware_utc(d.sent_at).timestamp() - accepted[d.reference][1])
    report.max_latency_s = max(latencies, default=0.0)
    with dbs["audit"].reading() as s:
        verdict = audit_usecases.verify_all(config, AuditRepository(s))
    report.audit_intact = verdict.ok
    if not verdict.ok:
        report.notes.append(f"audit: entry {verdict.first_bad_seq}: {verdict.problem}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
