"""The cluster chaos run: Sodsong against a three-node RabbitMQ cluster and a PostgreSQL primary with a streaming
replica, all started on this machine (tools/local_cluster.py), while RabbitMQ nodes are stopped under load.

The outage it plays is the one a three-node quorum is built for and the one just past it: one node fails, and
before it is back a second fails. Phases, each with an equal share of the tips, submitted at a steady rate by
tipsters who retry under one Idempotency-Key; each phase's step (stop or start a node) happens while its tips
arrive, and the next phase begins only once the step has really happened (the node is down, paused or back, and
every quorum queue has its members online):

1. all three nodes run;
2. node 1 stopped (the first address every process tries): connections fail over; quorum queues keep a
   majority (2 of 3), so tips keep flowing end to end;
3. node 2 stopped as well: one node of three has no majority; with `pause_minority` it pauses itself and closes
   its listeners. intake still accepts tips (each is committed with its event in intake's outbox), but nothing
   moves between services until a majority is back: the tips wait in the outbox;
4. node 2 started again, once node 3 has finished pausing (a node started while the last one is still pausing
   can come back as a Mnesia partition): a majority again, the outboxes drain, the backlog flows;
5. node 1 started again: all three;
6. the backlog drains.

Then every accepted tip must have been routed once, opened once and notified once (lost = 0, duplicates = 0), the
audit chain must verify, and the streaming replica must hold every accepted tip and an intact audit chain.
The services use the broker in policy mode (delivery limit and dead-lettering from the sodsong-consumers policy).
"""
from __future__ import annotations

import bisect
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from shared import config as config_mod
from shared import topology

# Imported here, by the importing (main) thread, on purpose: the registry's database handle (shared.dependencies)
# loads nameko and so eventlet, and a thread that is the first to import eventlet can never be joined (its join
# waits forever): the run's controller thread, which reads the databases, used to be that thread.
from shared.outbox import pending_stats
from sodsong.registry import service_db_for
from tools import chaos
from tools.local_cluster import LocalPostgresPair, LocalRabbitCluster

VHOST = "sodsong"


@dataclass
class Phase:
    label: str
    running: str
    submitted: int = 0
    accepted: int = 0
    refused_tries: int = 0
    notified_during: int = 0
    outbox_at_end: int = 0  # events waiting in intake's outbox when the phase ended
    lost: int = 0
    duplicates: int = 0
    started_at: float = 0.0
    seconds: float = 0.0


