"""Planning a triage decision or a transfer from a tip's decision history (no database, no broker)."""
from datetime import datetime, timezone

import pytest

from services.routing.domain.rules import load_engine
from services.routing.domain.transfers import (
    REFUSAL_CODES,
    Move,
    Refusal,
    Stop,
    offices_left,
    plan_transfer,
    plan_triage_decision,
    transfers_made,
)

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)
TRAT_STATE_OFFICIAL = {"category": "bribery", "description": "เรียกรับเงิน", "event_date": None,
                       "location": {"province_code": "23"}, "accused": {"official_type": "state_official"}}
TRAT_LOCAL_EXECUTIVE = {**TRAT_STATE_OFFICIAL, "accused": {"official_type": "local_executive"}}


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def at(*stops):
    """History from (agency, triage, kind) tuples."""
    return [Stop(hop, kind, agency, triage) for hop, (agency, triage, kind) in enumerate(stops)]


def transfer(engine, history, suggested, *, from_office=None, tip=TRAT_STATE_OFFICIAL, **kw):
    return plan_transfer(engine, history, tip, NOW, from_office=from_office or history[-1].agency,
                         suggested=suggested, reason="ไม่ใช่อำนาจของเรา", **kw)


def test_a_suggested_office_in_the_directory_is_accepted(engine):
    move = transfer(engine, at(("PACC-R2", False, "automatic")), "NACC-23")
    assert isinstance(move, Move)
    assert (move.agency, move.triage, move.kind, move.rule, move.override_used) == \
        ("NACC-23", False, "transfer", "transfer", False)
    assert "ไม่ใช่อำนาจของเรา" in move.reasons["th"] and "ไม่ใช่อำนาจของเรา" in move.reasons["en"]
    assert "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด" in move.reasons["th"]
    assert "NACC Trat Provincial Office" in move.reasons["en"]


@pytest.mark.parametrize("suggested, code", [("NOWHERE", "unknown_office"), ("PACC-R2", "same_office")])
def test_unknown_or_same_office_is_refused(engine, suggested, code):
    refusal = transfer(engine, at(("PACC-R2", False, "automatic")), suggested)
    assert isinstance(refusal, Refusal) and refusal.code == code
    assert refusal.reasons["th"] and refusal.reasons["en"]


def test_a_request_from_an_office_the_tip_has_left_is_stale(engine):
    history = at(("PACC-R2", False, "automatic"), ("NACC-23", False, "transfer"))
    refusal = transfer(engine, history, "DSI", from_office="PACC-R2")
    assert refusal.code == "not_current_office"
    assert "NACC Trat Provincial Office" in refusal.reasons["en"]


def test_no_history_is_an_unknown_tip(engine):
    assert plan_transfer(engine, [], {}, NOW, from_office="PACC-R2", suggested="DSI", reason="x").code == \
        "unknown_tip"
    assert plan_triage_decision(engine, [], office_code="PACC-R2", decided="DSI", reason="x").code == \
        "unknown_tip"


def test_returning_to_an_office_it_left_needs_a_supervisor(engine):
    history = at(("PACC-R2", False, "automatic"), ("NACC-23", False, "transfer"))
    assert offices_left(history) == {"PACC-R2"}
    assert transfer(engine, history, "PACC-R2").code == "loop"
    move = transfer(engine, history, "PACC-R2", supervisor_override=True)
    assert move.agency == "PACC-R2" and move.override_used
    assert "supervisor" in move.reasons["en"]
    # an override that is not needed is not recorded as used
    assert not transfer(engine, history, "DSI", supervisor_override=True).override_used


def test_a_triage_stop_is_not_an_office_the_tip_left(engine):
    history = at(("PACC-R2", True, "automatic"), ("NACC-23", False, "manual"))
    assert offices_left(history) == set()
    assert transfer(engine, history, "PACC-R2").agency == "PACC-R2"


def test_at_most_five_transfers_and_triage_decisions_do_not_count(engine):
    chain = [("PACC-R2", True, "automatic"), ("NACC-23", False, "manual")] + \
        [(code, False, "transfer") for code in ("DAMRONGTHAM-23", "OMBUDSMAN", "DSI", "POLICE")]
    assert transfers_made(at(*chain)) == 4
    assert transfer(engine, at(*chain), "OAG").agency == "OAG"
    five = at(*chain, ("OAG", False, "transfer"))
    refusal = transfer(engine, five, "PACC-R1", supervisor_override=True)
    assert refusal.code == "hop_limit" and "5" in refusal.reasons["en"]
    assert transfer(engine, five, "PACC-R1", max_transfers=6).agency == "PACC-R1"


