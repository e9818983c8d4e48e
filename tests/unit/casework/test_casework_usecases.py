"""Casework's main use cases on a fake unit of work: no database, no broker, no nameko container."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.casework.domain.errors import Forbidden, NotFound, TransitionError
from services.casework.domain.policy import Principal
from services.casework.repository import CaseworkRepository
from services.casework.usecases import case_actions, case_reading, routing_decisions
from services.casework.usecases.case_reading import DeskSettings
from shared.clock import utcnow
from shared.events import new_event
from tests.support.fakes import FakeDatabase
from tests.support.fakes_casework import FakeCaseworkRepository, tip_routed

SETTINGS = DeskSettings(deadlines={}, state_labels={})
CASEWORKER = Principal("u-cw", "somchai", "Somchai", "caseworker", "PACC-R2")
SUPERVISOR = Principal("u-sup", "supat", "Supat", "supervisor", "PACC-R2")
OTHER_OFFICE = Principal("u-other", "nid", "Nid", "caseworker", "NACC-23")


@pytest.fixture
def db():
    return FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")


def _open(db, reference="SS-UNIT-0001", office="PACC-R2", **kw):
    event = tip_routed(reference, office, **kw)
    assert db.consume(event, lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    return event


def _move(db, principal, to, reference="SS-UNIT-0001", **kw):
    with db.transaction() as uow:
        return case_actions.transition(uow, principal, reference, to=to, reason=kw.pop("reason", "เหตุผล"),
                                       now=utcnow(), settings=SETTINGS, **kw)


def _refused(reference: str, from_office: str = "PACC-R2"):
    return new_event("tip.transfer_refused", {
        "reference": reference, "case_id": "c", "from_office": from_office, "suggested_agency": None,
        "reason_code": "hop_limit", "reasons": {"th": "โอนครบจำนวนครั้งแล้ว", "en": "Too many transfers"},
        "request": "transfer", "refused_at": utcnow()}, correlation_id=reference)


def test_a_routed_tip_opens_its_case_and_announces_version_1(db):
    event = _open(db)
    [opened] = db.uow.emitted("case.opened")
    assert opened.payload["case_version"] == 1 and opened.payload["status"] == "received"
    assert opened.payload["office"]["code"] == "PACC-R2" and opened.payload["triage"] is False
    assert opened.payload["feedback_due"] - opened.payload["acknowledge_due"] > timedelta(days=60)
    [case] = db.uow.repo.cases
    assert [r.kind for r in db.uow.repo.timeline(case)] == ["opened"]
    # the same event again (a redelivery) opens nothing twice
    assert not db.consume(event, lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    assert len(db.uow.repo.cases) == 1 and len(db.uow.emitted("case.opened")) == 1


def test_acknowledging_moves_the_case_and_tells_everyone(db):
    _open(db)
    done = _move(db, CASEWORKER, "acknowledged")
    assert done["status"] == "acknowledged"
    [changed] = db.uow.emitted("case.status_changed")
    assert (changed.payload["from_status"], changed.payload["to_status"], changed.payload["case_version"]) == \
        ("received", "acknowledged", 2)
    case = db.uow.repo.case_by_reference("SS-UNIT-0001")
    assert case.acknowledged_at is not None
    assert [r.kind for r in db.uow.repo.timeline(case)] == ["opened", "transition"]


def test_closing_needs_a_reason_for_the_tipster(db):
    _open(db)
    with pytest.raises(TransitionError) as err:
        _move(db, SUPERVISOR, "closed", resolution="unsubstantiated")
    assert err.value.key == "case.tipster_reason_required"
    assert db.uow.emitted("case.status_changed") == []  # nothing of the refused change is announced

    done = _move(db, SUPERVISOR, "closed", resolution="unsubstantiated", tipster_reason="ตรวจสอบแล้วไม่พบมูล")
    assert done == {"reference": "SS-UNIT-0001", "status": "closed", "resolution": "unsubstantiated"}
    [closed] = db.uow.emitted("case.status_changed")
    assert closed.payload["to_status"] == "closed"
    assert closed.payload["closure"]["reason_th"] == "ตรวจสอบแล้วไม่พบมูล"


def test_a_caseworker_only_proposes_a_closure(db):
    _open(db)
    done = _move(db, CASEWORKER, "closed", resolution="duplicate", tipster_reason="ซ้ำกับเรื่องเดิม")
    assert done["status"] == "received" and done["pending_closure"]["resolution"] == "duplicate"
    assert db.uow.emitted("case.status_changed") == []
    with db.transaction() as uow:
        case_actions.reject_closure(uow, SUPERVISOR, "SS-UNIT-0001", reason="ยังไม่ครบ", now=utcnow())
    [rejected] = db.uow.emitted("case.closure_rejected")
    assert rejected.payload["proposed_resolution"] == "duplicate"


def test_a_caseworker_of_another_office_is_refused(db):
    _open(db)
    with pytest.raises(NotFound):  # not even told that the case exists
        _move(db, OTHER_OFFICE, "acknowledged")
    with pytest.raises(NotFound), db.transaction() as uow:
        case_reading.read_case(uow, OTHER_OFFICE, "SS-UNIT-0001", utcnow(), SETTINGS)
    auditor = Principal("u-aud", "aud", "Aud", "auditor", "PACC")
    with pytest.raises(Forbidden):  # sees it (its agency), may not move it
        _move(db, auditor, "acknowledged")
    assert db.uow.emitted("case.status_changed") == []


def test_routing_alone_counts_transfers(db):
    _open(db)
    with db.transaction() as uow:
        done = case_actions.handover(uow, CASEWORKER, "SS-UNIT-0001", mode="transfer", reason="ไม่ใช่อำนาจ",
                                     suggested_office=None, now=utcnow())
    assert done["transfer"]["hop"] == 1
    case = db.uow.repo.case_by_reference("SS-UNIT-0001")
    assert case.status == "transferred" and case.transfer_count == 0  # asked, not made

    # routing refuses: the case is back where it was, and nothing is taken off any count
    assert db.consume(_refused("SS-UNIT-0001"), routing_decisions.transfer_refused)
    assert case.status == "received" and case.transfer_count == 0 and case.acknowledged_at is None
    assert db.uow.repo.handovers[-1].outcome == "refused"

    # routing moves it: that transfer counts
    with db.transaction() as uow:
        case_actions.handover(uow, CASEWORKER, "SS-UNIT-0001", mode="transfer", reason="ไม่ใช่อำนาจ",
                              suggested_office="NACC-23", now=utcnow())
    assert db.consume(tip_routed("SS-UNIT-0001", "NACC-23", kind="transfer"),
                      lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    assert (case.office_code, case.status, case.transfer_count) == ("NACC-23", "received", 1)
    assert [o.payload["case_version"] for o in db.uow.emitted("case.opened")] == [1, case.version]


def test_a_triage_decision_is_not_a_transfer(db):
    _open(db, office="DAMRONGTHAM-23", triage=True)
    triage = Principal("u-tri", "tri", "Tri", "triage_officer", "DAMRONGTHAM-23")
    with db.transaction() as uow:
        case_actions.decide_triage(uow, triage, "SS-UNIT-0001", office="NACC-23", reason="อำนาจ ป.ป.ช.",
                                   now=utcnow())
    assert db.consume(tip_routed("SS-UNIT-0001", "NACC-23", kind="manual"),
                      lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    case = db.uow.repo.case_by_reference("SS-UNIT-0001")
    assert (case.office_code, case.transfer_count, db.uow.repo.handovers[-1].outcome) == ("NACC-23", 0, "accepted")


def test_notes_and_questions(db):
    _open(db)
    with db.transaction() as uow:
        case_actions.add_note(uow, CASEWORKER, "SS-UNIT-0001", visibility="internal", text="บันทึกภายใน",
                              now=utcnow())
        case_actions.ask_question(uow, CASEWORKER, "SS-UNIT-0001", text="เกิดเหตุวันไหน", now=utcnow())
    [note] = db.uow.emitted("case.note_added")
    assert note.payload["text"] is None  # an internal note's words stay in casework
    [question] = db.uow.emitted("case.question_asked")
    assert question.payload["text"] == "เกิดเหตุวันไหน"
    with pytest.raises(TransitionError) as err, db.transaction() as uow:
        case_actions.add_note(uow, CASEWORKER, "SS-UNIT-0001", visibility="public", text="x", now=utcnow())
    assert err.value.key == "case.visibility_invalid"


def test_the_fake_answers_only_what_the_repository_answers():
    own = {name for name in vars(FakeCaseworkRepository) if not name.startswith("_")}
    assert own <= {name for name in vars(CaseworkRepository) if not name.startswith("_")}
