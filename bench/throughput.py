"""Tips per second through the whole system, the CPU and memory each service spends on them, and the same load
through a raw broker pipeline for comparison.

    .venv/bin/python bench/throughput.py --rate 20 --seconds 30 [--baseline] [--before main] [--mode embedded]
    .venv/bin/python bench/throughput.py --sweep --seconds 20 [--start-rate 10] [--max-rate 200]
    .venv/bin/python bench/throughput.py --rate 10 --seconds 20 --profile /tmp/profiles   # py-spy, per service
    .venv/bin/python bench/throughput.py --rate 20 --seconds 20 \
        --processes 'intake|routing|casework|notify|audit' --processes 'intake|routing,casework|notify,audit'

Starts Sodsong as a deployment would (real: `sodsong run --service X` per service on a fresh RabbitMQ vhost and
PostgreSQL database; embedded: one process), with the shipped security settings (receipts: keyed hash; argon2id
at its production parameters for the receipts that still need it), sends `--warmup` tips first (first-use costs:
dictionaries, caches, connections), then offers tips (varied Thai text, categories, accused and provinces)
open-loop at `--rate` for `--seconds` over HTTP from a pool of clients. A tip's latency runs from the moment it was
due to be sent (so a slow server cannot hide queueing in the client) to the moment notify recorded the office
notification as sent (notify's delivery ledger).

Printed: accepted/s, completed/s, e2e p50/p95/p99/max, CPU ms per tip per service process (user + system time
from /proc over the load and its drain, divided by tips completed), the idle CPU of the same processes measured just
before, RSS per process (now and peak), and PostgreSQL's own counters per tip (transactions, rows). On a busy
machine throughput and latency fall and wobble; CPU per tip, transactions per tip and ratios hold up better.

`--before REF` also runs the services of git revision REF (exported with `git archive`, put first on PYTHONPATH),
side by side with this tree's, under the same load at the same moment, so a before/after pair shares one run and
one machine state. `--baseline` then runs a raw 5-hop kombu pipeline (quorum queues, as Sodsong's own; classic
with `--baseline-queues classic`): persistent messages, a publisher confirm per
message, each hop its own process consuming the previous hop's queue (prefetch 50, ack after the next publish is
confirmed), at the same rate for the same time, and prints the ratios. `--sweep` raises the rate step by step on
one deployment and reports the highest rate at which every tip completed with p99 <= 1 s.

`--processes` runs real mode with several services in one process (`sodsong run --service A --service B`), as an
operator may deploy it; repeated, it measures each shape in turn (a fresh deployment each) and ends with a table
of them: processes, tips completed, p50/p99, CPU ms per tip, RSS (each process's resident memory, shared library
pages counted once per process), peak RSS, and PSS (/proc/PID/smaps_rollup: shared pages divided among the
processes sharing them, other programs on the machine included).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLK_TCK = os.sysconf("SC_CLK_TCK")
SHIPPED_ARGON2 = "{time_cost: 3, memory_cost_kib: 65536, parallelism: 1}"

# -- tips ----------------------------------------------------------------------------------------------------------

PLACES = [  # province, district, subdistrict (DOPA codes)
    ("23", "2301", "230101"), ("10", "1001", "100101"), ("50", "5001", "500101"), ("40", "4001", "400101"),
    ("90", "9001", "900101"), ("30", "3001", "300101"), ("20", "2001", "200101"), ("65", "6501", "650101"),
    ("34", "3401", "340101"), ("80", "8001", "800101"), ("57", "5701", "570101"), ("83", "8301", "830101"),
]
ACCUSED = [
    ("state_official", "เจ้าพนักงานที่ดิน", "สำนักงานที่ดินจังหวัด"),
    ("state_official", "นักวิชาการพัสดุ", "โรงพยาบาลส่งเสริมสุขภาพตำบล"),
    ("police_officer", "ผู้กำกับการสถานีตำรวจ", "สถานีตำรวจภูธรเมือง"),
    ("kamnan_village_head", "ผู้ใหญ่บ้าน", "หมู่ 4"),
    ("local_executive", "นายก อบต.", "องค์การบริหารส่วนตำบล"),
    ("state_official", "ครูผู้ช่วย", "โรงเรียนบ้านหนองบัว"),
    ("senior_executive", "อธิบดี", "กรมทางหลวงชนบท"),
]
CATEGORY_TEXT = {
    "bribery": ["เรียกรับเงิน {amount} บาทเพื่อเร่งออกใบอนุญาตให้ชาวบ้าน",
                "ขอเงินใต้โต๊ะ {amount} บาทแลกกับการไม่จับกุม"],
    "procurement": ["ฮั้วประมูลโครงการก่อสร้างถนนลาดยาง งบ {amount} บาท ผู้ชนะเป็นญาติ",
                    "จัดซื้อครุภัณฑ์การแพทย์ราคาสูงเกินจริง {amount} บาท"],
    "embezzlement": ["ยักยอกเงินกองทุนหมู่บ้าน {amount} บาทไปใช้ส่วนตัว",
                     "เบียดบังน้ำมันรถราชการไปขาย เดือนละ {amount} บาท"],
    "abuse_of_power": ["ใช้อำนาจสั่งปิดร้านค้าของคู่แข่งโดยไม่มีเหตุ",
                       "ละเว้นไม่ดำเนินคดีบ่อนการพนันในพื้นที่ที่จ่ายส่วย {amount} บาท"],
    "budget_misuse": ["นำรถยนต์ของทางราชการไปใช้ในงานส่วนตัวทุกสุดสัปดาห์",
                      "เบิกค่าอบรมที่ไม่มีการจัดจริง {amount} บาท"],
}
DETAILS = ["เหตุเกิดเมื่อต้นเดือนที่ผ่านมา", "มีพยานเห็นเหตุการณ์สามคน", "มีภาพถ่ายและสลิปโอนเงินเป็นหลักฐาน",
           "ชาวบ้านหลายรายถูกเรียกเก็บเหมือนกัน", "เกิดขึ้นซ้ำหลายครั้งในปีนี้", "ผู้ร้องไม่ประสงค์ออกนาม",
           "ทราบจากเอกสารประกาศผลการจัดซื้อ", "ได้ร้องเรียนกับหน่วยงานต้นสังกัดแล้วแต่ไม่มีความคืบหน้า"]


def tip_maker(seed: int = 1):
    rnd = random.Random(seed)

    def make(i: int) -> dict:
        category = rnd.choice(list(CATEGORY_TEXT))
        official_type, position, organisation = rnd.choice(ACCUSED)
        province, district, subdistrict = rnd.choice(PLACES)
        amount = f"{rnd.randrange(2, 500) * 1000:,}"
        text = rnd.choice(CATEGORY_TEXT[category]).format(amount=amount)
        details = " ".join(rnd.sample(DETAILS, rnd.randint(1, 3)))
        return {
            "category": category,
            "description": f"{position}{organisation} {text} {details} (เรื่องที่ {i})",
            "location": {"province_code": province, "district_code": district, "subdistrict_code": subdistrict,
                         "place": f"หมู่ {rnd.randint(1, 15)}"},
            "accused": {"official_type": official_type, "position": position, "organization": organisation},
        }
    return make


# -- processes: CPU and memory from /proc ----------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """pid and its descendants (a service may run helper processes)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
        except OSError:
            pass
    return total


