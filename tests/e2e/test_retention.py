"""Retention as a leased job: with periods of zero days, a closed case is anonymised, the tipster's identity
removed, published outbox and inbox rows deleted; each deletion is in the audit chain (kind and count only), and
the chain still verifies."""
import json

import requests
from sqlalchemy import func, select

from services.casework.models import Case, Note, SearchTerm
from services.intake.models import Tip
from shared import config as config_mod
from shared.db import dispose_all
from sodsong.registry import service_db_for
from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.support.processes import wait_for
from tests.support.tips import tip

ZERO = {"published_outbox_days": 0, "inbox_days": 0, "settled_deliveries_days": 0,
        "tipster_identity_days_after_closure": 0, "closed_case_days": 0, "every_seconds": 0,
        "per_agency": {"NACC": {"closed_case_days": 3650}}}


def test_closed_cases_are_anonymised_and_every_deletion_is_audited(embedded_deployment):
    dep = embedded_deployment
    dep.env["SODSONG__retention"] = json.dumps(ZERO)
    dep.start()
    _add_user(dep, "sup", "supervisor")
    body = tip(reporter={"anonymous": False, "name": "นางสาวผู้แจ้ง", "email": "tipster@example.org",
                         "notify_via": ["email"], "consent_to_contact": True})
    submitted = dep.intake.submit(body)
    reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    wait_for(lambda: _healthy(dep), 30, message="casework")
    auth = {"Authorization": f"Bearer {_sign_in(dep, 'sup').json()['token']}"}
    desk = _desk(dep)
    assert requests.post(f"{desk}/api/v1/cases/{reference}/notes", headers=auth, timeout=30,
                         json={"visibility": "internal", "text": "บันทึกภายใน"}).status_code == 201
    assert requests.post(f"{desk}/api/v1/cases/{reference}/transitions", headers=auth, timeout=30,
                         json={"to": "closed", "reason": "ไม่มีมูล", "resolution": "unsubstantiated",
                               "tipster_reason": "ตรวจสอบแล้วไม่พบการกระทำผิด"}).status_code == 200
    dep.wait_status(receipt, lambda s: s["status"] == "closed", timeout=30)
    wait_for(lambda: "case.status_changed" in {e["event_type"] for e in dep.audit_trail(reference)}, 20,
             message="closing audited")

    done = json.loads(dep.cli("retention", "run").stdout)
    counts = {(d["service"], d["kind"]): d["count"] for d in done}
    assert counts[("casework", "closed_cases_anonymised")] == 1
    assert counts[("intake", "tipster_identities_removed")] == 1
    assert counts[("intake", "published_outbox_rows")] >= 1 and counts[("routing", "inbox_rows")] >= 1

    config = config_mod.load(env=dep.env)
    with service_db_for("casework", config).reading() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        facts = json.loads(case.facts_json)
        assert facts["anonymised"] and facts["description"] == "" and facts["category"] == "bribery"
        assert case.status == "closed" and case.resolution == "unsubstantiated"
        assert session.execute(select(func.count()).select_from(Note)).scalar() == 0
        assert session.execute(select(func.count()).select_from(SearchTerm)).scalar() == 0
    with service_db_for("intake", config).reading() as session:
        assert session.execute(select(Tip.reporter_json).where(Tip.reference == reference)).scalar() is None
    dispose_all()

    # the services' own retention jobs may add entries of their own: wait for the ones this run announced
    anonymised = "retention:casework:closed_cases_anonymised:1"
    trail = wait_for(lambda: (lambda rows: rows if anonymised in {e["correlation_id"] for e in rows}
                              and {"casework.retention_applied", "intake.retention_applied"}
                              <= {e["event_type"] for e in rows} else None)(_all_retention(dep)), 30,
                     message="retention in the audit chain")
    assert anonymised in {e["correlation_id"] for e in trail}
    kinds = {e["event_type"] for e in trail}
    assert {"casework.retention_applied", "intake.retention_applied"} <= kinds
    assert dep.cli("audit", "verify").returncode == 0
    # the office's register keeps the case: still listed, with its state
    listed = requests.get(f"{desk}/api/v1/cases", headers=auth, params={"status": "closed"}, timeout=30).json()
    assert [c["reference"] for c in listed["items"]] == [reference]


def _all_retention(dep):
    from services.audit.models import ChainEntry

    config = config_mod.load(env=dep.env)
    with service_db_for("audit", config).reading() as session:
        rows = session.execute(select(ChainEntry.event_type, ChainEntry.correlation_id)
                               .where(ChainEntry.correlation_id.like("retention:%"))).all()
    dispose_all()
    return [{"event_type": r.event_type, "correlation_id": r.correlation_id} for r in rows]
