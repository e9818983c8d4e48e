"""Tipster notices, recorded and sent by intake's own code: a tip whose description, accused and the office's
question each hold a unique marker; no message to the tipster (or the office) carries any of them, nor anything
but "your report SS-… has an update; check it with your receipt"."""
import datetime
import functools
import json
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.intake import crypto, receipts, tipster_notices
from services.intake.domain.tip import TipSchema
from services.intake.models import Base as IntakeBase
from services.intake.models import Tip
from services.intake.repository import IntakeRepository
from services.intake.service import Service
from services.intake.usecases import projection, submission
from services.notify import usecases as deliveries
from shared import config as config_mod
from shared.db import ServiceDatabase, engine_for
from shared.events import new_event
from shared.messaging_tables import messaging_tables_for
from shared.notifications.channels import build_channels, read_file_channel
from shared.notifications.messages import render
from sodsong import registry
from sodsong.registry import service_db_for
from tests.support.tips import tip

UTC = datetime.timezone.utc
STATUS_URL = "https://sodsong.example/status"


@pytest.fixture
def world(tmp_path):
    cfg = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path)})
    cfg["intake"]["tipster_notices"] = {"status_url": STATUS_URL, "backoff_seconds": [0]}
    table = tipster_notices.notices_table(IntakeBase.metadata)
    engine = engine_for(cfg["intake"]["db_url"])
    IntakeBase.metadata.create_all(engine)
    intake_db = ServiceDatabase(engine, messaging_tables_for(IntakeBase.metadata, "intake"),
                                repository=IntakeRepository)
    keyring = crypto.from_settings({"current": "k1", "keys": {"k1": crypto.new_key()}})
    registry.migrate("notify", cfg["notify"]["db_url"])

    class World:
        pass

    w = World()
    w.cfg, w.table, w.db, w.keyring = cfg, table, intake_db, keyring
    w.reporter = functools.partial(submission.reporter_of, keyring)
    w.channels = build_channels(cfg["notify"]["channels"])
    w.lines = lambda: read_file_channel(cfg["notify"]["channels"]["file"]["path"])
    return w


def submit(w, marker, reporter, language="th", volunteer_id=None):
    if reporter and reporter.get("notify_via"):
        reporter = {**reporter, "consent_to_contact": True}  # intake asks for consent with notify_via
    body = tip(description=f"เจ้าหน้าที่เรียกรับเงิน {marker}-description ที่สำนักงานที่ดิน", language=language)
    if reporter is not None:
        body["reporter"] = reporter
    body["accused"]["name"] = f"{marker}-accused"
    if volunteer_id:
        body["volunteer_id"] = volunteer_id
    data = TipSchema().load(body)
    receipt = receipts.new_receipt()
    with w.db.transaction() as uow:
        done = submission.submit_tip(uow, data, f"keyed-hash-not-checked-here-{receipt}", receipt,
                                     {"kind": "tipster", "id": "anonymous"}, w.keyring)
    return done.reference


def case_opened(reference):
    now = datetime.datetime.now(UTC)
    return new_event("case.opened", {
        "reference": reference, "case_id": str(uuid.uuid4()),
        "office": {"code": "PACC-R2", "name_th": "ศูนย์ ป.ป.ท. เขต 2", "name_en": "PACC Region 2"},
        "category": "bribery", "province_code": "23", "status": "received",
        "acknowledge_due": now + datetime.timedelta(days=7), "feedback_due": now + datetime.timedelta(days=90),
        "opened_at": now}, reference)


def question(reference, marker):
    return new_event("case.question_asked", {
        "reference": reference, "case_id": str(uuid.uuid4()), "office_code": "PACC-R2",
        "question_id": str(uuid.uuid4()), "text": f"ท่านเห็นเหตุการณ์วันไหน {marker}-question",
        "asked_at": datetime.datetime.now(UTC)}, reference)