def rss_mb(pid: int) -> tuple[float, float]:
    """(RSS now, peak RSS) in MB over the process tree."""
    now = peak = 0.0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        now += int(line.split()[1]) / 1024
                    elif line.startswith("VmHWM:"):
                        peak += int(line.split()[1]) / 1024
        except OSError:
            pass
    return now, peak


def _servers() -> dict[str, list[int]]:
    """The shared servers' processes by kind: PostgreSQL (postmaster and every backend) and RabbitMQ (the Erlang VM)."""
    kinds = {"postgres": "postgresql", "beam.smp": "rabbitmq"}
    found: dict[str, list[int]] = {"postgresql": [], "rabbitmq": []}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    kind = kinds.get(f.read().strip())
            except OSError:
                continue
            if kind:
                found[kind].append(int(entry))
    return found


def _own_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except OSError:
        return 0.0


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores; /proc/stat minus idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


class MachineMeter:
    """What a tip costs the machine beyond the services: PostgreSQL's and RabbitMQ's own processes (whatever else
    uses those servers meanwhile is counted too), this benchmark's load generator, and the whole machine."""

    def __init__(self):
        self.servers = {kind: {pid: _own_cpu(pid) for pid in pids} for kind, pids in _servers().items()}
        self.bench = _own_cpu(os.getpid())
        self.machine = _machine_busy_seconds()

    def read(self) -> dict[str, float]:
        out = {}
        for kind, pids in _servers().items():
            before = self.servers.get(kind, {})
            # a backend started during the window counts from zero; one that ended is lost (a lower bound)
            out[kind] = sum(_own_cpu(pid) - before.get(pid, 0.0) for pid in pids)
        out["load generator"] = _own_cpu(os.getpid()) - self.bench
        out["whole machine"] = _machine_busy_seconds() - self.machine
        return out


