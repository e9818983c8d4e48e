"""Latency of one routing decision (words for the accused seen before, and never seen before), and of one
duplicate check against 100,000 earlier tips.

    .venv/bin/python bench/routing_bench.py [--tips 100000] [--queries 2000]

The synthetic tips are Thai sentences built from tip vocabulary, spread over all provinces and three years.
One busy block is added on purpose (10% of all tips name the same position in one province), so the
figures include the worst case the scan cap exists for.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.routing.domain.duplicates import DuplicateIndex  # noqa: E402
from services.routing.domain.rules import load_engine  # noqa: E402
from shared import geography  # noqa: E402
from shared.vocabulary import OFFICIAL_TYPES as VOCABULARY_TYPES  # noqa: E402

WORDS = (
    "เรียกรับเงิน ผู้รับเหมา โครงการ ก่อสร้าง ถนน คอนกรีต ขุดลอก คลอง ฝาย ประปา หมู่บ้าน งบประมาณ "
    "จัดซื้อ จัดจ้าง ราคากลาง ฮั้ว ประมูล ล็อกสเปก ตรวจรับ งานไม่ตรงแบบ เบิกจ่าย ใบเสร็จ ปลอม ยักยอก "
    "เบียดบัง เงินหลวง รถยนต์ราชการ ที่ดิน โฉนด บุกรุก ป่า ที่สาธารณะ ญาติ บริษัท คู่สัญญา ส่วย ใต้โต๊ะ "
    "ค่าน้ำร้อนน้ำชา ละเว้น กลั่นแกล้ง อนุมัติ ใบอนุญาต ก่อสร้างอาคาร ทิ้งงาน ล่าช้า ชาวบ้าน ร้องเรียน "
    "หลักฐาน ภาพถ่าย เอกสาร สัญญา เทศบาล โรงเรียน อาหารกลางวัน นม ไฟฟ้า ถนนลูกรัง สะพาน บ่อบาดาล"
).split()
POSITIONS = ["นายก อบต.", "ปลัด อบต.", "นายกเทศมนตรี", "ผู้ใหญ่บ้าน", "กำนัน", "เจ้าหน้าที่พัสดุ",
             "ผู้อำนวยการโรงเรียน", "เจ้าพนักงานที่ดิน", "นายช่างโยธา", "สมาชิกสภา อบต."]
PLACES = ["บ้านนา", "คลองใหญ่", "เกาะช้าง", "หนองบัว", "ท่าใหม่", "บ่อไร่", "วังกระแจะ", "แหลมงอบ", "เขาสมิง",
          "ห้วยแร้ง", "ท่ากุ่ม", "ชำราก", "ตะกาง", "หนองเสม็ด", "ไม้รูด"]
FIRST = ["สมชาย", "สมศักดิ์", "วิชัย", "ประยุทธ", "สุนทร", "มานพ", "บุญมี", "สมพร", "ชัยวัฒน์", "ธนากร"]
LAST = ["ใจดี", "มีสุข", "ทองคำ", "ศรีสวัสดิ์", "บุญมา", "แก้วประเสริฐ", "พรหมมา", "สุขเจริญ"]
CATEGORIES = ["bribery", "procurement", "embezzlement", "abuse_of_power", "budget_misuse", "land_encroachment",
              "conflict_of_interest", "unusual_wealth", "maladministration", "other"]
OFFICIAL_TYPES = list(VOCABULARY_TYPES)
# Where accused people work, as tipsters write it: listed bodies (with spacing and typos) and unlisted ones.
ORGANISATIONS = ["สำนักงาน ป.ป.ท. เขต {n}", "ปปท.เขต {n}", "ศาลจังหวัด{p}", "สำนักงานอัยการจังหวัด{p}",
                 "สำนักงาน ป.ป.ช. ประจำจังหวัด{p}", "สภ.{p}", "ศูนย์ดำรงธรรมจังหวัด{p}", "อบต.{p}{n}",
                 "สำนักงานที่ดินจังหวัด{p} สาขา{n}", "โรงเรียนบ้าน{p}{n}", "สำนักงานเลขาธิการวุฒิสภา",
                 "Office of the Auditor General region {n}"]
START = datetime(2023, 11, 1, tzinfo=timezone.utc)
DAYS = 3 * 365


def general_words() -> list[str]:
    """A fixed sample of the Thai dictionary, so texts are not all made of the same few tip words."""
    from pythainlp.corpus import thai_words

    return random.Random(7).sample(sorted(thai_words()), 3000)


def synthetic_tip(rng: random.Random, provinces, general: list[str], hot: bool = False) -> dict:
    province = "23" if hot else rng.choice(provinces)
    place = rng.choice(PLACES)
    position = "นายก อบต." if hot else rng.choice(POSITIONS)
    text = rng.choices(WORDS, k=rng.randint(8, 20)) + rng.choices(general or WORDS, k=rng.randint(4, 12))
    rng.shuffle(text)
    return {
        "category": rng.choice(CATEGORIES),
        "description": f"{position}{place} " + "".join(text) + f" {rng.randint(1, 99) * 1000:,} บาท",
        "event_date": (START + timedelta(days=rng.randint(-4000, DAYS))).date().isoformat(),
        "location": {"province_code": province, "district_code": f"{province}{rng.randint(1, 12):02d}",
                     "subdistrict_code": None},
        "accused": {"official_type": rng.choice(OFFICIAL_TYPES),
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}{rng.randint(1, 40)}",
                    "position": position, "organization": f"อบต.{place}{rng.randint(1, 5)}"},
    }


def percentiles(samples_ns: list[int]) -> str:
    ordered = sorted(samples_ns)
    median = statistics.median(ordered) / 1e6
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6
    return f"median {median:.4f} ms, p99 {p99:.4f} ms (n={len(ordered)})"


def bench_routing(rng, provinces, n: int) -> str:
    engine = load_engine()
    tips = [synthetic_tip(rng, provinces, []) for _ in range(1000)]
    submitted = datetime(2026, 11, 15, tzinfo=timezone.utc)
    samples = []
    for i in range(n):
        tip = tips[i % len(tips)]
        start = time.perf_counter_ns()
        engine.decide(tip, submitted)
        samples.append(time.perf_counter_ns() - start)
    return percentiles(samples)


def bench_routing_new_words(rng, provinces, n: int) -> str:
    """Every tip names the accused's organisation in words the engine has not seen (no cache help)."""
    engine = load_engine()
    submitted = datetime(2026, 11, 15, tzinfo=timezone.utc)
    samples = []
    for i in range(n):
        tip = synthetic_tip(rng, provinces, [])
        tip["accused"]["organization"] = rng.choice(ORGANISATIONS).format(n=i, p=rng.choice(PLACES))
        tip["accused"]["position"] = f"{rng.choice(POSITIONS)} {i}"
        start = time.perf_counter_ns()
        engine.decide(tip, submitted)
        samples.append(time.perf_counter_ns() - start)
    return percentiles(samples)


