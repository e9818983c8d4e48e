"""The notify service end to end inside this process: events in, deliveries recorded, the Sender loop sends them
through real channels on loopback, retries with backoff, goes dead at the limit, and operators see it all."""
import datetime
import json

import eventlet
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from services.notify import usecases as deliveries
from services.notify.cli import notifications
from services.notify.models import Delivery, TimerClaim
from shared.notifications.channels import read_file_channel
from tests.integration.notify_service.conftest import UTC, case_assigned, case_deadline, case_opened
from tests.support.inprocess import db, environment, publish, running
from tests.support.processes import wait_for


def notify_settings(tmp_path, provider=None, **extra):
    channels = {"file": {"type": "file", "path": str(tmp_path / "notifications.jsonl")}}
    if provider is not None:
        channels["hook"] = {"type": "webhook", "url": provider.url, "secret": "s3cret", "timeout": 5}
    settings = {"channels": channels, "office_channel": "hook" if provider is not None else "file",
                "max_attempts": 3, "backoff_seconds": [0.2], "poll_seconds": 0.1}
    settings.update(extra)
    return settings


def rows(cfg, **where):
    with db(cfg, "notify").reading() as session:
        query = select(Delivery)
        for key, value in where.items():
            query = query.where(getattr(Delivery, key) == value)
        return [{c.name: getattr(d, c.name) for c in Delivery.__table__.columns}
                for d in session.execute(query).scalars()]


def settled(cfg, reference, statuses=("sent", "dead")):
    found = rows(cfg, reference=reference)
    return found if found and all(r["status"] in statuses for r in found) else None


def cli(cfg, *args):
    result = CliRunner().invoke(notifications, list(args), obj={"config": cfg}, catch_exceptions=False)
    return result


def test_a_failing_provider_is_retried_with_backoff_until_it_takes_the_message(tmp_path, provider):
    provider.script.extend([503, 503])  # down twice, then up
    with environment("memory", tmp_path, {"notify": notify_settings(tmp_path, provider)}) as cfg:
        with running(cfg, "notify"):
            event = case_opened()
            publish(cfg, event.to_wire())
            [delivery] = wait_for(lambda: settled(cfg, event.correlation_id), 15, message="delivery settled")
    assert delivery["status"] == "sent" and delivery["attempts"] == 3
    assert delivery["provider_id"] == "prov-3"
    keys = {r["headers"]["X-Sodsong-Delivery"] for r in provider.requests}
    assert keys == {delivery["id"]}, "every attempt carries the same idempotency key"
    assert "PACC-R2" == provider.bodies()[-1]["to"]


def test_a_permanent_failure_goes_dead_shows_in_the_cli_and_an_operator_retry_sends_it(tmp_path, provider):
    provider.default = 400  # the provider refuses the request: retrying cannot help
    with environment("memory", tmp_path, {"notify": notify_settings(tmp_path, provider)}) as cfg:
        with running(cfg, "notify"):
            event = case_opened()
            publish(cfg, event.to_wire())
            [dead] = wait_for(lambda: settled(cfg, event.correlation_id), 15, message="delivery settled")
            assert dead["status"] == "dead" and dead["attempts"] == 1
            assert dead["last_error"].startswith("permanent: HTTP 400")

            listed = json.loads(cli(cfg, "--status", "dead", "--json").output)
            assert [(r["id"], r["source"], r["recipient"], r["status"]) for r in listed] == [
                (dead["id"], "notify", "office:PACC-R2", "dead")]
            assert "s3cret" not in cli(cfg, "list").output
            assert json.loads(cli(cfg, "--status", "sent", "--json").output) == []

            provider.default = 200  # the operator fixed the address at the provider's end
            result = cli(cfg, "retry", dead["id"])
            assert result.exit_code == 0 and "queued" in result.output
            [sent] = wait_for(lambda: settled(cfg, event.correlation_id, ("sent",)), 15, message="resent")
            assert sent["id"] == dead["id"] and sent["attempts"] == 1

            assert cli(cfg, "retry", dead["id"]).exit_code == 1  # sent: nothing to retry
            shown = json.loads(cli(cfg, "show", dead["id"], "--json").output)
            assert shown["subject"].startswith("[สอดส่อง] เรื่องใหม่ " + event.correlation_id)