def pss_mb(pid: int) -> float:
    """PSS in MB over the process tree (/proc/PID/smaps_rollup): each page shared with other processes counted
    as its share (a library mapped by 10 processes counts a tenth in each). The sharers include every other
    process on the machine using the same files (other Python programs and deployments), so PSS depends on what
    else runs; it never counts a shared page twice across the processes measured, which RSS does."""
    total = 0.0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


class CpuMeter:
    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.start = {name: cpu_seconds(pid) for name, pid in pids.items()}
        self.t0 = time.monotonic()

    def read(self) -> tuple[dict[str, float], float]:
        return ({name: cpu_seconds(pid) - self.start[name] for name, pid in self.pids.items()},
                time.monotonic() - self.t0)


# -- offering load ------------------------------------------------------------------------------------------------


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1))))]


def offer(rate: float, seconds: float, send, clients: int = 48) -> tuple[dict, float]:
    """Call send(i) at rate/s for seconds (open loop). Returns ({i: (due epoch seconds, result)}, elapsed)."""
    n = int(rate * seconds)
    results: dict[int, tuple[float, object]] = {}
    lock = threading.Lock()
    t0_wall, t0 = time.time(), time.monotonic()

    def one(i):
        due = t0_wall + i / rate
        try:
            out = send(i)
        except Exception as exc:  # counted as not accepted
            out = exc
        with lock:
            results[i] = (due, out)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for i in range(n):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return results, time.monotonic() - t0


def latency_summary(latencies: list[float]) -> dict:
    s = sorted(latencies)
    return {"p50_ms": percentile(s, 0.50) * 1000, "p95_ms": percentile(s, 0.95) * 1000,
            "p99_ms": percentile(s, 0.99) * 1000, "max_ms": (s[-1] * 1000 if s else float("nan"))}


# -- Sodsong ------------------------------------------------------------------------------------------------------


