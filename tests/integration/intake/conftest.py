"""intake's application (plain Python, no nameko) against a fresh migrated database: SQLite, or PostgreSQL."""
from __future__ import annotations

import pytest

from services.intake import crypto
from services.intake.database_busy import BusyAwareDatabase
from services.intake.models import TABLES
from services.intake.receipts import ReceiptHasher
from services.intake.repository import IntakeRepository
from services.intake.usecases.application import IntakeApp
from shared import config as config_mod
from shared.db import ServiceDatabase, engine_for
from sodsong import registry
from tests.support.environments import pg_database, seed_sqlite

FAST_ARGON2 = {"time_cost": 1, "memory_cost_kib": 8192, "parallelism": 1}


def make_config(tmp_path, db_url=None, **intake):
    env = {"SODSONG_DATA_DIR": str(tmp_path)}
    if db_url:
        env["SODSONG_DB_URL"] = db_url
    else:
        seed_sqlite(tmp_path, ["intake"])  # a copy of a migrated file: make_app's migrate finds nothing to do
    cfg = config_mod.load(env=env)
    cfg["intake"]["argon2"] = dict(FAST_ARGON2)
    cfg["intake"].update(intake)
    return cfg


def make_app(cfg) -> IntakeApp:
    url = cfg["intake"]["db_url"]
    registry.migrate("intake", url)
    db = ServiceDatabase(engine_for(url), TABLES, repository=IntakeRepository)
    return IntakeApp(BusyAwareDatabase(db), ReceiptHasher(**cfg["intake"]["argon2"]), crypto.load(cfg), cfg)


@pytest.fixture(params=["sqlite", "postgres"])
def app(request, tmp_path):
    if request.param == "postgres":
        with pg_database() as url:
            cfg = make_config(tmp_path, url)
            yield make_app(cfg)
            from shared.db import dispose_all
            dispose_all()
    else:
        yield make_app(make_config(tmp_path))


@pytest.fixture
def sqlite_app(tmp_path):
    return make_app(make_config(tmp_path))