def status_changed(reference, to="investigating"):
    return new_event("case.status_changed", {
        "reference": reference, "case_id": str(uuid.uuid4()), "office_code": "PACC-R2", "from_status": "received",
        "to_status": to, "tipster_label": {"th": "อยู่ระหว่างการสืบสวน", "en": "Under investigation"},
        "changed_at": datetime.datetime.now(UTC)}, reference)


def apply(w, event, effect, **kw):
    """What intake's consumer does: the projection, then the notices, in one transaction."""
    with w.db.transaction() as uow:
        effect(uow, event)
        row = uow.session.execute(select(Tip).where(Tip.reference == event.correlation_id)).scalar_one()
        kw.setdefault("reporter", w.reporter)
        return tipster_notices.record_tipster_notice(uow, row, event, w.cfg, table=w.table, **kw)


def send(w, **kw):
    return tipster_notices.send_due(w.db, w.channels, w.cfg, reporter=w.reporter, table=w.table, **kw)


def test_no_tipster_or_office_message_carries_the_tip_the_accused_or_the_question(world):
    w = world
    marker = "MK" + uuid.uuid4().hex
    reference = submit(w, marker, {"anonymous": False, "name": f"{marker}-name", "email": "somchai@example.org",
                                   "phone": "0812345678", "notify_via": ["email"]}, language="en")
    opened = case_opened(reference)
    assert len(apply(w, opened, projection.on_case_opened)) == 1
    assert len(apply(w, question(reference, marker),
                     functools.partial(projection.on_question_asked, keyring=w.keyring))) == 1
    assert len(apply(w, status_changed(reference), projection.on_case_status_changed)) == 1
    assert send(w) == {"sent": 3}

    # the office's message for the same case, recorded and sent by notify's own code
    notify_db = service_db_for("notify", w.cfg)
    with notify_db.transaction() as uow:
        [office_delivery] = deliveries.record(uow, opened, w.cfg)
    assert deliveries.claim(notify_db, office_delivery)
    assert deliveries.send(notify_db, office_delivery, w.channels, w.cfg["notify"]) == "sent"

    lines = w.lines()
    everything = json.dumps(lines, ensure_ascii=False)
    assert marker not in everything, "a tip's description, accused, reporter or question leaked into a message"
    to_tipster = [m for m in lines if m["recipient"] == "somchai@example.org"]
    expected = render("tipster_update", "en", {"reference": reference, "status_url": STATUS_URL})
    assert len(to_tipster) == 3
    for m in to_tipster:
        assert (m["subject"], m["text"], m["html"]) == expected
        assert m["text"] == f"You have a new message: {STATUS_URL}\n"  # discreet: not even the reference
    assert not [m for m in lines if m["recipient"] == "0812345678"], "the tipster did not opt into SMS"
    [to_office] = [m for m in lines if m["recipient"] == "PACC-R2"]
    assert reference in to_office["subject"]


def test_who_is_told_and_when(world):
    w = world
    anonymous = submit(w, "a", {"anonymous": True})
    no_contact = submit(w, "b", {"anonymous": False, "name": "n"})
    both = submit(w, "c", {"anonymous": False, "email": "c@example.org", "phone": "0812345678",
                           "line_user_id": "U" + "b" * 32, "notify_via": ["sms", "line", "sms"]})
    assert apply(w, case_opened(anonymous), projection.on_case_opened) == []
    # intake's schema refuses notify_via without the contact; a reporter stored so anyway is still not told
    assert apply(w, case_opened(no_contact), projection.on_case_opened,
                 reporter={"name": "n", "notify_via": ["sms", "fax"]}) == []
    opened = case_opened(both)
    assert len(apply(w, opened, projection.on_case_opened)) == 2  # sms and line, once each; not email
    # a late tip.routed (out of order) does not move the status: nobody is told
    routed = new_event("tip.routed", {
        "reference": both, "agency": {"code": "PACC-R2", "name_th": "ก", "name_en": "A"}, "triage": False,
        "rule": "r1", "rules_version": "1", "reasons": {"th": "ก", "en": "A"}, "decided_at": datetime.datetime.now(UTC),
        "tip": {"reference": both, "tipster_id": "tp_x", "channel": "web", "language": "th", "category": "bribery",
                "description": "เจ้าหน้าที่เรียกรับเงินเพื่อออกโฉนด", "location": {"province_code": "23"},
                "accused": {"official_type": "state_official"}, "submitted_at": datetime.datetime.now(UTC)}}, both)
    assert apply(w, routed, projection.on_tip_routed) == []
    # the same event recorded twice (a replay past the inbox) is refused by the table's unique constraint
    with pytest.raises(IntegrityError):
        with w.db.transaction() as uow:
            row = uow.session.execute(select(Tip).where(Tip.reference == both)).scalar_one()
            tipster_notices.record_tipster_notice(uow, row, opened, w.cfg, reporter=w.reporter, table=w.table)