class System:
    """A running Sodsong (real or embedded) and what the bench reads from it."""

    def __init__(self, mode: str, stack: ExitStack, data_dir: Path, extra_env: dict, groups=None):
        from shared import config as config_mod
        from sodsong.registry import service_db_for
        from tests.support.deployment import Deployment

        env = {"SODSONG__intake__argon2": SHIPPED_ARGON2, **extra_env}
        # fresh, as a deployment starts; `groups`: which services share a process (default one per service)
        self.dep = Deployment(mode, data_dir, stack, extra_env=env, migrated=False, groups=groups)
        self.dep.start()
        self.pids = {name: p.proc.pid for name, p in self.dep.processes.items()}
        self.notify_db = service_db_for("notify", config_mod.load(env=self.dep.env))
        self.url = f"http://127.0.0.1:{self.dep.intake_port}/api/v1/tips"
        self.local = threading.local()
        self.make_tip = tip_maker()
        self.counter = 0
        self.db_url = self.dep.env.get("SODSONG_DB_URL")

    def db_counters(self) -> dict[str, int]:
        """PostgreSQL's own counters for the deployment's database (transactions, rows written and read)."""
        if not self.db_url:
            return {}
        import psycopg2

        for attempt in range(50):  # the services may hold every slot for a moment
            try:
                conn = psycopg2.connect(self.db_url)
                break
            except psycopg2.OperationalError as exc:
                if "too many clients" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.2)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_stat_clear_snapshot()")
                cur.execute("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, "
                            "sessions FROM pg_stat_database WHERE datname = current_database()")
                row = cur.fetchone()
        finally:
            conn.close()
        # sessions: connections opened to it (a pool that closes and opens connections under load shows here)
        return dict(zip(("commits", "rollbacks", "inserted", "updated", "deleted", "fetched", "connections"), row,
                        strict=True))

    def census(self) -> dict:
        """What the tips so far made, per tip (PostgreSQL only): the events each service emitted (its outbox) and
        consumed (its inbox, per handler), the entries audit chained; and the mean batch of each consumer and of
        each relay: a batch's rows share one timestamp (`processed_at` of a group commit's inbox rows,
        `published_at` of the rows one relay pass marked), so rows / distinct timestamps is the mean batch."""
        if not self.db_url:
            return {}
        import psycopg2

        conn = psycopg2.connect(self.db_url)
        out: dict = {"emitted": {}, "relay_batch": {}, "consumed": {}, "consumer_batch": {}, "chained": {}}
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM intake_tips")
                tips = max(1, cur.fetchone()[0])
                out["tips"] = tips
                for service in ("intake", "routing", "casework", "notify", "audit"):
                    cur.execute(f"SELECT event_type, count(*) FROM {service}_outbox GROUP BY event_type")
                    for event_type, n in cur.fetchall():
                        out["emitted"][f"{service} {event_type}"] = n / tips
                    cur.execute(f"SELECT count(*), count(DISTINCT published_at) FROM {service}_outbox "
                                "WHERE published_at IS NOT NULL")
                    rows, passes = cur.fetchone()
                    if rows:
                        out["relay_batch"][service] = rows / max(1, passes)
                    cur.execute(f"SELECT handler, event_type, count(*) FROM {service}_inbox "
                                "GROUP BY handler, event_type")
                    for handler, event_type, n in cur.fetchall():
                        out["consumed"][f"{service}.{handler} {event_type}"] = n / tips
                    cur.execute(f"SELECT handler, count(*), count(DISTINCT processed_at) FROM {service}_inbox "
                                "GROUP BY handler")
                    for handler, n, batches in cur.fetchall():
                        out["consumer_batch"][f"{service}.{handler}"] = n / max(1, batches)
                cur.execute("SELECT event_type, count(*) FROM audit_chain GROUP BY event_type")
                for event_type, n in cur.fetchall():
                    out["chained"][event_type] = n / tips
        finally:
            conn.close()
        return out

    def submit(self, i: int):
        import requests

        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        r = session.post(self.url, json=self.make_tip(self.counter + i), timeout=60)
        if r.status_code != 201 and os.environ.get("BENCH_SHOW_REFUSALS"):
            print("refused", r.status_code, r.text[:300], file=sys.stderr)
        return r.json()["reference"] if r.status_code == 201 else r.status_code

    def sent(self, references: set[str]) -> dict[str, float]:
        from sqlalchemy import select

        from services.notify.models import Delivery

        with self.notify_db.reading() as session:
            rows = session.execute(select(Delivery.reference, Delivery.sent_at).where(
                Delivery.status == "sent", Delivery.recipient_kind == "office")).all()
        out = {}
        for ref, at in rows:
            if ref in references and ref not in out:
                out[ref] = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).timestamp()
        return out


def run_step(system: System, rate: float, seconds: float, drain_timeout: float, profile_dir: Path | None = None):
    idle, idle_machine = CpuMeter(system.pids), MachineMeter()
    time.sleep(3)
    idle_cpu, idle_t = idle.read()
    idle_servers = idle_machine.read()
    meter = CpuMeter(system.pids)
    machine = MachineMeter()
    db_before = system.db_counters() if hasattr(system, "db_counters") else {}
    profilers = start_profilers(system.pids, profile_dir, seconds) if profile_dir else []
    results, elapsed = offer(rate, seconds, system.submit)
    system.counter += len(results)
    due = {out: t for t, out in results.values() if isinstance(out, str)}
    refused = len(results) - len(due)
    reasons: dict[str, int] = {}
    for _, out in results.values():
        if not isinstance(out, str):
            key = out if isinstance(out, int) else type(out).__name__
            reasons[str(key)] = reasons.get(str(key), 0) + 1
    deadline = time.monotonic() + drain_timeout
    sent = {}
    while time.monotonic() < deadline:
        sent = system.sent(set(due))
        if len(sent) >= len(due):
            break
        time.sleep(0.25)
    cpu, span = meter.read()
    machine_cpu = machine.read()
    db_after = system.db_counters() if hasattr(system, "db_counters") else {}
    for p in profilers:
        p.wait(60)
    latencies = [sent[ref] - due[ref] for ref in sent]
    last_done = max(sent.values(), default=time.time())
    first_due = min(due.values(), default=time.time())
    done = max(1, len(sent))
    return {
        "offered_per_s": rate, "seconds": seconds, "offered": len(results), "accepted": len(due),
        "refused": refused, "refused_why": reasons, "completed": len(sent),
        "accepted_per_s": len(due) / elapsed, "completed_per_s": len(sent) / max(1e-9, last_done - first_due),
        **latency_summary(latencies),
        "cpu_ms_per_tip": {n: 1000 * c / done for n, c in cpu.items()},
        "idle_cpu_ms_per_s": {n: 1000 * c / idle_t for n, c in idle_cpu.items()},
        "cpu_span_s": span,
        "machine_cpu_ms_per_tip": {n: 1000 * c / done for n, c in machine_cpu.items()},
        "machine_idle_cpu_ms_per_s": {n: 1000 * c / idle_t for n, c in idle_servers.items()},
        "db_per_tip": {k: (db_after[k] - db_before[k]) / done for k in db_after},
        "rss_mb": {n: rss_mb(pid) for n, pid in system.pids.items()},
        "pss_mb": {n: pss_mb(pid) for n, pid in system.pids.items()},
        "census": system.census() if hasattr(system, "census") else {},
    }


