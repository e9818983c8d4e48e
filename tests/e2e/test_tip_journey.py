"""A tip travels intake → routing → casework → notify → audit, in both modes, and survives failures."""
import time

from tests.support.processes import wait_for
from tests.support.tips import tip


def _office_notified(dep, reference):
    sent = [n for n in dep.notifications() if n["reference"] == reference and n["recipient"] == "office:PACC-R2"]
    return sent if sent and all(n["status"] == "sent" for n in sent) else None


def test_trat_state_official_reaches_pacc_region_2(first_start_deployment):
    deployment = first_start_deployment  # the services migrate their empty databases as they start
    deployment.start()
    response = deployment.intake.submit(tip())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"reference", "receipt", "status"}
    assert len(body["receipt"]) == 16 and body["receipt"].isdigit()
    reference, receipt = body["reference"], body["receipt"]

    status = deployment.wait_status(receipt, lambda s: s["status"] == "received", timeout=5)
    assert status["reference"] == reference
    assert status["agency"]["code"] == "PACC-R2"
    assert status["agency"]["name_th"] and status["agency"]["name_en"]
    assert [t["status"] for t in status["timeline"]] == ["submitted", "routed", "received"]

    cases = deployment.office_cases("PACC-R2")
    assert [c["reference"] for c in cases] == [reference]
    assert deployment.office_cases("PACC-R1") == []

    wait_for(lambda: _office_notified(deployment, reference), 5, message="office notification sent")

    trail = wait_for(lambda: (lambda t: t if len(t) >= 4 else None)(deployment.audit_trail(reference)), 5,
                     message="audit trail")
    assert {"tip.received", "tip.routed", "case.opened", "notification.sent"} <= {e["event_type"] for e in trail}
    verdict = deployment.cli("audit", "verify")
    assert verdict.stdout.startswith("ok:")


def test_unknown_receipt_is_404_and_same_as_malformed(deployment):
    deployment.start()
    unknown = deployment.intake.status("1234567812345678")
    malformed = deployment.intake.status("not-a-receipt")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json() == malformed.json()
    assert unknown.json()["error"]["message"]["th"]


def test_routing_down_while_50_tips_arrive_then_all_routed(real_deployment):
    dep = real_deployment
    dep.start("intake", "casework", "notify", "audit")
    receipts = []
    for i in range(50):
        r = dep.intake.submit(tip(description=f"เรื่องที่ {i}: เจ้าหน้าที่เรียกรับเงินเพื่อออกใบอนุญาต"))
        assert r.status_code == 201, r.text
        receipts.append(r.json()["receipt"])
    time.sleep(1.0)
    assert dep.intake.status(receipts[0]).json()["status"] == "submitted"  # nobody routed them
    dep.start("routing")

    seen = {}

    def all_received():
        for r in receipts:
            if seen.get(r) != "received":
                answer = dep.intake.status(r)
                seen[r] = answer.json().get("status") if answer.status_code == 200 else f"HTTP {answer.status_code}"
        return all(s == "received" for s in seen.values())

    try:
        wait_for(all_received, 60, interval=0.5, message="all 50 tips routed and opened")
    except AssertionError as exc:
        raise AssertionError(f"statuses: {sorted(seen.values())}\n{dep.logs()}") from exc
    assert len(dep.office_cases("PACC-R2")) == 50


def test_intake_killed_right_after_201_still_routes(real_deployment):
    dep = real_deployment
    dep.start("routing", "casework", "notify", "audit")
    dep.stop("routing")  # hold routing back so the tip cannot slip through before the kill
    dep.start("intake")
    response = dep.intake.submit(tip())
    assert response.status_code == 201
    dep.kill9("intake")
    dep.start("routing")
    dep.start("intake")
    status = dep.wait_status(response.json()["receipt"], lambda s: s["status"] == "received", timeout=20)
    assert status["agency"]["code"] == "PACC-R2"


def test_embedded_process_killed_right_after_201_finishes_after_restart(embedded_deployment):
    dep = embedded_deployment
    dep.start()
    responses = [dep.intake.submit(tip()) for _ in range(5)]
    assert all(r.status_code == 201 for r in responses)
    dep.kill9("all")
    dep.start()
    for r in responses:
        dep.wait_status(r.json()["receipt"], lambda s: s["status"] == "received", timeout=15)
    references = {r.json()["reference"] for r in responses}
    wait_for(lambda: all(_office_notified(dep, ref) for ref in references), 15, message="notifications")
    # replays after the restart are absorbed: one case and one notification per tip
    cases = dep.office_cases("PACC-R2")
    assert sorted(c["reference"] for c in cases) == sorted(references)
    office_sends = [n for n in dep.notifications() if n["reference"] in references]
    assert len(office_sends) == len(references)
    assert dep.cli("audit", "verify").returncode == 0
