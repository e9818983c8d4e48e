"""The inbox's queries on both databases (SQLite embedded, PostgreSQL): a search matches the cases holding every
word of the query whatever the words' order or frequency, a reference alone or with words, the count stops at
a cap on a huge result ("more than N"), and a page that shows a line of case text is recorded as a read of
those cases (access log rows and one `cases.listed`), never for a role that sees no text."""
import json
from contextlib import ExitStack

import pytest
from sqlalchemy import select

from services.casework.models import CaseView
from services.casework.usecases import accounts
from services.casework.usecases.case_reading import DeskSettings
from services.casework.usecases.wiring import DeskUseCases
from shared.config import normalise_db_url
from sodsong import registry
from tests.integration.casework.conftest import add_user, desk_overrides, open_case_saying, outbox
from tests.support.environments import pg_database
from tests.support.inprocess import db, environment

@pytest.fixture(params=["sqlite", "postgres"])
def cfg(request, tmp_path):
    """The desk's database only (these are queries: no broker), SQLite or a fresh PostgreSQL database."""
    with ExitStack() as stack:
        config = stack.enter_context(environment("memory", tmp_path, desk_overrides()))
        if request.param == "postgres":
            config["casework"]["db_url"] = normalise_db_url(stack.enter_context(pg_database()))
        registry.migrate("casework", config["casework"]["db_url"])
        yield config


TIPS = {  # reference: (description, accused organisation, accused position)
    "SS-SRCH-0001": ("เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด", "สำนักงานที่ดินจังหวัดตราด", "เจ้าพนักงานที่ดิน"),
    "SS-SRCH-0002": ("เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด", "สำนักงานที่ดินจังหวัดเชียงใหม่", None),
    "SS-SRCH-0003": ("ตำรวจทางหลวงเรียกรับเงินจากรถบรรทุก", "กองบังคับการตำรวจทางหลวง", "ตำรวจทางหลวง"),
    "SS-SRCH-0004": ("ฮั้วประมูลโครงการก่อสร้างถนนลาดยาง", "สำนักงานสรรพากรพื้นที่ตราด", None),
    "SS-SRCH-0005": ("Road built with half the asphalt in the contract", "องค์การบริหารส่วนตำบลหนองบัว", None),
}


def _open(cfg, reference, description, organisation, position, office="PACC-R2"):
    open_case_saying(cfg, reference, description, organisation, position, office=office)


def _desk(cfg) -> DeskUseCases:
    return DeskUseCases(db=db(cfg, "casework"), settings=DeskSettings.from_config(cfg["casework"]),
                        account_settings={}, passwords=None, config=cfg)


def _found(desk, principal, q, **filters) -> list[str]:
    return sorted(c["reference"] for c in desk.list_cases(principal, {"show": "all", "q": q, **filters})["items"])


def test_search_matches_every_word_on_both_databases(cfg):
    for reference, tip in TIPS.items():
        _open(cfg, reference, *tip)
    desk = _desk(cfg)
    sup = accounts.principal_of(add_user(cfg, "supat", "supervisor"))
    # one word, common or rare; every word of an accused organisation, in any order, in any field
    assert _found(desk, sup, "เรียกรับเงิน") == ["SS-SRCH-0001", "SS-SRCH-0002", "SS-SRCH-0003"]
    assert _found(desk, sup, "สำนักงานที่ดินจังหวัดตราด") == ["SS-SRCH-0001"]
    assert _found(desk, sup, "ตราด สำนักงาน") == ["SS-SRCH-0001", "SS-SRCH-0004"]
    assert _found(desk, sup, "ตราด โฉนด") == ["SS-SRCH-0001"]
    assert _found(desk, sup, "โฉนด เชียงใหม่ ที่ดิน เรียกรับเงิน") == ["SS-SRCH-0002"]
    assert _found(desk, sup, "ASPHALT contract") == ["SS-SRCH-0005"]
    # one word nobody used empties the result, however common the others are
    assert _found(desk, sup, "เรียกรับเงิน ไดโนเสาร์") == []
    assert _found(desk, sup, "ไดโนเสาร์") == []
    assert _found(desk, sup, "  ") == sorted(TIPS)  # no query: no search
    # a reference, whole or its beginning; words still filter with the other filters
    assert _found(desk, sup, "SS-SRCH-0004") == ["SS-SRCH-0004"]
    assert _found(desk, sup, "ss-srch") == sorted(TIPS)
    assert _found(desk, sup, "เรียกรับเงิน", status="received") == ["SS-SRCH-0001", "SS-SRCH-0002",
                                                                       "SS-SRCH-0003"]
    assert _found(desk, sup, "เรียกรับเงิน", status="closed") == []
    # another office's case is not found by its words
    _open(cfg, "SS-SRCH-0006", "เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด", "สำนักงานที่ดินจังหวัดตราด", None,
          office="PACC-R3")
    assert _found(desk, sup, "สำนักงานที่ดินจังหวัดตราด") == ["SS-SRCH-0001"]