def start_profilers(pids: dict[str, int], out: Path, seconds: float):
    out.mkdir(parents=True, exist_ok=True)
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    procs = []
    for name, pid in pids.items():
        procs.append(subprocess.Popen(
            [py_spy, "record", "--pid", str(pid), "--duration", str(int(seconds) + 2), "--rate", "50",
             "--format", "raw", "--output", str(out / f"{name}.folded"), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


# -- the raw pipeline ---------------------------------------------------------------------------------------------

HOPS = 5


def bench_queue(index: int, queue_type: str):
    """The pipeline's queue `index`: durable, and of the same type as Sodsong's own queues (quorum) unless asked."""
    import kombu

    return kombu.Queue(f"bench.q{index}", durable=True, queue_arguments={"x-queue-type": queue_type})


def hop_main(amqp_uri: str, index: int, queue_type: str = "quorum") -> None:
    """One hop: consume q{index-1}, publish the body to q{index} (persistent, confirmed), then ack."""
    import kombu

    with kombu.Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        inbound = bench_queue(index - 1, queue_type)
        outbound = bench_queue(index, queue_type)
        producer = conn.Producer(serializer="json")
        channel = conn.channel()
        channel.basic_qos(0, 50, False)

        def on_message(body, message):
            producer.publish(body, routing_key=outbound.name, declare=[outbound], delivery_mode=2)
            message.ack()

        with kombu.Consumer(channel, queues=[inbound], callbacks=[on_message]):
            print("READY", flush=True)
            while True:
                conn.drain_events()


class Pipeline:
    def __init__(self, stack: ExitStack, queue_type: str = "quorum"):
        import kombu

        from tests.support.environments import rabbit_vhost

        self.uri, _ = stack.enter_context(rabbit_vhost())
        self.queue_type = queue_type
        with kombu.Connection(self.uri) as conn:
            for i in range(HOPS + 1):
                bench_queue(i, queue_type)(conn.channel()).declare()
        self.procs = {}
        for i in range(1, HOPS + 1):
            proc = subprocess.Popen([sys.executable, __file__, "--hop", str(i), "--amqp", self.uri,
                                     "--baseline-queues", queue_type],
                                    stdout=subprocess.PIPE, text=True)
            stack.callback(_stop, proc)
            self.procs[f"hop{i}"] = proc
        for proc in self.procs.values():
            if proc.stdout.readline().strip() != "READY":
                raise SystemExit("a pipeline hop did not start")
        self.pids = {n: p.pid for n, p in self.procs.items()}
        self.local = threading.local()
        self.arrived: dict[str, float] = {}
        self.sink_stop = threading.Event()
        self.sink = threading.Thread(target=self._sink, daemon=True)
        self.sink.start()
        self.counter = 0

    def _sink(self):
        import kombu

        with kombu.Connection(self.uri) as conn:
            def on_message(body, message):
                self.arrived[body["id"]] = time.time()
                message.ack()

            with kombu.Consumer(conn, queues=[bench_queue(HOPS, self.queue_type)],
                                callbacks=[on_message], prefetch_count=200):
                while not self.sink_stop.is_set():
                    try:
                        conn.drain_events(timeout=0.5)
                    except TimeoutError:
                        pass

    def submit(self, i: int):
        import kombu

        producer = getattr(self.local, "producer", None)
        if producer is None:
            conn = kombu.Connection(self.uri, transport_options={"confirm_publish": True})
            producer = self.local.producer = conn.Producer(serializer="json")
        ident = f"m{self.counter + i}"
        body = {"id": ident, "type": "tip.received", "payload": tip_maker(i)(i)}
        producer.publish(body, routing_key="bench.q0", delivery_mode=2)
        return ident

    def sent(self, references: set[str]) -> dict[str, float]:
        return {k: v for k, v in list(self.arrived.items()) if k in references}


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- reporting ----------------------------------------------------------------------------------------------------


def print_step(title: str, r: dict) -> None:
    print(f"\n== {title}: offered {r['offered_per_s']:g}/s for {r['seconds']:g} s (machine shared: wall-clock figures "
          "are depressed and noisy; CPU per tip and ratios are the robust ones)")
    print(f"accepted {r['accepted']}/{r['offered']} ({r['accepted_per_s']:.1f}/s), refused {r['refused']} "
          f"{r.get('refused_why') or ''}, "
          f"completed {r['completed']} ({r['completed_per_s']:.1f}/s)")
    print(f"e2e p50 {r['p50_ms']:.0f} ms  p95 {r['p95_ms']:.0f} ms  p99 {r['p99_ms']:.0f} ms  "
          f"max {r['max_ms']:.0f} ms")
    width = max(10, *(len(n) for n in r["cpu_ms_per_tip"]))
    pss = r.get("pss_mb") or {}
    print(f"{'process':{width}} {'cpu ms/tip':>10} {'idle ms/s':>10} {'rss MB':>8} {'peak MB':>8} {'pss MB':>8}")
    for name in r["cpu_ms_per_tip"]:
        now, peak = r["rss_mb"][name]
        print(f"{name:{width}} {r['cpu_ms_per_tip'][name]:10.1f} {r['idle_cpu_ms_per_s'][name]:10.1f} "
              f"{now:8.0f} {peak:8.0f} {pss.get(name, float('nan')):8.0f}")
    if r.get("db_per_tip"):
        print("database per tip (PostgreSQL counters, idle jobs included): "
              + ", ".join(f"{k} {v:.1f}" for k, v in r["db_per_tip"].items()))
    total_rss = sum(v[0] for v in r["rss_mb"].values())
    total_peak = sum(v[1] for v in r["rss_mb"].values())
    print(f"{'total':{width}} {sum(r['cpu_ms_per_tip'].values()):10.1f} "
          f"{sum(r['idle_cpu_ms_per_s'].values()):10.1f} {total_rss:8.0f} {total_peak:8.0f} "
          f"{sum(pss.values()):8.0f}")
    print("(rss: resident pages of each process tree, shared library pages counted in every process; "
          "peak: the highest rss each process reached, added up; pss: shared pages divided among their sharers, "
          "including other programs on the machine)")
    if r.get("machine_cpu_ms_per_tip"):
        m = r["machine_cpu_ms_per_tip"]
        cores = os.cpu_count() or 1
        print("beyond the services, CPU ms per tip: " + ", ".join(
            f"{k} {v:.1f}" for k, v in m.items() if k != "whole machine")
            + f"; whole machine {m['whole machine']:.1f} (everything running, other work included), so "
            f"{cores} cores would carry at most ~{1000 * cores / max(0.1, m['whole machine']):.0f} "
            "tips/s at this cost")
        idle = r.get("machine_idle_cpu_ms_per_s") or {}
        if idle:
            print("the same just before the load, idle, CPU ms per second: " + ", ".join(
                f"{k} {v:.0f}" for k, v in idle.items()))
    census = r.get("census") or {}
    if census:
        print(f"per tip ({census['tips']} tips since the start, warm-up included): events emitted, consumed, chained; "
              "mean batch of each consumer and relay")
        for part in ("emitted", "consumed", "chained"):
            print(f"  {part:9} " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(census[part].items())))
        print("  consumer batch " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(census["consumer_batch"].items())))
        print("  relay batch " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(census["relay_batch"].items())))