def bench_duplicates(rng, provinces, n_tips: int) -> tuple[DuplicateIndex, float]:
    index = DuplicateIndex()
    general = general_words()
    built = time.perf_counter()
    for i in range(n_tips):
        when = START + timedelta(days=DAYS * i / n_tips)
        index.add(f"t{i}", synthetic_tip(rng, provinces, general, hot=rng.random() < 0.1), when)
    build_seconds = time.perf_counter() - built
    return index, build_seconds


def bench_checks(index, rng, provinces, n_queries: int, hot: bool) -> str:
    general = general_words()
    at = START + timedelta(days=DAYS + 1)
    samples = []
    for _ in range(n_queries):
        tip = synthetic_tip(rng, provinces, general, hot=hot)
        start = time.perf_counter_ns()
        index.candidates(tip, at)
        samples.append(time.perf_counter_ns() - start)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2568)
    provinces = geography.province_codes()
    print(f"routing decision: {bench_routing(rng, provinces, args.decisions)}")
    print(f"routing decision, accused's words never seen before: "
          f"{bench_routing_new_words(rng, provinces, min(args.decisions, 20_000))}")
    index, build_seconds = bench_duplicates(rng, provinces, args.tips)
    print(f"duplicate index: {args.tips} earlier tips indexed in {build_seconds:.1f} s")
    print(f"duplicate check, typical tip: {bench_checks(index, rng, provinces, args.queries, hot=False)}")
    print(f"duplicate check, busiest block: {bench_checks(index, rng, provinces, args.queries, hot=True)}")
    # Latency on a shared machine depends on what else runs; p99 especially.
    print(f"load average while running: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
