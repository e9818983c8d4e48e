"""CPU and SQL statements per tip of intake's filing use case (validation, sealing, receipt hash, the tip row, its
timeline line and its outbox event in one transaction), in this process, on a fresh PostgreSQL database.

    .venv/bin/python bench/intake_filing.py [--tips 300]

No HTTP and no broker: the figures are the CPU seconds (time.process_time) `IntakeApp.file_tip` spends per tip and
the statements it sends, which a busy machine changes little. To compare with another revision, run this file
with that revision's tree first on PYTHONPATH (docs/performance.md shows how).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()
from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH: another revision's tree wins


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tips", type=int, default=300)
    args = parser.parse_args()

    import logging

    from sqlalchemy import event
    from throughput import tip_maker  # this file's folder is first on sys.path

    import sodsong.settings  # noqa: F401  (every service's settings)
    from services.intake import crypto
    from services.intake.models import TABLES
    from services.intake.receipts import ReceiptHasher
    from services.intake.repository import IntakeRepository
    from services.intake.usecases.application import IntakeApp
    from shared import config as config_mod
    from shared import sealing
    from shared.db import ServiceDatabase, dispose_all, engine_for
    from sodsong import registry
    from tests.support.environments import pg_database

    logging.disable(logging.WARNING)  # the key-file notice; tip.accepted (info) is still formatted, as in service
    make = tip_maker(11)
    with pg_database() as url, tempfile.TemporaryDirectory() as tmp:
        cfg = config_mod.load(env={"SODSONG_DATA_DIR": tmp, "SODSONG_DB_URL": url})
        url = cfg["intake"]["db_url"]
        registry.migrate("intake", url)
        sealing.install(cfg, "intake")
        db = ServiceDatabase(engine_for(url), TABLES, repository=IntakeRepository)
        app = IntakeApp(db, ReceiptHasher(**cfg["intake"]["argon2"]), crypto.load(cfg), cfg)
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for i in range(5):  # warm up: first-use costs (connections, compiled statements)
            app.file_tip(make(i), client=f"10.9.0.{i}")
        statements.clear()
        t0 = time.process_time()
        for i in range(args.tips):
            app.file_tip(make(i), client=f"10.{i // 60000}.{i // 250 % 240}.{i % 250}")
        cpu = time.process_time() - t0
        dispose_all()
    print(f"intake file_tip: {cpu * 1000 / args.tips:.2f} CPU ms per tip, "
          f"{len(statements) / args.tips:.1f} statements per tip (BEGIN and COMMIT not counted), {args.tips} tips")


if __name__ == "__main__":
    main()