def export_code(ref: str, into: Path) -> Path:
    """The project's files at git `ref`, for running that version's services (PYTHONPATH) in the same run."""
    repo = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(repo), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    # compiled beforehand, as this tree is: compiling on import would add the compiler's memory to that version's
    # processes (a few MB of peak RSS each) and its CPU to their start
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into)], check=True, capture_output=True)
    return into


def warm_up(system, tips: int) -> None:
    """First-use costs (dictionaries, caches, connections) paid before the measured window, not in it."""
    if tips <= 0:
        return
    results, _ = offer(min(10.0, tips), tips / min(10.0, tips), system.submit, clients=8)
    system.counter += len(results)
    refs = {out for _, out in results.values() if isinstance(out, str)}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(system.sent(refs)) < len(refs):
        time.sleep(0.25)


def start_system(args, stack: ExitStack, extra_env: dict, code: Path | None, groups=None) -> System:
    env = dict(extra_env)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    for attempt in (1, 2):  # a busy shared broker sometimes resets a connection at start-up: try once more
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="sodsong-bench-"))
        for beside in ("keys", "checkpoints"):  # sodsong keeps these apart from the data directory
            stack.callback(shutil.rmtree, f"{tmp}-{beside}", True)
        try:
            system = System(args.mode, stack, Path(tmp), env, groups)
            break
        except (RuntimeError, TimeoutError) as exc:
            if attempt == 2:
                raise
            print(f"start-up failed, trying again: {str(exc)[:200]}", file=sys.stderr)
    warm_up(system, args.warmup)
    return system


