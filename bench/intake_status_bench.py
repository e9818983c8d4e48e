"""How long one receipt status lookup takes with the production argon2id parameters (a figure, not pass/fail).

    .venv/bin/python bench/intake_status_bench.py [lookups]

Files one tip into a throw-away SQLite database, then times `IntakeApp.status()` (guard check, locator lookup,
argon2id verification, projection) and the bare argon2id verification, and prints both.
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
from shared import migrations  # noqa: E402
from shared.db import ServiceDatabase, engine_for  # noqa: E402

TIP = {"category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงินเพื่อเร่งออกใบอนุญาต",
       "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101"},
       "accused": {"official_type": "state_official"}}


def main(lookups: int = 20) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        cfg = config_mod.load(env={"SODSONG_DATA_DIR": data_dir})
        params = cfg["intake"]["argon2"]  # the production defaults
        migrations.upgrade("intake", cfg["intake"]["db_url"])
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
        stored = app.hasher._hasher.hash(receipt)
        verify = []
        for _ in range(lookups):
            started = time.perf_counter()
            app.hasher._hasher.verify(stored, receipt)
            verify.append((time.perf_counter() - started) * 1000)
    print(f"argon2id parameters: time_cost={params['time_cost']}, memory_cost={params['memory_cost_kib']} KiB, "
          f"parallelism={params['parallelism']}")
    for name, samples in (("status lookup (GET /api/v1/tips/status work)", lookup), ("argon2id verify alone", verify)):
        samples.sort()
        print(f"{name}: median {statistics.median(samples):.1f} ms, p95 {samples[int(len(samples) * 0.95) - 1]:.1f} ms, "
              f"min {samples[0]:.1f} ms, n={len(samples)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