def test_the_count_stops_at_a_cap_and_says_more_than(cfg, monkeypatch):
    from services.casework import repository

    for reference, tip in TIPS.items():
        _open(cfg, reference, *tip)
    desk = _desk(cfg)
    sup = accounts.principal_of(add_user(cfg, "supat", "supervisor"))
    exact = desk.list_cases(sup, {"show": "all", "per_page": 2})
    assert (exact["total"], exact["total_exact"], exact["pages"]) == (5, True, 3)
    monkeypatch.setattr(repository, "COUNT_CAP", 3)
    capped = desk.list_cases(sup, {"show": "all", "per_page": 2})
    assert (capped["total"], capped["total_exact"]) == (3, False)
    assert capped["pages"] == 2 and len(capped["items"]) == 2
    # the pages past the cap are still there (the count only stopped)
    assert [c["reference"] for c in desk.list_cases(sup, {"show": "all", "per_page": 2, "page": 3,
                                                          "sort": "reference"})["items"]] == ["SS-SRCH-0005"]
    assert desk.list_cases(sup, {"show": "all", "q": "ตราด"})["total_exact"] is True


def test_a_page_showing_case_text_is_recorded_as_a_read_of_those_cases(cfg):
    for reference, tip in TIPS.items():
        _open(cfg, reference, *tip)
    desk = _desk(cfg)
    sup = accounts.principal_of(add_user(cfg, "supat", "supervisor"))
    auditor = accounts.principal_of(add_user(cfg, "aud", "auditor", "PACC"))
    page = desk.list_cases(sup, {"show": "all", "sort": "reference", "per_page": 2, "page": 2})
    shown = [c["reference"] for c in page["items"]]
    assert shown == ["SS-SRCH-0003", "SS-SRCH-0004"] and page["items"][0]["snippet"]
    database = db(cfg, "casework")
    with database.reading() as session:
        views = session.execute(select(CaseView.case_id, CaseView.user_id, CaseView.view)).all()
    listed = outbox(cfg, "cases.listed")
    assert len(listed) == 1  # one record for the page
    payload = listed[0]["payload"]
    assert [c["reference"] for c in payload["cases"]] == shown
    assert (payload["viewer_id"], payload["viewer_role"], payload["view"]) == (sup.user_id, "supervisor", "list")
    assert sorted(v.case_id for v in views) == sorted(c["case_id"] for c in payload["cases"])
    assert {(v.user_id, v.view) for v in views} == {(sup.user_id, "list")}
    assert "description" not in json.dumps(payload) and "โฉนด" not in json.dumps(payload, ensure_ascii=False)
    # the access log names the read in words
    log = desk.access_entries(sup, reference="SS-SRCH-0003")
    assert [e["read_label"]["en"] for e in log["entries"]] == ["Shown in the inbox (snippet)"]
    # a search shows text too; an empty page and the auditor's content-free list record nothing
    desk.list_cases(sup, {"show": "all", "q": "ตำรวจทางหลวง"})
    assert [c["reference"] for c in outbox(cfg, "cases.listed")[-1]["payload"]["cases"]] == ["SS-SRCH-0003"]
    desk.list_cases(sup, {"show": "all", "q": "ไดโนเสาร์"})
    assert "snippet" not in desk.list_cases(auditor, {"show": "all"})["items"][0]
    assert len(outbox(cfg, "cases.listed")) == 2
    with database.reading() as session:
        assert len(session.execute(select(CaseView.id)).all()) == 3
