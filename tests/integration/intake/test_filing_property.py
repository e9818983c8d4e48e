"""Any valid tip is filed: every official type, the accused's position and organisation in Thai or English words,
an event date, an amount, a place — intake stores it and announces tip.received with what routing reads."""
from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.intake.domain.tip import TipSchema
from shared.events import TipReceived
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES
from tests.integration.intake.conftest import make_app, make_config

# every example files from the same (absent) client address: the per-client filing limit is tested on its own
APP = make_app(make_config(Path(tempfile.mkdtemp(prefix="sodsong-filing-property-")),
                           filing_limit={"tips": 1_000_000, "window_seconds": 600}))
WORDS = ["สำนักงาน ป.ป.ท. เขต 2", "ศาลจังหวัดตราด", "นิติกร", "ผู้พิพากษา", "อบต.ห้วงน้ำขาว", "นายก อบต.",
         "สภ.คลองใหญ่", "PACC Region 2", "Office of the Attorney General", "สำนักงานที่ดินจังหวัดตราด"]
# printable text without control characters (the schema refuses those, rightly)
free_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), min_size=1, max_size=60) \
    .filter(lambda s: s.strip())
accused_words = st.one_of(st.none(), st.sampled_from(WORDS), free_text)

valid_tips = st.fixed_dictionaries({
    "category": st.sampled_from(sorted(CATEGORIES)),
    "description": st.sampled_from(["เจ้าหน้าที่เรียกรับเงินเพื่อออกใบอนุญาต มีสลิปโอนเงิน",
                                    "An official asked for 5,000 baht to approve a permit; I have the slip."]),
    "event_date": st.one_of(st.none(), st.dates(min_value=date(2016, 1, 1),
                                                max_value=date.today() - timedelta(days=1)).map(date.isoformat)),
    "amount_thb": st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2).map(str)),
    "location": st.fixed_dictionaries({"province_code": st.just("23"), "district_code": st.just("2301"),
                                       "subdistrict_code": st.just("230101"),
                                       "place": st.one_of(st.none(), st.just("หน้าศาลากลางจังหวัดตราด"))}),
    "accused": st.fixed_dictionaries({"official_type": st.sampled_from(sorted(OFFICIAL_TYPES)),
                                      "name": accused_words, "position": accused_words,
                                      "organization": accused_words}),
})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tip=valid_tips)
def test_any_valid_tip_is_filed_and_announced_with_the_accused_as_written(tip):
    status, body, _ = APP.file_tip(tip)
    assert status == 201 and len(body["receipt"]) == 16
    outbox = APP.db.tables.outbox
    with APP.db.reading() as s:
        bodies = s.execute(select(outbox.c.body).where(outbox.c.correlation_id == body["reference"],
                                                       outbox.c.event_type == "tip.received")).scalars().all()
    payload = TipReceived().load(json.loads(bodies[0])["payload"])
    assert payload["accused"] == TipSchema().load(tip)["accused"]  # as the schema cleaned it, nothing lost
    assert payload["accused"]["official_type"] == tip["accused"]["official_type"]
    assert (payload["event_date"].isoformat() if payload["event_date"] else None) == tip["event_date"]