def test_out_of_attempts_goes_dead(tmp_path, provider):
    provider.default = 503
    with environment("memory", tmp_path, {"notify": notify_settings(tmp_path, provider)}) as cfg:
        with running(cfg, "notify"):
            event = case_opened()
            publish(cfg, event.to_wire())
            [dead] = wait_for(lambda: settled(cfg, event.correlation_id), 15, message="delivery settled")
    assert (dead["status"], dead["attempts"]) == ("dead", 3)
    assert len(provider.requests) == 3


def test_the_same_event_delivered_twice_sends_one_message(tmp_path):
    with environment("memory", tmp_path, {"notify": notify_settings(tmp_path)}) as cfg:
        with running(cfg, "notify"):
            event = case_opened()
            publish(cfg, event.to_wire())
            publish(cfg, event.to_wire())
            wait_for(lambda: settled(cfg, event.correlation_id), 10, message="delivery settled")
            eventlet.sleep(1.0)  # room for the duplicate to be (not) processed and (not) sent
            found = rows(cfg, reference=event.correlation_id)
        # and recording it again by hand (a replay after a crash) is refused by the unique constraint
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError):
            with db(cfg, "notify").transaction() as uow:
                deliveries.record(uow, event, cfg)
    assert [r["status"] for r in found] == ["sent"]
    lines = [m for m in read_file_channel(tmp_path / "notifications.jsonl") if event.correlation_id in m["subject"]]
    assert len(lines) == 1


def test_a_sender_killed_after_writing_does_not_make_its_successor_write_the_message_again(tmp_path):
    from shared.notifications import ledger
    from shared.notifications.channels import OutboundMessage, build_channels
    from sodsong import registry

    with environment("memory", tmp_path, {"notify": notify_settings(tmp_path)}) as cfg:
        registry.migrate("notify", cfg["notify"]["db_url"])
        notify_db = db(cfg, "notify")
        event = case_opened()
        with notify_db.transaction() as uow:
            [delivery_id] = deliveries.record(uow, event, cfg)
        channels = build_channels(cfg["notify"]["channels"])
        # The first sender claims it, writes the message, and is killed before it can record "sent".
        assert deliveries.claim(notify_db, delivery_id)
        [first] = rows(cfg, id=delivery_id)
        channels["file"].send(OutboundMessage(recipient=first["address"], language=first["language"], subject="s",
                                              text="t", html=None, idempotency_key=delivery_id, attempt=1))
        assert not deliveries.claim(notify_db, delivery_id), "not yet: it may still be sending"
        later = ledger.utcnow() + ledger.STUCK_SENDING + datetime.timedelta(seconds=1)
        assert ledger.claim(notify_db, deliveries.TABLE, delivery_id, now=later)  # another instance takes it over
        assert deliveries.send(notify_db, delivery_id, channels, cfg["notify"]) == "sent"
    [taken_over] = rows(cfg, id=delivery_id)
    assert (taken_over["status"], taken_over["attempts"]) == ("sent", 2)
    written = [m["delivery_id"] for m in read_file_channel(tmp_path / "notifications.jsonl")]
    assert written == [delivery_id]


def test_assignment_and_deadlines_reach_caseworker_and_supervisors(tmp_path):
    notify = notify_settings(tmp_path, staff_contacts={"u-somsri": {"file": "somsri@pacc.example", "language": "en"}},
                             supervisor_contacts={"PACC-R2": {"file": "head-r2@pacc.example"}})
    with environment("memory", tmp_path, {"notify": notify}) as cfg:
        with running(cfg, "notify"):
            opened = case_opened()
            ref = opened.correlation_id
            for event in (opened, case_assigned(ref),
                          case_deadline(ref, "case.deadline_reminder", escalate_to="assignee"),
                          case_deadline(ref, "case.deadline_breached"), case_assigned(ref, assignee_id="u-unknown")):
                publish(cfg, event.to_wire())
            wait_for(lambda: (lambda r: r if len(r) == 6 and all(x["status"] == "sent" for x in r) else None)(
                rows(cfg, reference=ref)), 10, message="six deliveries sent")
    found = {(r["template"], r["recipient_kind"], r["recipient_id"], r["address"], r["language"])
             for r in rows(cfg, reference=ref)}
    assert found == {
        ("office_new_case", "office", "PACC-R2", "PACC-R2", "th"),
        ("caseworker_assigned", "caseworker", "u-somsri", "somsri@pacc.example", "en"),
        ("supervisor_deadline_reminder", "supervisor", "PACC-R2", "head-r2@pacc.example", "th"),
        ("supervisor_deadline_reminder", "caseworker", "u-somsri", "somsri@pacc.example", "en"),
        ("supervisor_deadline_breach", "supervisor", "PACC-R2", "head-r2@pacc.example", "th"),
        # an assignee with no contacts configured: the office is told instead, so the assignment is not lost
        ("caseworker_assigned", "office", "PACC-R2", "PACC-R2", "th"),
    }
    by_recipient = {m["recipient"]: m for m in read_file_channel(tmp_path / "notifications.jsonl")
                    if "assigned" in m["subject"] and m["recipient"] == "somsri@pacc.example"}
    assert "Dear สมศรี ใจดี" in by_recipient["somsri@pacc.example"]["text"]


