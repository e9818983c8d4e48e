"""A tip the rules cannot place goes to triage at its province's coordinating office (embedded mode)."""
from tests.support.processes import wait_for
from tests.support.tips import tip


def test_a_tip_of_category_other_lands_in_triage_at_the_coordinator(embedded_deployment):
    dep = embedded_deployment
    dep.start()
    response = dep.intake.submit(tip(category="other", description="มีการเรียกเก็บเงินค่าธรรมเนียมที่ไม่มีระเบียบรองรับ"))
    assert response.status_code == 201, response.text
    reference, receipt = response.json()["reference"], response.json()["receipt"]

    status = dep.wait_status(receipt, lambda s: "triage" in [t["status"] for t in s["timeline"]], timeout=10)
    assert status["reference"] == reference
    assert status["agency"]["code"] == "PACC-R2"  # Trat's coordinator: PACC Region 2
    assert status["agency"]["name_th"] and status["agency"]["name_en"]
    triage = next(t for t in status["timeline"] if t["status"] == "triage")
    assert triage["label"]["th"] and triage["label"]["en"]
    assert [t["status"] for t in status["timeline"]][:2] == ["submitted", "triage"]
    assert "routed" not in [t["status"] for t in status["timeline"]]

    # the coordinator's triage desk has the case
    cases = wait_for(lambda: dep.office_cases("PACC-R2"), 10, message="triage case opened")
    assert [(c["reference"], c["triage"]) for c in cases] == [(reference, True)]
    # and the tipster is told that staff are deciding, not that the competent office has the report
    settled = dep.wait_status(receipt, lambda s: s["status"] == "triage", timeout=10)
    assert [t["status"] for t in settled["timeline"]] == ["submitted", "triage"]  # said once, not twice

    trail = wait_for(lambda: (lambda t: t if {"tip.routed", "case.opened"} <= {e["event_type"] for e in t} else None)(
        dep.audit_trail(reference)), 10, message="audit trail")
    assert "tip.duplicates_found" not in {e["event_type"] for e in trail}
