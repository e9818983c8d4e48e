"""Deadline reminders and escalations, with a controlled clock, racing sweeps (each a cluster job under the
sweep's lease, shared.jobs) and a lease that changes hands."""
import threading
from datetime import timedelta

from sqlalchemy import func, select

from services.casework import deadlines
from services.casework.usecases.accounts import aware
from services.casework.models import Case, DeadlineAlert
from shared import jobs, leases
from tests.integration.casework.conftest import Desk, desk_for, feedback_recorded, desk_running, open_case, outbox
from tests.support.inprocess import db
from tests.support.processes import wait_for


def _opened_at(cfg, reference):
    with db(cfg, "casework").reading() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        return aware(case.opened_at), aware(case.acknowledge_due), aware(case.feedback_due)


def _alerts(cfg):
    return [(e["type"], e["correlation_id"], e["payload"]["deadline"], e["payload"]["escalate_to"])
            for e in outbox(cfg) if e["type"] in ("case.deadline_reminder", "case.deadline_breached")]


def test_reminders_before_and_escalation_after_each_deadline(cfg):
    database = db(cfg, "casework")
    open_case(cfg, "SS-DEAD-0001")
    opened, ack_due, fb_due = _opened_at(cfg, "SS-DEAD-0001")
    assert ack_due - opened == timedelta(days=7)
    assert fb_due.month == (opened.month + 2) % 12 + 1  # three calendar months

    def sweep(at):
        return deadlines.sweep(database, {}, now=at, holder="instance-a")

    assert sweep(opened + timedelta(days=1)).reminders == []
    assert sweep(ack_due - timedelta(hours=47)).reminders == [("SS-DEAD-0001", "acknowledge")]   # T-48h
    assert sweep(ack_due - timedelta(hours=1)).reminders == []                                    # once
    result = sweep(ack_due + timedelta(minutes=1))
    assert result.breaches == [("SS-DEAD-0001", "acknowledge")] and result.reminders == []
    assert sweep(ack_due + timedelta(days=1)).breaches == []
    assert sweep(fb_due - timedelta(days=13)).reminders == [("SS-DEAD-0001", "feedback")]         # T-14d
    assert sweep(fb_due + timedelta(seconds=1)).breaches == [("SS-DEAD-0001", "feedback")]
    assert _alerts(cfg) == [
        ("case.deadline_reminder", "SS-DEAD-0001", "acknowledge", "office"),
        ("case.deadline_breached", "SS-DEAD-0001", "acknowledge", "supervisor"),
        ("case.deadline_reminder", "SS-DEAD-0001", "feedback", "office"),
        ("case.deadline_breached", "SS-DEAD-0001", "feedback", "supervisor"),
    ]


def test_acknowledging_and_feedback_stop_the_alerts_and_an_extension_rearms_them(memory_cfg):
    cfg = memory_cfg
    database = db(cfg, "casework")
    open_case(cfg, "SS-DEAD-0002")
    opened, ack_due, fb_due = _opened_at(cfg, "SS-DEAD-0002")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker", display_name="สมชาย")
        sup = desk_for(base, cfg, "supat", "supervisor")
        cw.post("/api/v1/cases/SS-DEAD-0002/assignment", {"assignee": "me"})
        cw.post("/api/v1/cases/SS-DEAD-0002/transitions", {"to": "acknowledged", "reason": "รับเรื่อง"})
        assert deadlines.sweep(database, {}, now=ack_due + timedelta(days=1), holder="a").breaches == []
        sup.post("/api/v1/cases/SS-DEAD-0002/deadlines", {"months": 6, "reason": "รอเอกสารจากต่างประเทศ"})
        # the old feedback date passes quietly; the extended one is reminded and escalated
        assert deadlines.sweep(database, {}, now=fb_due + timedelta(days=1), holder="a").breaches == []
        new_due = _opened_at(cfg, "SS-DEAD-0002")[2]
        result = deadlines.sweep(database, {}, now=new_due - timedelta(days=1), holder="a")
        assert result.reminders == [("SS-DEAD-0002", "feedback")]
        reminder = outbox(cfg, "case.deadline_reminder")[-1]["payload"]
        assert reminder["escalate_to"] == "assignee" and reminder["caseworker_name"] == "สมชาย"
        note = cw.post("/api/v1/cases/SS-DEAD-0002/notes", {"visibility": "tipster_visible", "text": "อยู่ระหว่างตรวจสอบ"})
        feedback_recorded(cfg, "SS-DEAD-0002", note.json()["id"])  # intake has it in the tipster's thread
        assert deadlines.sweep(database, {}, now=new_due + timedelta(days=1), holder="a").breaches == []
        timeline = [e["kind"] for e in sup.get("/api/v1/cases/SS-DEAD-0002").json()["timeline"]]
        assert "deadline_reminder" in timeline and "deadline_breached" not in timeline