@pytest.mark.parametrize("transport", ["memory", "rabbitmq"])
def test_the_daily_failure_summary_is_recorded_once_however_many_instances_race(tmp_path, transport):
    notify = notify_settings(tmp_path, operators={"recipients": {"oncall": {"file": "ops@sodsong.example"}},
                                                  "daily_summary_at": "08:00", "language": "en"})
    with environment(transport, tmp_path, {"notify": notify}) as cfg:
        from sodsong import registry

        registry.migrate("notify", cfg["notify"]["db_url"])
        service_db = db(cfg, "notify")
        yesterday = datetime.datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # 19:00 in Bangkok on the 5th
        with service_db.transaction() as uow:
            for n, channel in enumerate(["sms", "sms", "email"]):
                uow.session.add(Delivery(
                    id=f"dead-{n}", event_id=f"e-{n}", reference="SS-AAAA-BBBB", recipient_kind="office",
                    recipient_id="PACC-R2", channel=channel, address="x", template="office_new_case",
                    language="th", context_json="{}", status="dead", attempts=6,
                    last_error=f"permanent: HTTP 40{n}", next_attempt_at=yesterday, created_at=yesterday,
                    updated_at=yesterday))
        now = datetime.datetime(2025, 3, 6, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok on the 6th
        outcomes = []
        pool = eventlet.GreenPool()
        for instance in ("host-a:1", "host-b:2", "host-c:3"):
            pool.spawn(lambda i: outcomes.append(deliveries.run_daily_summary(service_db, cfg, i, now)), instance)
        pool.waitall()
        assert deliveries.run_daily_summary(service_db, cfg, "host-a:1", now + datetime.timedelta(hours=5)) is None
        assert sorted(outcomes, key=str) == sorted([None, None, "3 failures, 1 deliveries"], key=str)
        summaries = rows(cfg, template="operator_daily_failures")
        with service_db.reading() as session:
            claims = [(c.job, c.period) for c in session.execute(select(TimerClaim)).scalars()]
    assert claims == [("operator_daily_failures", "2025-03-05")]
    [summary] = summaries
    assert (summary["recipient_kind"], summary["recipient_id"], summary["address"]) == ("operator", "oncall",
                                                                                      "ops@sodsong.example")
    context = json.loads(summary["context_json"])
    assert context["total_failed"] == 3
    assert context["by_channel"] == [{"channel": "sms", "failed": 2, "last_reason": "permanent: HTTP 401"},
                                     {"channel": "email", "failed": 1, "last_reason": "permanent: HTTP 402"}]


def test_the_sender_loop_sends_the_daily_summary(tmp_path):
    notify = notify_settings(tmp_path, operators={"daily_summary_at": "00:00", "send_when_none": True,
                                                  "check_seconds": 0.2})
    with environment("memory", tmp_path, {"notify": notify}) as cfg:
        with running(cfg, "notify"):
            [summary] = wait_for(lambda: [r for r in rows(cfg, template="operator_daily_failures")
                                          if r["status"] == "sent"], 10, message="summary sent")
    assert (summary["recipient_kind"], summary["address"]) == ("operator", "operators")
    [line] = [m for m in read_file_channel(tmp_path / "notifications.jsonl") if m["recipient"] == "operators"]
    assert line["subject"].startswith("[สอดส่อง] ส่งการแจ้งเตือนไม่สำเร็จ 0 รายการ")