def test_intake_tells_the_volunteers_its_configuration_names(world):
    w = world
    w.cfg["intake"]["tipster_notices"]["volunteer_contacts"] = {"vol-9": {"email": "vol9@network.example"}}
    contacts = Service.notices.volunteer_factory(w.cfg)  # what intake's sender and its handlers use
    assert contacts == {"vol-9": {"email": "vol9@network.example"}}
    reference = submit(w, "v9", None, volunteer_id="vol-9")
    assert len(apply(w, case_opened(reference), projection.on_case_opened, volunteer_contact=contacts)) == 1
    assert tipster_notices.send_due(w.db, w.channels, w.cfg, reporter=w.reporter, table=w.table,
                                    volunteer_contact=contacts) == {"sent": 1}
    assert [m["recipient"] for m in w.lines()] == ["vol9@network.example"]
    other = submit(w, "v10", None, volunteer_id="vol-10")  # a volunteer the configuration does not name
    assert apply(w, case_opened(other), projection.on_case_opened, volunteer_contact=contacts) == []


def test_a_volunteer_is_told_the_status_and_a_sealed_reporter_needs_the_keyring(world):
    w = world
    reference = submit(w, "v", None, volunteer_id="vol-7")
    contacts = {"vol-7": {"email": "vol7@network.example", "language": "en"}}
    ids = apply(w, case_opened(reference), projection.on_case_opened, volunteer_contact=contacts)
    assert len(ids) == 1
    assert tipster_notices.send_due(w.db, w.channels, w.cfg, reporter=w.reporter, table=w.table,
                                    volunteer_contact=contacts) == {"sent": 1}
    [m] = [m for m in w.lines() if m["recipient"] == "vol7@network.example"]
    assert m["subject"] == f"[Sodsong] Case {reference}: The office has received your report"

    with w.db.transaction() as uow:
        row = uow.session.execute(select(Tip).where(Tip.reference == reference)).scalar_one()
        row.reporter_json = w.keyring.encrypt_text("{}", "x")
        with pytest.raises(ValueError, match="sealed"):
            tipster_notices.record_tipster_notice(uow, row, case_opened(reference), w.cfg, table=w.table)


def test_a_contact_withdrawn_before_sending_makes_the_notice_dead_not_misdirected(world):
    w = world
    reference = submit(w, "w", {"anonymous": False, "email": "w@example.org", "notify_via": ["email"]})
    [notice] = apply(w, case_opened(reference), projection.on_case_opened)
    counts = tipster_notices.send_due(w.db, w.channels, w.cfg, reporter=lambda tip: {"notify_via": []},
                                      table=w.table)
    assert counts == {"dead": 1}
    with w.db.reading() as session:
        [row] = tipster_notices.list_notices(session, "dead", table=w.table)
    assert row["id"] == notice and row["last_error"] == "permanent: no contact on file for this channel any more"
    assert "w@example.org" not in json.dumps(row, default=str)
    assert tipster_notices.retry_now(w.db, notice, table=w.table)
    assert send(w) == {"sent": 1}
