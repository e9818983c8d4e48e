"""A caseworker asks, the tipster answers with only the receipt, and the answer appears on the case."""
import requests

from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.support.processes import wait_for
from tests.support.tips import tip


def test_question_answer_and_added_information_reach_the_case(embedded_deployment):
    dep = embedded_deployment
    dep.start()
    _add_user(dep, "somsri", "caseworker")
    submitted = dep.intake.submit(tip())
    reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=15)
    wait_for(lambda: _healthy(dep), 30, message="casework answering")
    auth = {"Authorization": f"Bearer {_sign_in(dep, 'somsri').json()['token']}"}

    asked = requests.post(f"{_desk(dep)}/api/v1/cases/{reference}/questions", headers=auth, timeout=30,
                          json={"text": "ท่านทราบวันที่เกิดเหตุหรือไม่"})
    assert asked.status_code in (200, 201), asked.text

    status = dep.wait_status(receipt, lambda s: s.get("questions"), timeout=15)
    [question] = status["questions"]
    assert question["text"] == "ท่านทราบวันที่เกิดเหตุหรือไม่" and not question["answered"]

    answer = "เกิดเหตุเมื่อวันที่ 3 พฤศจิกายน ที่สำนักงานที่ดิน"
    sent = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt}, timeout=30,
                         json={"text": answer, "in_reply_to": str(question["question_id"])})
    assert sent.status_code == 201, sent.text
    extra = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt}, timeout=30,
                          json={"text": "มีพยานอีกสองคนที่เห็นเหตุการณ์"})
    assert extra.status_code == 201, extra.text

    def case_with_answer():
        case = requests.get(f"{_desk(dep)}/api/v1/cases/{reference}", headers=auth, timeout=30).json()
        return case if case["questions"][0]["answer"] and len(case["tipster_messages"]) == 2 else None

    case = wait_for(case_with_answer, 15, message="answer on the case")
    assert case["questions"][0]["answer"] == answer
    assert [m["text"] for m in case["tipster_messages"]] == [answer, "มีพยานอีกสองคนที่เห็นเหตุการณ์"]
    assert "tipster_message" in [t["kind"] for t in case["timeline"]]
