"""How long a receipt status lookup takes, alone and under a guessing attack (a figure, not pass/fail).

    .venv/bin/python bench/intake_status_bench.py [lookups]

Files one tip into a throw-away SQLite database, then times `IntakeApp.status()` for the valid receipt (guard,
keyed-hash lookup, projection); then again while 31 client addresses send 10 wrong receipts each (310 misses,
interleaved), and prints the median and p95 of both, the misses' median, and how the attack's answers came out.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.intake import crypto  # noqa: E402
from services.intake.app import IntakeApp  # noqa: E402
from services.intake.models import TABLES  # noqa: E402
from services.intake.receipts import ReceiptHasher  # noqa: E402
from shared import config as config_mod  # noqa: E402
from shared.db import ServiceDatabase, engine_for  # noqa: E402
from sodsong import registry  # noqa: E402

TIP = {"category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงินเพื่อเร่งออกใบอนุญาต",
       "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101"},
       "accused": {"official_type": "state_official"}}


def main(lookups: int = 20) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        cfg = config_mod.load(env={"SODSONG_DATA_DIR": data_dir})
        params = cfg["intake"]["argon2"]  # the production defaults
        registry.migrate("intake", cfg["intake"]["db_url"])
        app = IntakeApp(ServiceDatabase(engine_for(cfg["intake"]["db_url"]), TABLES), ReceiptHasher(**params),
                        crypto.load(cfg), cfg)
        _, body, _ = app.file_tip(TIP)
        receipt = body["receipt"]
        app.status(receipt, "bench")  # warm up
        lookup = []
        for _ in range(lookups):
            started = time.perf_counter()
            app.status(receipt, "bench")
            lookup.append((time.perf_counter() - started) * 1000)
        from shared.web import ApiError

        attacked, misses, answers = [], [], {}
        for i in range(31):
            for j in range(10):
                started = time.perf_counter()
                try:
                    app.status(f"{(i * 10 + j) * 7919:016d}", f"10.0.{i}.1")
                    answers[200] = answers.get(200, 0) + 1
                except ApiError as exc:
                    answers[exc.status] = answers.get(exc.status, 0) + 1
                misses.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            app.status(receipt, "10.9.9.9")
            attacked.append((time.perf_counter() - started) * 1000)
    print(f"attack: 310 wrong receipts from 31 addresses, answers {answers}, "
          f"miss median {statistics.median(misses):.1f} ms")
    for name, samples in (("valid receipt status lookup", lookup),
                          ("valid receipt during the attack", attacked)):
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"{name}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, "
              f"min {samples[0]:.1f} ms, n={len(samples)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
