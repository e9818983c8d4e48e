"""The desk running in this process (eventlet-patched) on the memory transport + SQLite, or on RabbitMQ +
PostgreSQL (fresh vhost and database), with cases opened from `tip.routed` events and accounts made directly."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import select

from services.casework.usecases import accounts, routing_decisions
from shared.clock import utcnow
from shared.events import new_event
from sodsong import registry
from tests.support.environments import free_port
from tests.support.fakes_casework import tip_routed
from tests.support.inprocess import db, environment, running

PASSWORD = "ทดสอบ-รหัสผ่าน-ยาวพอ"
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost_kib": 8192, "parallelism": 1}
def desk_overrides(**casework) -> dict:
    return {"casework": {"http": f"127.0.0.1:{free_port()}", "argon2": CHEAP_ARGON2, "sweep_seconds": 3600,
                         **casework}}


@contextmanager
def desk_environment(transport, tmp_path, **casework):
    with environment(transport, tmp_path, desk_overrides(**casework)) as config:
        registry.migrate("casework", config["casework"]["db_url"])
        yield config


@pytest.fixture(params=["memory", "rabbitmq"])
def cfg(request, tmp_path):
    with desk_environment(request.param, tmp_path) as config:
        yield config


@pytest.fixture
def memory_cfg(tmp_path):
    with desk_environment("memory", tmp_path) as config:
        yield config


def open_case(cfg, reference, office="PACC-R2", **kw):
    event = tip_routed(reference, office, **kw)
    deadlines = cfg["casework"].get("deadlines", {})
    assert db(cfg, "casework").consume(event, "on_tip_routed",
                                       lambda uow, ev: routing_decisions.open_case(uow, ev, deadlines))
    return event


def open_case_saying(cfg, reference, description, organisation, position=None, office="PACC-R2", **kw):
    """A case whose description and accused are as a tip gave them (the helper's are placeholders), indexed
    again for search."""
    open_case(cfg, reference, office=office, **kw)
    with db(cfg, "casework").transaction() as uow:
        case = uow.repo.case_by_reference(reference)
        facts = json.loads(case.facts_json)
        facts["description"] = description
        facts["accused"] = {"official_type": "state_official", "organization": organisation, "position": position}
        case.facts_json = json.dumps(facts, ensure_ascii=False)
        uow.repo.index_case(case)


def feedback_recorded(cfg, reference, note_id, office="PACC-R2"):
    """What intake announces once it holds an office's note in the tipster's thread."""
    from services.casework.usecases import tipster_messages

    event = new_event("tip.feedback_recorded", {"reference": reference, "note_id": str(note_id),
                                                "office_code": office, "recorded_at": utcnow()},
                      correlation_id=reference, actor={"kind": "system", "id": "intake"})
    assert db(cfg, "casework").consume(event, "on_feedback_recorded", tipster_messages.feedback_recorded)


def add_user(cfg, username, role, office="PACC-R2", **kw):
    passwords = accounts.Passwords(**CHEAP_ARGON2)
    with db(cfg, "casework").transaction() as uow:
        user = accounts.create_user(uow, passwords, username=username, office_code=office, role=role,
                                    password=kw.pop("password", PASSWORD), **kw)
    return user


def outbox(cfg, event_type=None, reference=None) -> list[dict]:
    database = db(cfg, "casework")
    table = database.tables.outbox
    query = select(table.c.body).order_by(table.c.seq)
    if event_type:
        query = query.where(table.c.event_type == event_type)
    if reference:
        query = query.where(table.c.correlation_id == reference)
    with database.reading() as session:
        return [json.loads(row.body) for row in session.execute(query)]


class Desk:
    """A caller of the desk's API (bearer token) or web pages (cookie + CSRF)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.token = None

    def sign_in(self, username, password=PASSWORD, **extra):
        r = self.http.post(f"{self.base}/api/v1/session", json={"username": username, "password": password,
                                                                 **extra}, timeout=30)
        if r.status_code == 201:
            self.token = r.json()["token"]
        return r

    def _headers(self, headers=None):
        out = dict(headers or {})
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def get(self, path, **kw):
        return self.http.get(self.base + path, headers=self._headers(kw.pop("headers", None)), timeout=30, **kw)

    def post(self, path, body=None, **kw):
        return self.http.post(self.base + path, json=body if body is not None else {},
                              headers=self._headers(kw.pop("headers", None)), timeout=30, **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.base + path, headers=self._headers(kw.pop("headers", None)), timeout=30, **kw)

    # -- web pages ------------------------------------------------------------------------------------------
    def web_sign_in(self, username, password=PASSWORD, totp=""):
        page = self.http.get(f"{self.base}/login", timeout=30)
        login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
        return self.http.post(f"{self.base}/login", data={"username": username, "password": password, "totp": totp,
                                                          "login_csrf": login_csrf},
                              allow_redirects=False, timeout=30)

    def csrf(self) -> str:
        page = self.http.get(f"{self.base}/me", timeout=30)  # every signed-in role has this page
        return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    def form(self, path, data, csrf=None):
        return self.http.post(self.base + path, data={**data, "csrf": csrf if csrf is not None else self.csrf()},
                              allow_redirects=False, timeout=30)


@contextmanager
def desk_running(cfg):
    with running(cfg, "casework") as container:
        yield container, f"http://{cfg['casework']['http']}"


def desk_for(base, cfg, username, role=None, office="PACC-R2", **kw) -> Desk:
    if role:
        add_user(cfg, username, role, office, **kw)
    client = Desk(base)
    r = client.sign_in(username)
    assert r.status_code == 201, r.text
    return client
