"""Routing's database straight (SQLite, and PostgreSQL) and its rules engine, for the routing tests."""
from __future__ import annotations

import pytest

from services.routing.domain.rules import load_engine
from sodsong import registry
from tests.support.inprocess import db, environment


@pytest.fixture(params=["memory", "rabbitmq"])
def routing_db(request, tmp_path):
    with environment(request.param, tmp_path) as cfg:
        registry.migrate("routing", cfg["routing"]["db_url"])
        yield db(cfg, "routing")


@pytest.fixture(scope="module")
def engine():
    return load_engine()