@dataclass
class ClusterReport:
    report: chaos.Report
    phases: list[Phase] = field(default_factory=list)
    replica_tips: int = -1
    replica_audit_intact: bool = False
    setup_seconds: float = 0.0
    run_seconds: float = 0.0
    service_restarts: list = field(default_factory=list)  # processes that exited and were started again
    accepted_refs: dict = field(default_factory=dict)  # reference -> (receipt, first try)
    ref_phase: dict = field(default_factory=dict)  # reference -> index of the phase it was submitted in

    @property
    def ok(self) -> bool:
        return self.report.ok and self.replica_tips == self.report.accepted and self.replica_audit_intact

    def table(self) -> str:
        head = ("phase", "RabbitMQ nodes running", "seconds", "tips submitted", "accepted (201)", "tries refused",
                "office notified during phase", "waiting in intake's outbox at its end", "lost", "duplicates")
        rows = [head] + [(p.label, p.running, f"{p.seconds:.0f}", p.submitted, p.accepted, p.refused_tries,
                          p.notified_during, p.outbox_at_end, p.lost, p.duplicates) for p in self.phases]
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
        lines = ["| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows]
        lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        r = self.report
        lines += ["", r.table(),
                  f"replica: {self.replica_tips} tips (accepted {r.accepted}), audit chain on the replica "
                  f"{'intact' if self.replica_audit_intact else 'NOT intact'}",
                  "service processes that exited and were started again (as an orchestrator would): "
                  + (", ".join(self.service_restarts) or "none"),
                  f"setup {self.setup_seconds:.0f} s, run {self.run_seconds:.0f} s"]
        return "\n".join(lines)


def run(tips: int, *, workdir: Path | None = None, rate: float = 5.0, amqp_ports=(5681, 5682, 5683),
        dist_ports=(25781, 25782, 25783), pg_ports=(5441, 5442), name: str = "sodsong", concurrency: int = 4,
        quiesce_timeout: float = 600.0, keep_nodes_dir: bool = False, nodes_down: int = 2,
        say=print) -> ClusterReport:
    """nodes_down=2 stops node 1, then node 2 while node 1 is still down (no majority), then brings node 2 and
    node 1 back; nodes_down=1 stops node 1 and brings it back, so a majority is always up."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="sodsong-cluster-"))
    workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    # the nodes run as the rabbitmq and postgres users: their directories must be reachable by them, which a
    # private temporary directory (a test's) is not
    nodes_dir = Path(tempfile.mkdtemp(prefix="sodsong-cluster-nodes-"))
    os.chmod(nodes_dir, 0o755)
    (workdir / "nodes").unlink(missing_ok=True)
    (workdir / "nodes").symlink_to(nodes_dir)
    rabbit = LocalRabbitCluster(nodes_dir / "rabbitmq", amqp_ports, dist_ports, name=name)
    pg = LocalPostgresPair(nodes_dir / "postgres", pg_ports)
    result = ClusterReport(report=chaos.Report(tips=tips))
    procs = None
    supervising = threading.Event()
    try:
        say(f"cluster: starting RabbitMQ nodes {', '.join(rabbit.nodes)} and PostgreSQL on {pg_ports}")
        with ThreadPoolExecutor(2) as pool:  # the broker's nodes and the database pair boot side by side
            for started in [pool.submit(rabbit.start), pool.submit(pg.start)]:
                started.result()
        rabbit.ctl(0, "add_vhost", VHOST)
        rabbit.ctl(0, "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
        db_url = pg.create_database("sodsong")
        intake_port = chaos._free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SODSONG")}
        env.update({
            "SODSONG_AMQP_URI": rabbit.amqp_uri(VHOST),
            "SODSONG_DB_URL": db_url,
            "SODSONG_DATA_DIR": str(workdir / "data"),
            "SODSONG__intake__http": f"127.0.0.1:{intake_port}",
            "SODSONG__casework__http": f"127.0.0.1:{chaos._free_port()}",
            "SODSONG__metrics__http": "",
            "SODSONG__broker__queue_arguments": "policy",
            "SODSONG__intake__argon2": "{time_cost: 1, memory_cost_kib: 8192, parallelism: 1}",
            "SODSONG__notify__stuck_sending_seconds": "15",
            # every tip of the run comes from one loopback client: lift the per-client filing limit for the run
            "SODSONG__intake__filing_limit": "{tips: 1000000, window_seconds: 600}",
        })
        policy = topology.consumer_policy(config_mod.load(env=env))
        rabbit.ctl(0, "set_policy", "-p", VHOST, "--apply-to", policy["apply-to"], "--priority",
                   str(policy["priority"]), policy["name"], policy["pattern"], json.dumps(policy["definition"]))
        subprocess.run([chaos.SODSONG, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=300)
        subprocess.run([chaos.SODSONG, "broker", "setup"], env=env, check=True, capture_output=True, timeout=120)
        procs = chaos.Cluster(env, workdir)
        for proc_name in procs.names():
            procs.start(proc_name)
        base = f"http://127.0.0.1:{intake_port}"
        chaos._wait_http(f"{base}/health", 90)
        rabbit.wait_whole([0, 1, 2], VHOST)  # every quorum queue has its three members before anything stops
        threading.Thread(target=_supervise, args=(procs, result, supervising), daemon=True).start()
        result.setup_seconds = time.monotonic() - t0
        say(f"cluster: up in {result.setup_seconds:.0f} s; {tips} tips at {rate}/s")
        _drive(result, rabbit, env, base, tips, rate, concurrency, say, nodes_down)
        say("cluster: all nodes back; waiting for quiescence")
        chaos._check(env, result.accepted_refs, result.report, quiesce_timeout, procs)
        drain = result.phases[-1]
        drain.seconds = time.monotonic() - drain.started_at
        drain.notified_during = _notified(env) - drain.notified_during
        drain.outbox_at_end = _outbox_waiting(env)
        result.report.broker_restarts = nodes_down  # nodes stopped and started again
        _per_phase(result, env)
        _replica(result, pg, env)
        result.run_seconds = time.monotonic() - t0 - result.setup_seconds
    finally:
        if procs is not None:
            supervising.set()
            procs.stop_all()
        rabbit.stop_all()
        try:
            pg.stop()
        except subprocess.SubprocessError as exc:
            result.report.notes.append(f"could not stop PostgreSQL: {exc}")
        if keep_nodes_dir:
            say(f"cluster: nodes' data and logs kept in {nodes_dir}")
        else:
            shutil.rmtree(nodes_dir, ignore_errors=True)
    return result


def _supervise(procs: chaos.Cluster, result: ClusterReport, stop: threading.Event) -> None:
    """Start again any service process that exited, as systemd, compose or Kubernetes would, and say so."""
    while not stop.wait(1.0):
        for proc_name in procs.names():
            with procs.lock:
                proc = procs.procs.get(proc_name)
            if proc is not None and proc.poll() is not None and not stop.is_set():
                result.service_restarts.append(f"{proc_name} (exit {proc.returncode})")
                procs.start(proc_name)


def _notified(env) -> int:
    from services.notify.models import Delivery

    try:
        with service_db_for("notify", config_mod.load(env=env)).reading() as s:
            return s.execute(select(func.count()).select_from(Delivery).where(
                Delivery.status == "sent", Delivery.recipient_kind == "office")).scalar_one()
    except Exception:
        return -1


def _outbox_waiting(env) -> int:
    try:
        return pending_stats(service_db_for("intake", config_mod.load(env=env)))["unpublished"]
    except Exception:
        return -1


def _plan(rabbit: LocalRabbitCluster, nodes_down: int) -> list[tuple[str, str, Callable[[], None] | None]]:
    """(label, nodes running, the step taken at the start of the phase). A step returns once it has happened."""
    def stop(i: int, then_whole: list[int]):
        def step():
            rabbit.stop_node(i)
            rabbit.wait_whole(then_whole, VHOST)  # quorum queues have elected leaders among the rest
        return step

    def start(i: int, then_whole: list[int]):
        def step():
            rabbit.start_node(i)
            rabbit.wait_whole(then_whole, VHOST)
        return step

    def stop_second():
        rabbit.stop_node(1)
        # node 3 is alone: it pauses itself. Nothing starts before the pause is complete (see wait_paused).
        rabbit.wait_paused(2)

    if nodes_down == 1:
        return [("1: all nodes", "1, 2, 3", None),
                ("2: node 1 stopped", "2, 3", stop(0, [1, 2])),
                ("3: node 1 back", "1, 2, 3", start(0, [0, 1, 2]))]
    return [("1: all nodes", "1, 2, 3", None),
            ("2: node 1 stopped", "2, 3", stop(0, [1, 2])),
            ("3: nodes 1 and 2 stopped", "3 (paused: no majority)", stop_second),
            ("4: node 2 back", "2, 3", start(1, [1, 2])),
            ("5: node 1 back", "1, 2, 3", start(0, [0, 1, 2]))]


def _drive(result: ClusterReport, rabbit: LocalRabbitCluster, env: dict, base: str, tips: int, rate: float,
           concurrency: int, say, nodes_down: int = 2) -> None:
    """Submit the tips, an equal share per phase at `rate`, while a controller takes each phase's step.

    The first half of a phase's tips arrive from the phase's start, while its node stops or starts; the second
    half only once the step has happened (so they meet the new state: with no majority, they must wait in intake's
    outbox). The next phase begins when the share has been answered and the step has happened, never on a clock,
    so every tip is counted in the phase it belongs to however long a node takes to stop or boot on a busy
    machine."""
    plan = _plan(rabbit, nodes_down)
    bounds = [round(tips * i / len(plan)) for i in range(len(plan) + 1)]
    result.phases = [Phase(label, running) for label, running, _ in plan]
    accepted: dict[str, tuple[str, float]] = {}
    ref_phase: dict[str, int] = {}
    lock = threading.Lock()
    gate = threading.Condition(lock)
    current = [-1]  # the phase under way
    starts = [0.0] * len(plan)
    stepped = [0.0] * len(plan)  # when the phase's step had happened (0: not yet)
    answered = [0] * len(plan)
    abort = threading.Event()
    failures: list[BaseException] = []
    last_count = [0]
    counter = iter(range(tips))
    seed = int(time.time() * 1000) % (1 << 30)

    def refused(phase):
        with lock:
            phase.refused_tries += 1
            result.report.rejected_during_outages += 1

    def submitter():
        while not abort.is_set():
            with lock:
                i = next(counter, None)
            if i is None:
                return
            p = bisect.bisect_right(bounds, i) - 1
            k, half = i - bounds[p], (bounds[p + 1] - bounds[p]) // 2
            with gate:
                while (current[0] < p or (k >= half and not stepped[p])) and not abort.is_set():
                    gate.wait(0.5)
                phase = result.phases[p]
                phase.submitted += 1
                at = starts[p] + k / rate if k < half else max(starts[p] + k / rate, stepped[p] + (k - half) / rate)
            pause = at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            body = {"category": "bribery",
                    "description": f"ทดสอบคลัสเตอร์ {i}: เจ้าหน้าที่เรียกรับเงินเพื่อออกใบอนุญาตก่อสร้าง",
                    "location": {"province_code": "23"}, "accused": {"official_type": "state_official"}}
            first_try = time.time()
            r = chaos.submit_until_accepted(base, body, f"cluster-{seed}-{i}", refused=partial(refused, phase),
                                            stop=abort)
            if r is not None:
                with lock:
                    ref = r.json()["reference"]
                    if ref not in accepted:
                        accepted[ref] = (r.json()["receipt"], first_try)
                        ref_phase[ref] = p
                        phase.accepted += 1
                    answered[p] += 1

    def close(p: int) -> int:
        """End phase p; the notified count read here is also the next phase's start (one reading: no gap)."""
        phase = result.phases[p]
        phase.seconds = time.monotonic() - phase.started_at
        count = _notified(env)
        phase.notified_during = count - phase.notified_during
        phase.outbox_at_end = _outbox_waiting(env)
        return count

    def controller():
        try:
            for p, (label, _running, step) in enumerate(plan):
                phase = result.phases[p]
                # the count at the start; the difference at the end
                phase.notified_during = close(p - 1) if p > 0 else _notified(env)
                phase.started_at = time.monotonic()
                with gate:
                    starts[p] = phase.started_at
                    current[0] = p
                    gate.notify_all()
                say(f"cluster: phase {label}")
                if step is not None:
                    step()
                with gate:
                    stepped[p] = time.monotonic()
                    gate.notify_all()
                share = bounds[p + 1] - bounds[p]
                deadline = time.monotonic() + share / rate + 300
                while answered[p] < share:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"phase {label}: {answered[p]} of {share} tips answered")
                    time.sleep(0.2)
                say(f"cluster: phase {label} done: step taken, {share} tips answered")
            last_count[0] = close(len(plan) - 1)
        except BaseException as exc:  # reported by the main thread, after the submitters have stopped
            failures.append(exc)
            abort.set()
            with gate:
                gate.notify_all()

    workers = [threading.Thread(target=submitter) for _ in range(concurrency)]
    control = threading.Thread(target=controller)
    control.start()
    for w in workers:
        w.start()
    control.join()
    abort.set()  # the controller waited for every answer: the submitters have finished, unless it failed
    for w in workers:
        w.join()
    if failures:
        raise failures[0]
    drain = Phase(f"{len(plan) + 1}: backlog drains", "1, 2, 3", started_at=time.monotonic())
    drain.notified_during = last_count[0]
    result.phases.append(drain)
    result.accepted_refs = accepted
    result.ref_phase = ref_phase
    result.report.accepted = len(accepted)


