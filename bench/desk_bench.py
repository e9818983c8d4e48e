"""The desk at scale: inbox, search and case-page latency with 1,000 / 10,000 / 100,000 cases (a figure, not
pass/fail).

    .venv/bin/python bench/desk_bench.py                              # SQLite and PostgreSQL, 1k and 10k
    .venv/bin/python bench/desk_bench.py --modes postgres --sizes 100000
    SODSONG_BENCH_PG=postgresql://postgres@127.0.0.1:5432/postgres  (the server a throw-away database is made on)

For each mode (SQLite embedded, PostgreSQL) and size, a fresh casework database is migrated and the cases are
inserted directly in one transaction (bulk inserts with fresh uuid4 ids handed out in sorted order so every
primary key is appended to; sealed like real ones, one nonce per value; with their blind-index rows, whose
secondary indexes, and on PostgreSQL primary and foreign key, are built once after the load; PostgreSQL takes the
index rows by COPY; then VACUUM ANALYZE / ANALYZE, as autovacuum would): Thai descriptions put
together from realistic phrases, accused organisations and positions, 20 offices of 4 agencies, every state,
opening dates over two years. Then the desk's use cases (usecases/wiring.py, the layer under the HTTP edge) are
timed: the inbox a supervisor of a busy office opens (open cases, nearest deadline first; page 1 and a deep
page; sorted by assignee), the same for an agency-wide auditor, a search by a common Thai word, by an accused
organisation, by two words and by reference, the CSV export's query and a case page (which records the read).
Each is run `--runs` times after one warm-up; p50 and p95 in milliseconds are printed.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from services.casework.cli import casework_db  # noqa: E402
from services.casework.domain import lifecycle, policy  # noqa: E402
from services.casework.models import Case, User  # noqa: E402
from services.casework.repository import SEARCH_SERVICE, search_texts  # noqa: E402
from services.casework.usecases.case_reading import DeskSettings  # noqa: E402
from services.casework.usecases.wiring import DeskUseCases  # noqa: E402
from shared import blind_index  # noqa: E402
from shared import config as config_mod  # noqa: E402
from sodsong import registry  # noqa: E402

PG_ADMIN = os.environ.get("SODSONG_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

OFFICES = [(f"{agency}-{suffix}", f"{name_th} {suffix}", f"{name_en} {suffix}")
           for agency, name_th, name_en in (("PACC", "สำนักงาน ป.ป.ท. เขต", "PACC Region"),
                                            ("NACC", "สำนักงาน ป.ป.ช. ประจำจังหวัด", "NACC Province"),
                                            ("OAG", "สำนักงานการตรวจเงินแผ่นดิน ภาค", "OAG Region"),
                                            ("OMB", "สำนักงานผู้ตรวจการแผ่นดิน", "Ombudsman"))
           for suffix in ("R1", "R2", "R3", "R4", "R5")]
OFFICE_WEIGHTS = [30, 20, 10, 8, 6] + [5] * 15  # PACC-R1/R2 are the busy ones
ACTORS = ["เจ้าหน้าที่ที่ดิน", "ตำรวจทางหลวง", "นายกองค์การบริหารส่วนตำบล", "ปลัดอำเภอ", "เจ้าหน้าที่สรรพากร",
          "ครูใหญ่โรงเรียนประจำตำบล", "เจ้าหน้าที่ศุลกากร", "ผู้อำนวยการโรงพยาบาลส่งเสริมสุขภาพ",
          "กำนันตำบล", "เจ้าหน้าที่ขนส่งจังหวัด", "วิศวกรโยธาของเทศบาล", "หัวหน้าเจ้าหน้าที่พัสดุ"]
ACTS = ["เรียกรับเงิน {amount} บาทเพื่อเร่งออกโฉนด", "เรียกเงินใต้โต๊ะจากผู้ขับรถบรรทุกทุกวัน",
        "ฮั้วประมูลโครงการก่อสร้างถนนลาดยาง มูลค่า {amount} บาท", "เบิกค่าเบี้ยเลี้ยงเท็จเป็นเวลาหลายเดือน",
        "นำรถยนต์ของทางราชการไปใช้ส่วนตัว", "รับสินบนเพื่อออกใบอนุญาตก่อสร้างอาคาร",
        "แต่งตั้งญาติเข้ารับราชการโดยไม่มีการสอบ", "จัดซื้อครุภัณฑ์การแพทย์ราคาสูงกว่าท้องตลาด",
        "เก็บเงินค่าธรรมเนียมเกินอัตราที่กฎหมายกำหนด", "ยักยอกเงินกองทุนหมู่บ้าน {amount} บาท",
        "ใช้งบประมาณซ่อมแซมโรงเรียนแต่ไม่มีการซ่อมจริง", "ข่มขู่ชาวบ้านให้จ่ายเงินเพื่อไม่ให้ถูกจับกุม"]
DETAILS = ["เหตุเกิดที่ที่ว่าการอำเภอเมือง มีพยานหลายคนเห็นเหตุการณ์", "มีหลักฐานเป็นภาพถ่ายและใบเสร็จ",
           "ชาวบ้านในหมู่บ้านเดือดร้อนมาก ขอให้ตรวจสอบโดยด่วน", "เกิดขึ้นซ้ำหลายครั้งตั้งแต่ต้นปี",
           "ผู้แจ้งเกรงว่าจะถูกกลั่นแกล้งหากเปิดเผยตัว", "The contractor is a relative of the mayor.",
           "ได้แจ้งหน่วยงานต้นสังกัดแล้วแต่ไม่มีความคืบหน้า", ""]
ORGANISATIONS = ["สำนักงานที่ดินจังหวัด{p}", "องค์การบริหารส่วนตำบลหนองบัว", "เทศบาลเมือง{p}",
                 "กองบังคับการตำรวจทางหลวง", "สำนักงานสรรพากรพื้นที่{p}", "ด่านศุลกากร{p}",
                 "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านใหม่", "สำนักงานขนส่งจังหวัด{p}", "ที่ว่าการอำเภอเมือง{p}",
                 "สำนักงานเขตพื้นที่การศึกษาประถมศึกษา{p}"]
PROVINCES = [("10", "กรุงเทพ"), ("23", "ตราด"), ("50", "เชียงใหม่"), ("30", "นครราชสีมา"), ("90", "สงขลา"),
             ("40", "ขอนแก่น"), ("20", "ชลบุรี"), ("83", "ภูเก็ต")]
CATEGORIES = ["bribery", "procurement", "embezzlement", "abuse_of_power", "budget_misuse", "land_encroachment"]
OFFICIAL_TYPES = ["state_official", "local_executive", "kamnan_village_head", "police_officer"]
STATES = [(lifecycle.RECEIVED, 15), (lifecycle.ACKNOWLEDGED, 15), (lifecycle.UNDER_REVIEW, 10),
          (lifecycle.INVESTIGATING, 15), (lifecycle.CLOSED, 45)]
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def reference(n: int) -> str:
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    s = "".join(reversed(chars))
    return f"SS-{s[:4]}-{s[4:]}"


class Texts:
    """Descriptions and accused fields, with their index hashes computed once per distinct text."""

    def __init__(self, rng: random.Random, pool: int):
        self.rng = rng
        self.descriptions = []
        for _ in range(pool):
            act = rng.choice(ACTS).format(amount=f"{rng.choice([3, 5, 20, 50, 150, 2000]) * 1000:,}")
            self.descriptions.append(f"{rng.choice(ACTORS)}{act} {rng.choice(DETAILS)}".strip())
        self.organisations = [o.format(p=name) for o in ORGANISATIONS for _, name in PROVINCES]
        self._terms: dict[str, set[str]] = {}

    def terms(self, text: str) -> set[str]:
        found = self._terms.get(text)
        if found is None:
            found = self._terms[text] = blind_index.index_terms(SEARCH_SERVICE, text)
        return found


def seed(db, mode: str, n: int, rng: random.Random, texts: Texts, users: dict[str, list[str]],
         batch: int = 5000) -> None:
    """Insert `n` cases and their blind-index rows in one transaction. The case ids are fresh uuid4s, handed
    out in sorted order so that every primary key (the cases' and the index's) is appended to, not split."""
    now = datetime.now(UTC)
    ids = sorted(str(uuid.uuid4()) for _ in range(n))
    with db.transaction() as uow:
        connection = uow.session.connection()
        cursor = connection.connection.cursor()
        if mode == "sqlite":  # for the load only: a large page cache (the pool's connection gets it back below)
            cursor.execute("PRAGMA cache_size = -262144")
        for done in range(0, n, batch):
            cases, terms = [], []
            for i in range(done, min(n, done + batch)):
                case, hashes = fake_case(i, ids[i], now, rng, texts, users)
                cases.append(case)
                terms.extend((case["id"], h) for h in sorted(hashes))
            # Core insert: the sealed columns are sealed by their types, one nonce per value, as in service
            connection.execute(insert(Case.__table__), cases)
            if mode == "postgres":
                cursor.copy_expert("COPY casework_search_terms (case_id, term) FROM STDIN",
                                   io.StringIO("".join(f"{c}\t{t}\n" for c, t in terms)))
            else:
                cursor.executemany("INSERT INTO casework_search_terms (case_id, term) VALUES (?, ?)", terms)
        if mode == "sqlite":
            cursor.execute("PRAGMA cache_size = -2000")


def fake_case(i: int, case_id: str, now: datetime, rng: random.Random, texts: Texts,
              users: dict[str, list[str]]) -> tuple[dict, set[str]]:
    """One case as casework stores it (its row, facts as intake sends them) and its blind-index hashes."""
    office, name_th, name_en = rng.choices(OFFICES, OFFICE_WEIGHTS)[0]
    province, _ = rng.choice(PROVINCES)
    status = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
    opened = now - timedelta(days=rng.uniform(0, 730) ** 1.3 / 730 ** 0.3)  # more recent than old
    acknowledged = opened + timedelta(days=rng.uniform(0.2, 9)) if status != lifecycle.RECEIVED else None
    closed = (acknowledged or opened) + timedelta(days=rng.uniform(5, 120)) if status == "closed" else None
    description = rng.choice(texts.descriptions)
    facts = {"description": description, "event_date": None, "amount_thb": None, "channel": "web",
             "language": "th", "submitted_at": opened.isoformat(),
             "location": {"province_code": province, "district_code": None, "subdistrict_code": None,
                          "place": None},
             "accused": {"official_type": rng.choice(OFFICIAL_TYPES), "name": None,
                         "position": rng.choice(ACTORS), "organization": rng.choice(texts.organisations)}}
    case = {
        "id": case_id, "reference": reference(i * 7919 + 12345), "office_code": office,
        "office_name_th": name_th, "office_name_en": name_en, "triage": False, "status": status,
        "category": rng.choice(CATEGORIES), "province_code": province,
        "facts_json": json.dumps(facts, ensure_ascii=False), "routing_rule": "bench",
        "routing_reasons_json": json.dumps({"th": "ตามพื้นที่", "en": "by area"}, ensure_ascii=False),
        "opened_at": opened, "acknowledge_due": opened + timedelta(days=7),
        "feedback_due": opened + timedelta(days=91), "updated_at": closed or acknowledged or opened,
        "assignee_id": rng.choice(users.get(office, [None]) + [None]) if status != "received" else None,
        "acknowledged_at": acknowledged, "closed_at": closed,
        "resolution": "unsubstantiated" if closed else None,
        "feedback_given_at": closed, "status_changed_at": closed or acknowledged or opened,
        "feedback_extended": False, "transfer_count": 0, "version": 1, "volunteer_id": None,
    }
    hashes = set()
    for words in search_texts(facts):
        if words:
            hashes |= texts.terms(words)
    return case, hashes


def make_users(db) -> tuple[dict[str, list[str]], dict[str, policy.Principal]]:
    now = datetime.now(UTC)
    per_office: dict[str, list[str]] = {}
    principals = {}
    with db.transaction() as uow:
        for office, _, _ in OFFICES:
            for k, (role, name) in enumerate((("supervisor", "หัวหน้า"), ("caseworker", "สมชาย"),
                                               ("caseworker", "มาลี"), ("caseworker", "วิชัย"))):
                user_id = str(uuid.uuid4())
                username = f"{office.lower()}-{role}-{k}"
                uow.session.execute(insert(User), [{
                    "id": user_id, "username": username, "display_name": f"{name} {office}", "office_code": office,
                    "role": role, "password_hash": "x", "created_at": now, "password_changed_at": now,
                    "disabled": False}])
                per_office.setdefault(office, []).append(user_id)
                if office == "PACC-R1" and role == "supervisor":
                    principals["supervisor"] = policy.Principal(user_id, username, name, role, office)
        aud = str(uuid.uuid4())
        uow.session.execute(insert(User), [{
            "id": aud, "username": "pacc-auditor", "display_name": "ผู้ตรวจสอบ", "office_code": "PACC",
            "role": "auditor", "password_hash": "x", "created_at": now, "password_changed_at": now,
            "disabled": False}])
        principals["auditor"] = policy.Principal(aud, "pacc-auditor", "ผู้ตรวจสอบ", "auditor", "PACC")
    return per_office, principals


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(len(samples) * 0.95)) - 1)]


# the blind index's secondary indexes as the migrations leave them (casework_0007, casework_0012)
TERM_INDEXES = {"ix_casework_search_terms_term_case": "casework_search_terms (term, case_id)"}


@contextlib.contextmanager
def index_built_after(db, mode: str):
    """A bulk load's usual way: the blind index is loaded without its secondary indexes (and, on PostgreSQL,
    without its primary key and foreign key, which would check 11 million rows one by one) and they are built
    once at the end; the schema is the migrated one afterwards."""
    with db.transaction() as uow:
        run = uow.session.execute
        if mode == "postgres":
            run(text("ALTER TABLE casework_search_terms DROP CONSTRAINT casework_search_terms_case_id_fkey"))
            run(text("ALTER TABLE casework_search_terms DROP CONSTRAINT casework_search_terms_pkey"))
        for name in TERM_INDEXES:
            run(text(f"DROP INDEX {name}"))
    yield
    with db.transaction() as uow:
        run = uow.session.execute
        if mode == "postgres":
            run(text("SET LOCAL maintenance_work_mem = '512MB'"))
            run(text("ALTER TABLE casework_search_terms ADD PRIMARY KEY (case_id, term)"))
            run(text("ALTER TABLE casework_search_terms ADD CONSTRAINT casework_search_terms_case_id_fkey "
                     "FOREIGN KEY (case_id) REFERENCES casework_cases (id) ON DELETE CASCADE"))
        for name, columns in TERM_INDEXES.items():
            run(text(f"CREATE INDEX {name} ON {columns}"))


def settle(db, mode: str) -> None:
    """Statistics and (PostgreSQL) the visibility map, as autovacuum leaves a table some time after a load."""
    if mode == "postgres":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.transaction() as uow:
            uow.session.execute(text("ANALYZE"))


@contextlib.contextmanager
def database(mode: str, data_dir: str):
    if mode == "sqlite":
        yield {}
        return
    import psycopg2

    name = f"sodsong_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"SODSONG_DB_URL": f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"}
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@contextlib.contextmanager
def seeded(mode: str, size: int):
    """A fresh casework database of `size` cases: (the desk's use cases, the database, principals, texts, seconds
    the seeding took). Dropped afterwards."""
    rng = random.Random(size)
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as scratch, database(mode, scratch) as env:
        # the keys directory is `<data dir>-keys`: both inside the scratch directory, removed with it
        cfg = config_mod.load(env={"SODSONG_DATA_DIR": os.path.join(scratch, "data"), **env})
        registry.migrate("casework", cfg["casework"]["db_url"])
        db = casework_db(cfg)
        texts = Texts(rng, pool=min(1500, max(300, size // 20)))
        users, who = make_users(db)
        started = time.perf_counter()
        with index_built_after(db, mode):
            seed(db, mode, size, rng, texts, users)
        settle(db, mode)
        took = time.perf_counter() - started
        desk = DeskUseCases(db=db, settings=DeskSettings.from_config(cfg["casework"]), account_settings={},
                            passwords=None, config=cfg)
        try:
            yield desk, db, who, texts, took
        finally:
            db.engine.dispose()


def run(mode: str, size: int, runs: int, report=print) -> None:
    with seeded(mode, size) as (desk, db, who, texts, took):
        sup, aud = who["supervisor"], who["auditor"]
        inbox = {"show": "open", "sort": "due"}
        with db.reading() as session:
            some = session.execute(select(Case.reference).where(
                Case.office_code == "PACC-R1").limit(1)).scalar()
        org = texts.organisations[3]
        report(f"  {'seeded in':34} {took:8.1f} s   ({size / took:,.0f} cases/s)")
        checks = [
            ("inbox: office, open, by deadline", lambda: desk.list_cases(sup, dict(inbox))),
            ("inbox: page 20", lambda: desk.list_cases(sup, {**inbox, "page": 20})),
            ("inbox: all, by assignee", lambda: desk.list_cases(sup, {"show": "all", "sort": "assignee"})),
            ("inbox: auditor, agency-wide", lambda: desk.list_cases(aud, dict(inbox))),
            ("search: common word โฉนด", lambda: desk.list_cases(sup, {**inbox, "q": "โฉนด"})),
            ("search: two words ถนน ฮั้ว", lambda: desk.list_cases(sup, {"show": "all", "q": "ฮั้วประมูล ถนน"})),
            ("search: accused organisation", lambda: desk.list_cases(sup, {"show": "all", "q": org})),
            ("search: reference", lambda: desk.list_cases(sup, {"show": "all", "q": some})),
            ("search: nothing matches", lambda: desk.list_cases(sup, {"show": "all", "q": "ไดโนเสาร์"})),
            ("case page (read + audit)", lambda: desk.read_case(sup, some)),
        ]
        first = desk.list_cases(sup, dict(inbox))
        counted = f"{first['total']:,}" + ("" if first["total_exact"] else "+")
        report(f"  {'(open cases of the busiest office)':34} {counted:>8}   load average {os.getloadavg()[0]:.0f}")
        for label, fn in checks:
            p50, p95 = timed(fn, runs)
            report(f"  {label:34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for mode in args.modes.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"\n== {mode}, {size:,} cases ==", flush=True)
            run(mode, size, args.runs, report=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