def test_two_sweeps_racing_escalate_each_case_once(cfg):
    database = db(cfg, "casework")
    references = [f"SS-RACE-{i:04d}" for i in range(12)]
    for reference in references:
        open_case(cfg, reference)
    now = _opened_at(cfg, references[-1])[1] + timedelta(hours=1)  # every acknowledgement overdue

    def race(lease_seconds):
        barrier = threading.Barrier(2)
        results = {}

        def run(holder):
            barrier.wait()
            done = jobs.run_leased(database, deadlines.SWEEP_LEASE,
                                   lambda: deadlines.sweep(database, {}, now=now, holder=holder),
                                   holder=holder, lease_seconds=lease_seconds, now=now)
            results[holder] = None if done is jobs.NOT_HELD else done

        threads = [threading.Thread(target=run, args=(h,)) for h in ("instance-a", "instance-b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return results

    # with the lease: one instance sweeps, the other stands aside
    results = race(lease_seconds=120)
    swept = [r for r in results.values() if r is not None]
    assert len(swept) == 1 and sorted(r for r, _ in swept[0].breaches) == references
    # without it (the lease let go, and a lease of zero seconds lets both in): the unique alert rows still allow
    # one escalation per case
    winner = next(holder for holder, r in results.items() if r is not None)
    leases.release(database, deadlines.SWEEP_LEASE, winner, now)
    for reference in references:
        open_case(cfg, reference.replace("RACE", "RAC2"))
    now = _opened_at(cfg, references[-1].replace("RACE", "RAC2"))[1] + timedelta(hours=1)
    results = race(lease_seconds=0)
    assert all(r is not None for r in results.values())
    raised = sorted(r for result in results.values() for r, _ in result.breaches)
    assert raised == sorted(r.replace("RACE", "RAC2") for r in references)
    with database.reading() as session:
        assert session.execute(select(func.count()).select_from(DeadlineAlert)
                               .where(DeadlineAlert.kind == "breach")).scalar() == 24
    breaches = [e["correlation_id"] for e in outbox(cfg, "case.deadline_breached")]
    assert sorted(breaches) == sorted(references + [r.replace("RACE", "RAC2") for r in references])


def test_the_lease_passes_on_when_its_holder_stops_renewing(cfg):
    database = db(cfg, "casework")
    from shared.clock import utcnow

    start = utcnow()
    assert leases.acquire(database, "job", "a", start, 60)
    assert not leases.acquire(database, "job", "b", start + timedelta(seconds=30), 60)
    assert leases.acquire(database, "job", "a", start + timedelta(seconds=45), 60)        # renewed
    assert not leases.acquire(database, "job", "b", start + timedelta(seconds=100), 60)   # 45 + 60 > 100
    assert leases.acquire(database, "job", "b", start + timedelta(seconds=106), 60)       # a stopped renewing
    assert leases.holder_of(database, "job")[0] == "b"
    assert not leases.acquire(database, "job", "a", start + timedelta(seconds=107), 60)


def test_the_timer_sweeps_and_the_overdue_view_shows_the_case(tmp_path):
    from tests.integration.casework.conftest import desk_environment

    deadline_config = {"agencies": {"NACC": {"acknowledge_days": 0.00002}}}  # about two seconds
    with desk_environment("memory", tmp_path, sweep_seconds=0.3, deadlines=deadline_config) as cfg:
        open_case(cfg, "SS-LATE-0001", "NACC-23")
        open_case(cfg, "SS-TIME-0001", "NACC-23")
        with desk_running(cfg) as (_, base):
            cw = desk_for(base, cfg, "nacc", "caseworker", "NACC-23")
            cw.post("/api/v1/cases/SS-TIME-0001/transitions", {"to": "acknowledged", "reason": "รับเรื่องแล้ว"})
            wait_for(lambda: outbox(cfg, "case.deadline_breached"), 15, message="breach raised by the timer")
            overdue = cw.get("/api/v1/cases", params={"overdue": "true"}).json()["items"]
            assert [c["reference"] for c in overdue] == ["SS-LATE-0001"]
            assert overdue[0]["overdue_deadlines"] == ["acknowledge"]
            assert [c["reference"] for c in cw.get("/api/v1/cases", params={"overdue": "false"}).json()["items"]] \
                == ["SS-TIME-0001"]
            web = Desk(base)
            web.web_sign_in("nacc")
            page = web.http.get(base + "/cases?overdue=true", timeout=30).text
            assert "SS-LATE-0001" in page and "SS-TIME-0001" not in page and "เกินกำหนด" in page
        breached = [e["correlation_id"] for e in outbox(cfg, "case.deadline_breached")]
        assert breached == ["SS-LATE-0001"]


def test_two_instances_holding_the_same_due_list_raise_each_alert_once(cfg):
    """The worst overlap: both read the due alerts before either wrote one (say, a lease expired mid-sweep)."""
    database = db(cfg, "casework")
    for i in range(3):
        open_case(cfg, f"SS-DUPE-000{i}")
    now = _opened_at(cfg, "SS-DUPE-0002")[1] + timedelta(minutes=5)
    seen_by_a = deadlines._due_alerts(database, {}, now, 100)
    seen_by_b = deadlines._due_alerts(database, {}, now, 100)
    assert len(seen_by_a) == len(seen_by_b) == 3
    results = {"a": [], "b": []}

    def run(holder, alerts):
        for alert in alerts:
            results[holder].append(deadlines._raise(database, alert, now, holder))

    threads = [threading.Thread(target=run, args=("a", seen_by_a)), threading.Thread(target=run, args=("b", seen_by_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results["a"] + results["b"]) == [False] * 3 + [True] * 3
    assert sorted(e["correlation_id"] for e in outbox(cfg, "case.deadline_breached")) == [
        "SS-DUPE-0000", "SS-DUPE-0001", "SS-DUPE-0002"]