def _per_phase(result: ClusterReport, env: dict) -> None:
    from services.casework.models import Case
    from services.notify.models import Delivery
    from services.routing.models import Decision

    config = config_mod.load(env=env)
    counts = {}
    for service, query in (
            ("routing", select(Decision.reference, func.count()).where(Decision.hop == 0).group_by(Decision.reference)),
            ("casework", select(Case.reference, func.count()).group_by(Case.reference)),
            ("notify", select(Delivery.reference, func.count()).where(
                Delivery.status == "sent", Delivery.recipient_kind == "office").group_by(Delivery.reference))):
        with service_db_for(service, config).reading() as s:
            counts[service] = dict(s.execute(query).all())
    for ref, p in result.ref_phase.items():
        phase = result.phases[p]
        seen = [counts[svc].get(ref, 0) for svc in ("routing", "casework", "notify")]
        if min(seen) == 0:
            phase.lost += 1
        phase.duplicates += sum(n - 1 for n in seen if n > 1)


def _replica(result: ClusterReport, pg: LocalPostgresPair, env: dict) -> None:
    from services.audit import usecases as audit_usecases
    from services.audit.repository import AuditRepository
    from services.intake.models import Tip

    if not pg.replica_caught_up(120):
        result.report.notes.append("the replica did not catch up within 120 s")
        return
    replica_env = dict(env, SODSONG_DB_URL=pg.url(1, "sodsong"))
    config = config_mod.load(env=replica_env)
    with service_db_for("intake", config).reading() as s:
        result.replica_tips = s.execute(select(func.count()).select_from(Tip)).scalar_one()
    with service_db_for("audit", config).reading() as s:
        # the same keys and checkpoints
        result.replica_audit_intact = audit_usecases.verify_all(config, AuditRepository(s)).ok