def parse_shape(text: str) -> list[tuple[str, ...]]:
    """"intake|routing,casework|notify,audit" -> [("intake",), ("routing", "casework"), ("notify", "audit")]:
    processes separated by "|", the services of one process by ","; every service exactly once."""
    from shared.config import SERVICES

    groups = [tuple(s.strip() for s in part.split(",") if s.strip()) for part in text.split("|")]
    named = [s for g in groups for s in g]
    if any(not g for g in groups) or sorted(named) != sorted(SERVICES):
        raise argparse.ArgumentTypeError(f"{text!r}: name each of {', '.join(SERVICES)} exactly once, "
                                         "processes separated by '|', services in a process by ','")
    return groups


def shape_label(groups) -> str:
    from shared.config import SERVICES

    return "|".join(",".join(g) for g in (groups or [(s,) for s in SERVICES]))


def stop_all(systems) -> None:
    """SIGTERM every service at once, then wait (one by one, each takes seconds to drain)."""
    procs = [p for system in systems for p in system.dep.processes.values() if p.proc and p.proc.poll() is None]
    for p in procs:
        try:
            os.killpg(p.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        p.stop()


def measure(args, systems: dict[str, System]) -> dict[str, dict]:
    """One step on every system at once (the same load, the same moment, the same contention)."""
    out: dict[str, dict] = {}

    def one(label, system):
        profile = args.profile / label if args.profile else None
        out[label] = run_step(system, args.rate, args.seconds, args.drain, profile)

    threads = [threading.Thread(target=one, args=item) for item in systems.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for label in systems:
        print_step(f"sodsong {args.mode} ({label})", out[label])
    return out


def sweep(args, label: str, system: System) -> dict:
    rate, best, steps = args.start_rate, None, []
    while rate <= args.max_rate:
        r = run_step(system, rate, args.seconds, args.drain)
        steps.append(r)
        print_step(f"sweep sodsong {args.mode} ({label})", r)
        if r["completed"] < r["offered"] or r["p99_ms"] > 1000:
            break
        best = rate
        rate = rate * 1.5 if rate < 40 else rate + 20
    print(f"\n{label}: highest offered rate with every tip completed and p99 <= 1 s: {best}/s (shared machine)")
    return {"steps": steps, "highest_rate_p99_le_1s": best}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["real", "embedded"], default="real")
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--baseline", action="store_true", help="also run the raw 5-hop kombu pipeline")
    parser.add_argument("--baseline-queues", choices=["quorum", "classic"], default="quorum",
                        help="the raw pipeline's queue type (default: quorum, as Sodsong's own queues)")
    parser.add_argument("--before", metavar="GIT_REF",
                        help="also run the services of this git revision, side by side with this tree's and under the "
                             "same load at the same time, for a before/after")
    parser.add_argument("--sweep", action="store_true", help="find the highest rate with p99 <= 1 s")
    parser.add_argument("--start-rate", type=float, default=10)
    parser.add_argument("--warmup", type=int, default=20, help="tips sent (and finished) before measuring")
    parser.add_argument("--max-rate", type=float, default=200)
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for the last notification")
    parser.add_argument("--profile", type=Path, help="py-spy record each service into this directory")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for the services")
    parser.add_argument("--processes", action="append", type=parse_shape, metavar="SHAPE",
                        help="real mode: which services share a process, e.g. 'intake|routing,casework|notify,audit' "
                             "(processes separated by '|', services by ','; default one process per service). "
                             "Repeat it to measure several shapes one after another, each a fresh deployment "
                             "under the same load, with a table of all of them at the end.")
    parser.add_argument("--hop", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--amqp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hop:
        return hop_main(args.amqp, args.hop, args.baseline_queues)

    extra_env = dict(kv.split("=", 1) for kv in args.env)
    if args.processes and args.mode != "real":
        parser.error("--processes is for real mode (embedded mode is always one process)")
    report: dict = {"note": "figures taken on a shared machine", "nproc": os.cpu_count(), "args": vars(args)}
    shapes = args.processes or [None]
    with ExitStack() as stack:
        for groups in shapes:
            with ExitStack() as deployment:  # each shape's vhost, database and files go when it is measured
                systems: dict[str, System] = {}
                if args.before:
                    where = deployment.enter_context(tempfile.TemporaryDirectory(prefix="sodsong-bench-before-"))
                    code = export_code(args.before, Path(where))
                    systems["before"] = start_system(args, deployment, extra_env, code, groups)
                systems["sodsong"] = start_system(args, deployment, extra_env, None, groups)
                if len(shapes) > 1:
                    print(f"\n#### processes: {shape_label(groups)}")
                if args.sweep:
                    # one system at a time: a sweep looks for the rate the machine can carry
                    for label, system in systems.items():
                        report[f"sweep_{label}"] = sweep(args, label, system)
                else:
                    figures = measure(args, systems)
                    report.update(figures)
                    if len(shapes) > 1:
                        report.setdefault("shapes", {})[shape_label(groups)] = figures
                stop_all(systems.values())
        if report.get("shapes"):
            shapes_table(report["shapes"])
        if args.baseline:
            pipeline = Pipeline(stack, args.baseline_queues)
            b = run_step(pipeline, args.rate, args.seconds, args.drain)
            pipeline.sink_stop.set()
            report["raw_pipeline"] = b
            print_step(f"raw 5-hop kombu pipeline ({args.baseline_queues} queues)", b)
    summary(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False))


def shapes_table(shapes: dict[str, dict]) -> None:
    """One line per process shape measured (and per version with --before)."""
    print("\n== process shapes (one after another, the same load; shared machine: compare CPU and memory)")
    print(f"{'processes':44} {'n':>2} {'done':>9} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/tip':>10} {'RSS MB':>7} "
          f"{'peak MB':>7} {'PSS MB':>7}")
    for label, figures in shapes.items():
        for version, r in figures.items():
            name = label if version == "sodsong" else f"{label} ({version})"
            print(f"{name:44} {len(r['rss_mb']):2d} {r['completed']:4d}/{r['offered']:<4d} {r['p50_ms']:7.0f} "
                  f"{r['p99_ms']:7.0f} {sum(r['cpu_ms_per_tip'].values()):10.1f} "
                  f"{sum(v[0] for v in r['rss_mb'].values()):7.0f} {sum(v[1] for v in r['rss_mb'].values()):7.0f} "
                  f"{sum(r['pss_mb'].values()):7.0f}")


def summary(report: dict) -> None:
    runs = [(k, report[k]) for k in ("before", "sodsong", "raw_pipeline") if k in report and "p50_ms" in report[k]]
    if len(runs) < 2:
        return
    print("\n== summary (one run, shared machine)")
    print(f"{'':14} {'accepted/s':>10} {'completed/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/tip':>10} "
          f"{'RSS MB':>7}")
    for name, r in runs:
        print(f"{name:14} {r['accepted_per_s']:10.1f} {r['completed_per_s']:11.1f} {r['p50_ms']:8.0f} "
              f"{r['p99_ms']:8.0f} {sum(r['cpu_ms_per_tip'].values()):10.1f} "
              f"{sum(v[0] for v in r['rss_mb'].values()):7.0f}")
    raw = report.get("raw_pipeline")
    if raw:
        raw_cpu = sum(raw["cpu_ms_per_tip"].values())
        for name, r in runs[:-1]:
            print(f"{name}/raw: CPU per tip {sum(r['cpu_ms_per_tip'].values()) / raw_cpu:.1f}x, "
                  f"p50 {r['p50_ms'] / raw['p50_ms']:.1f}x, p99 {r['p99_ms'] / raw['p99_ms']:.1f}x")


if __name__ == "__main__":
    main()
