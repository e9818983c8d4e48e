"""The inbox's rules in plain Python: deadline countdowns in Bangkok days, the sort whitelist, snippets, what a
saved view keeps, bulk actions through the single-case use case, and the search index of accused fields."""
from datetime import UTC, datetime, timedelta

import pytest

from services.casework.domain import inbox
from services.casework.domain.deadlines import countdown, next_deadline
from services.casework.domain.errors import Forbidden, NotFound, TransitionError
from services.casework.repository import _SORT_COLUMNS, search_texts
from services.casework.usecases import inbox as inbox_usecases
from shared import blind_index

NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok


@pytest.mark.parametrize(("hours", "th", "en", "late"), [
    (50, "อีก 2 วัน", "due in 2 days", False),
    (30, "ครบกำหนดพรุ่งนี้", "due tomorrow", False),
    (10, "ครบกำหนดวันนี้ (อีก 10 ชั่วโมง)", "due today (in 10 hours)", False),  # 22:00 Bangkok, same day
    (-2, "เกินกำหนด 2 ชั่วโมง", "late by 2 hours", True),
    (-30, "เกินกำหนด 1 วัน", "late by 1 day", True),
    (-80, "เกินกำหนด 3 วัน", "late by 3 days", True),
])
def test_countdown_words(hours, th, en, late):
    c = countdown(NOW + timedelta(hours=hours), NOW)
    assert (c["th"], c["en"], c["late"]) == (th, en, late)


def test_countdown_counts_bangkok_calendar_days_not_24_hour_periods():
    evening = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)       # 23:30 in Bangkok
    due = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)              # 09:00 in Bangkok, the next day
    assert countdown(due, evening)["en"] == "due tomorrow"
    assert countdown(due, evening)["days"] == 1
    assert countdown(NOW - timedelta(minutes=1), NOW)["late"]  # a minute past it, it is late


def test_the_next_deadline_is_acknowledgement_then_feedback_and_none_when_closed_or_met():
    ack, fb = NOW + timedelta(days=7), NOW + timedelta(days=90)
    assert next_deadline(open_=True, acknowledge_due=ack, acknowledged_at=None, feedback_due=fb,
                         feedback_given_at=None) == ("acknowledge", ack)
    assert next_deadline(open_=True, acknowledge_due=ack, acknowledged_at=NOW, feedback_due=fb,
                         feedback_given_at=None) == ("feedback", fb)
    assert next_deadline(open_=True, acknowledge_due=ack, acknowledged_at=NOW, feedback_due=fb,
                         feedback_given_at=NOW) is None
    assert next_deadline(open_=False, acknowledge_due=ack, acknowledged_at=None, feedback_due=fb,
                         feedback_given_at=None) is None


def test_sort_is_a_whitelist_and_every_key_has_its_sql():
    assert inbox.parse_sort("due") == ("due", False)
    assert inbox.parse_sort("-opened") == ("opened", True)
    for hostile in ("facts_json", "-password_hash", "opened; DROP TABLE x", "", None, "--due"):
        assert inbox.parse_sort(hostile) == (inbox.DEFAULT_SORT, False)
    assert set(_SORT_COLUMNS) == set(inbox.SORTS)
    assert inbox.toggled("opened", "opened") == "-opened"
    assert inbox.toggled("-opened", "opened") == "opened"
    assert inbox.toggled("-opened", "status") == "status"


def test_snippet_is_one_short_line():
    assert inbox.snippet("  เจ้าหน้าที่\nเรียกรับ   เงิน ") == "เจ้าหน้าที่ เรียกรับ เงิน"
    long = "คำ " * 100
    cut = inbox.snippet(long)
    assert len(cut) <= inbox.SNIPPET_LENGTH + 1 and cut.endswith("…") and "\n" not in cut
    assert inbox.snippet(None) == ""


def test_a_saved_view_keeps_filters_and_sort_never_the_page():
    query = inbox_usecases.view_query({"page": "3", "q": "โฉนด", "sort": "-due", "show": "open", "x": "1"})
    assert query == "show=open&q=%E0%B9%82%E0%B8%89%E0%B8%99%E0%B8%94&sort=-due"


def test_bulk_runs_the_single_case_use_case_for_each_and_reports_who_said_no():
    calls = []

    def run_one(reference, action, reason, assignee):
        calls.append((reference, action, reason, assignee))
        if reference == "SS-B":
            raise TransitionError("case.transition_not_allowed")
        if reference == "SS-C":
            raise NotFound()
        if reference == "SS-D":
            raise Forbidden()

    done = inbox_usecases.bulk(run_one, ["SS-A", "SS-B", "SS-A", "SS-C", "SS-D", " "], action="acknowledge",
                               reason="รับเรื่อง", assignee=None)
    assert [c[0] for c in calls] == ["SS-A", "SS-B", "SS-C", "SS-D"]  # each once
    assert done["done"] == ["SS-A"]
    assert [f["key"] for f in done["failed"]] == ["case.transition_not_allowed", "request.not_found",
                                                  "request.forbidden"]


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"action": "acknowledge", "reason": "  ", "assignee": None}, "case.reason_required"),
    ({"action": "assign", "reason": None, "assignee": None}, "case.assignee_invalid"),
    ({"action": "close", "reason": "x", "assignee": None}, "inbox.bulk_action_invalid"),
])
def test_bulk_refuses_before_touching_any_case(kwargs, key):
    with pytest.raises(TransitionError) as err:
        inbox_usecases.bulk(lambda *a: pytest.fail("no case should be touched"), ["SS-A"], **kwargs)
    assert err.value.key == key
    with pytest.raises(TransitionError):
        inbox_usecases.bulk(lambda *a: None, [], action="acknowledge", reason="x", assignee=None)


def test_the_accused_organisation_and_position_are_searchable_through_the_blind_index():
    blind_index.install_key("casework", b"\x07" * 32)
    facts = {"description": "เรียกรับเงินใต้โต๊ะ", "accused": {"organization": "สำนักงานที่ดินจังหวัดตราด",
                                                               "position": "เจ้าพนักงานที่ดิน"},
             "location": {"place": "Trat land office"}}
    stored = blind_index.index_terms("casework", *search_texts(facts))
    for query in ("ที่ดิน", "ตราด", "เจ้าพนักงาน", "land office", "ใต้โต๊ะ"):
        assert blind_index.query_terms("casework", query) <= stored, query
    assert not blind_index.query_terms("casework", "ตำรวจ") <= stored


def test_exported_cells_never_start_a_formula():
    assert inbox_usecases._safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert inbox_usecases._safe("@SUM(A1)") == "'@SUM(A1)"
    assert inbox_usecases._safe("เรียกรับเงิน") == "เรียกรับเงิน"