def test_without_a_suggestion_the_rules_decide_again(engine):
    # a local executive is the NACC's; an office that got it anyway hands it on without naming anyone
    move = transfer(engine, at(("DAMRONGTHAM-23", False, "automatic")), None, tip=TRAT_LOCAL_EXECUTIVE)
    assert (move.agency, move.triage, move.rule) == ("NACC-23", False, "r5-local-politician")
    assert move.statute and "ป.ป.ช." in move.reasons["th"]


def test_without_a_suggestion_and_no_other_office_by_the_rules_it_goes_to_triage(engine):
    move = transfer(engine, at(("PACC-R2", False, "automatic")), None)
    assert (move.agency, move.triage, move.rule) == ("PACC-R2", True, "transfer-triage")
    assert "triage officer" in move.reasons["en"]
    # already in triage at the coordinator: nowhere else to go without a suggestion
    refusal = transfer(engine, at(("PACC-R2", True, "automatic")), None)
    assert refusal.code == "no_alternative"


def test_a_referral_is_worded_as_one(engine):
    move = transfer(engine, at(("PACC-R2", False, "automatic")), "POLICE", mode="refer")
    assert "referred" in move.reasons["en"] and "ส่งต่อ" in move.reasons["th"]


def test_a_triage_decision_moves_a_tip_waiting_in_triage(engine):
    move = plan_triage_decision(engine, at(("PACC-R2", True, "automatic")), office_code="PACC-R2",
                                decided="NACC-23", reason="นายก อบต.")
    assert (move.agency, move.triage, move.kind, move.rule, move.statute) == \
        ("NACC-23", False, "manual", "manual", None)
    assert "นายก อบต." in move.reasons["th"] and "นายก อบต." in move.reasons["en"]
    # the coordinator's own office may be the competent one
    assert plan_triage_decision(engine, at(("PACC-R2", True, "automatic")), office_code="PACC-R2",
                                decided="PACC-R2", reason="x").agency == "PACC-R2"


@pytest.mark.parametrize("history, office, decided, code", [
    (at(("PACC-R2", False, "automatic")), "PACC-R2", "NACC-23", "not_in_triage"),
    (at(("PACC-R2", True, "automatic")), "PACC-R1", "NACC-23", "not_in_triage"),
    (at(("PACC-R2", True, "automatic")), "PACC-R2", "NOWHERE", "unknown_office"),
    (at(("NACC-23", False, "automatic"), ("PACC-R2", True, "transfer")), "PACC-R2", "NACC-23", "loop"),
])
def test_triage_decisions_that_are_refused(engine, history, office, decided, code):
    refusal = plan_triage_decision(engine, history, office_code=office, decided=decided, reason="x")
    assert isinstance(refusal, Refusal) and refusal.code == code
    assert refusal.code in REFUSAL_CODES and refusal.reasons["th"] and refusal.reasons["en"]


def test_every_refusal_code_is_allowed_by_the_event_schema():
    from shared.events import TipTransferRefused

    allowed = TipTransferRefused().fields["reason_code"].validate.choices
    assert set(REFUSAL_CODES) == set(allowed)


TRAT_PACC_OFFICER = {**TRAT_STATE_OFFICIAL,
                     "accused": {"official_type": "state_official", "position": "นิติกร",
                                 "organization": "สำนักงาน ป.ป.ท. เขต 2"}}


@pytest.mark.parametrize("suggested", ["PACC-R2", "PACC", "PACC-R1"])
def test_a_transfer_to_the_accuseds_agency_is_refused_even_with_a_supervisor(engine, suggested):
    refusal = transfer(engine, at(("NACC-23", False, "automatic")), suggested, tip=TRAT_PACC_OFFICER,
                       supervisor_override=True)
    assert isinstance(refusal, Refusal) and refusal.code == "conflicted"
    assert "conflicted" in REFUSAL_CODES
    assert refusal.reasons["th"] and "the accused works there" in refusal.reasons["en"]


def test_a_triage_decision_for_the_accuseds_office_is_refused(engine):
    history = at(("NACC-23", True, "automatic"))
    refusal = plan_triage_decision(engine, history, office_code="NACC-23", decided="PACC-R2", reason="เขตพื้นที่",
                                   supervisor_override=True, tip=TRAT_PACC_OFFICER)
    assert isinstance(refusal, Refusal) and refusal.code == "conflicted"
    allowed = plan_triage_decision(engine, history, office_code="NACC-23", decided="NACC", reason="ส่วนกลาง",
                                   tip=TRAT_PACC_OFFICER)
    assert isinstance(allowed, Move) and allowed.agency == "NACC"


def test_a_transfer_without_suggestion_never_lands_on_the_accuseds_office(engine):
    # NACC-23 says it is not competent: the rules can only name NACC-23 again, so the tip goes to triage —
    # at a desk the PACC officer does not work at
    move = transfer(engine, at(("NACC-23", False, "automatic")), None, tip=TRAT_PACC_OFFICER)
    assert isinstance(move, Move) and move.triage
    assert engine.directory.office(move.agency).agency != "PACC"
