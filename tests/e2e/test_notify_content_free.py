"""Notifications as a deployment sends them: a tip whose description and accused hold a unique marker reaches
the office, and no message written by the embedded file channel carries the marker; a delivery that cannot be
made goes dead and operators see it with `sodsong ops notifications --status dead`."""
import json
import uuid
from contextlib import ExitStack

from shared.notifications.channels import read_file_channel
from tests.support.deployment import Deployment
from tests.support.processes import wait_for
from tests.support.tips import tip


def marked_tip(marker):
    body = tip(description=f"เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด {marker}-description", language="en",
               reporter={"anonymous": False, "name": f"{marker}-name", "email": "tipster@example.org",
                         "notify_via": ["email"], "consent_to_contact": True})
    body["accused"]["name"] = f"{marker}-accused"
    return body


def sent_to_office(dep, reference):
    sent = [n for n in dep.notifications() if n["reference"] == reference and n["recipient"] == "office:PACC-R2"]
    return sent if sent and all(n["status"] == "sent" for n in sent) else None


def test_the_office_is_told_without_the_tip_and_nothing_written_carries_it(deployment):
    deployment.start()
    marker = "MK" + uuid.uuid4().hex
    response = deployment.intake.submit(marked_tip(marker))
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    wait_for(lambda: sent_to_office(deployment, reference), 15, message="office notification sent")

    lines = read_file_channel(deployment.data_dir / "notifications.jsonl")
    [office] = [m for m in lines if m["recipient"] == "PACC-R2"]
    assert reference in office["subject"] and "/cases/" + reference in office["text"]
    assert marker not in json.dumps(lines, ensure_ascii=False)
    assert marker not in deployment.cli("ops", "notifications").stdout


def test_the_tipster_is_told_only_that_there_is_an_update(embedded_deployment):
    dep = embedded_deployment
    dep.start()
    marker = "MK" + uuid.uuid4().hex
    response = dep.intake.submit(marked_tip(marker))
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]

    def to_tipster():
        found = [m for m in read_file_channel(dep.data_dir / "notifications.jsonl")
                 if m["recipient"] == "tipster@example.org"]
        return found or None

    [notice] = wait_for(to_tipster, 20, message="tipster notice written")
    assert notice["text"].startswith("You have a new message: http")  # discreet: no name, no reference
    assert reference not in notice["text"] + notice["subject"]
    assert marker not in json.dumps(read_file_channel(dep.data_dir / "notifications.jsonl"), ensure_ascii=False)


def test_an_undeliverable_notification_goes_dead_and_operators_see_it(tmp_path):
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path, stack, extra_env={"SODSONG__notify__office_channel": "nowhere"})
        dep.start()
        response = dep.intake.submit(tip())
        assert response.status_code == 201, response.text
        reference = response.json()["reference"]

        def dead():
            rows = dep.cli_json("ops", "notifications", "--status", "dead")
            return [r for r in rows if r["reference"] == reference] or None

        [row] = wait_for(dead, 15, message="dead delivery listed")
        assert row["recipient"] == "office:PACC-R2" and row["channel"] == "nowhere"
        assert "not configured" in row["last_error"]
        trail = wait_for(lambda: (lambda t: t if "notification.failed" in {e["event_type"] for e in t} else None)(
            dep.audit_trail(reference)), 10, message="notification.failed audited")
        assert trail
