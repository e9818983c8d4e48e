"""Notification templates: both languages render, and no template can be handed what it must not show."""
import datetime
from pathlib import Path

import jinja2.meta
import pytest

from shared.notifications import messages
from shared.notifications.messages import TEMPLATE_FIELDS, TIPSTER_SAFE_FIELDS, UnsafeContextError, render

DUE = datetime.datetime(2025, 3, 5, 10, 0, tzinfo=datetime.timezone.utc)  # 17:00 in Bangkok
CONTEXTS = {
    "office_new_case": dict(reference="SS-2025-000123", category="จัดซื้อจัดจ้าง", province="เชียงใหม่",
                            acknowledge_by=DUE, desk_url="https://desk.example/cases/SS-2025-000123"),
    "tipster_update": dict(reference="SS-2025-000123", status_url="https://sodsong.example/status"),
    "caseworker_assigned": dict(caseworker_name="สมศรี", reference="SS-2025-000123", category="Procurement",
                                province="Chiang Mai", due_by=DUE, desk_url="https://desk.example/c/1"),
    "supervisor_deadline_reminder": dict(reference="SS-2025-000123", deadline="acknowledge", due_by=DUE,
                                         caseworker_name=None, desk_url="https://desk.example/c/1"),
    "supervisor_deadline_breach": dict(reference="SS-2025-000123", deadline="feedback", due_by=DUE,
                                       caseworker_name="Somsri", desk_url="https://desk.example/c/1"),
    "volunteer_status_change": dict(reference="SS-2025-000123", status="routed",
                                    status_url="https://sodsong.example/status"),
    "operator_daily_failures": dict(day=datetime.date(2025, 3, 5), total_failed=3, queue_url="https://desk.example/q",
                                    by_channel=[{"channel": "sms", "failed": 2, "last_reason": "HTTP 503 <gw>"},
                                                {"channel": "email", "failed": 1}]),
}
TEMPLATE_DIR = Path(messages.__file__).parent / "templates"
REPORTER_FIELDS = {"description", "reporter_name", "reporter_phone", "reporter_email", "reporter_line_id",
                   "reporter", "tipster", "contact", "accused", "agency_notes", "receipt", "attachments"}


def test_every_template_has_a_context_here():
    assert set(CONTEXTS) == set(TEMPLATE_FIELDS)


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("template", sorted(TEMPLATE_FIELDS))
def test_renders_subject_and_text_in_both_languages(template, language):
    subject, text, html = render(template, language, CONTEXTS[template])
    assert subject and "\n" not in subject
    assert text.strip() and text.endswith("\n")
    # the tipster's notice is discreet: not even the reference (tests/unit/intake/test_discreet_notices.py)
    assert ("SS-2025-000123" in text) == (template not in ("operator_daily_failures", "tipster_update"))
    thai_letters = any("\u0e00" <= ch <= "\u0e7f" for ch in subject + text)
    assert thai_letters == (language == "th") or template in ("office_new_case", "caseworker_assigned")


def test_thai_dates_use_the_buddhist_era_and_bangkok_time():
    _, text, _ = render("office_new_case", "th", CONTEXTS["office_new_case"])
    assert "5 มีนาคม 2568 เวลา 17:00 น." in text
    _, text, _ = render("office_new_case", "en", CONTEXTS["office_new_case"])
    assert "5 March 2025, 17:00 Bangkok time" in text


def test_dates_arrive_as_iso_strings_from_events_and_formatting_twice_is_harmless():
    assert messages.when("2025-03-05T10:00:00+00:00", "th") == "5 มีนาคม 2568 เวลา 17:00 น."
    assert messages.when("2025-03-05", "en") == "5 March 2025"
    assert messages.when(datetime.datetime(2025, 3, 5, 10, 0), "en") == "5 March 2025, 17:00 Bangkok time"
    once = messages.when(DUE, "th")
    assert messages.when(once, "th") == once
    context = dict(CONTEXTS["office_new_case"], acknowledge_by=once)
    assert once in render("office_new_case", "th", context)[1]


def test_volunteer_sees_the_same_status_words_as_the_tipster_page():
    from shared.vocabulary import TIPSTER_STATUSES
    context = dict(CONTEXTS["volunteer_status_change"], status="investigating")
    assert TIPSTER_STATUSES["investigating"]["th"] in render("volunteer_status_change", "th", context)[1]


def test_html_is_escaped_and_text_is_not():
    _, text, html = render("operator_daily_failures", "en", CONTEXTS["operator_daily_failures"])
    assert "HTTP 503 <gw>" in text
    assert "HTTP 503 &lt;gw&gt;" in html and "<gw>" not in html


def test_tipster_update_says_only_that_there_is_a_message():
    subject, text, html = render("tipster_update", "th", CONTEXTS["tipster_update"])
    assert text == "มีข้อความใหม่สำหรับท่าน ดูได้ที่ https://sodsong.example/status\n"
    assert "SS-" not in subject + text  # a lock screen or a shared phone shows nothing about a report
    assert html is None


@pytest.mark.parametrize("extra", ["description", "agency_notes", "accused", "status", "reporter_name"])
def test_tipster_update_refuses_any_extra_context(extra):
    context = dict(CONTEXTS["tipster_update"], **{extra: "นายก อบต. รับเงินใต้โต๊ะ"})
    with pytest.raises(UnsafeContextError, match=extra):
        render("tipster_update", "en", context)


@pytest.mark.parametrize("field, value", [
    ("reference", "SS-1 the mayor took bribes"),
    ("reference", 123),
    ("status_url", "https://sodsong.example/status?receipt=1234567890123456"),
    ("status_url", "https://sodsong.example/status#receipt"),
    ("status_url", "javascript:alert(1)"),
])
def test_tipster_update_refuses_unsafe_values(field, value):
    with pytest.raises(UnsafeContextError):
        render("tipster_update", "en", dict(CONTEXTS["tipster_update"], **{field: value}))


def test_tipster_safe_fields_are_exactly_reference_and_status_url():
    assert TIPSTER_SAFE_FIELDS == {"reference", "status_url"}


def test_office_template_takes_no_reporter_fields():
    assert not TEMPLATE_FIELDS["office_new_case"] & REPORTER_FIELDS
    for field in ("description", "reporter_name", "reporter_phone"):
        with pytest.raises(UnsafeContextError, match=field):
            render("office_new_case", "th", dict(CONTEXTS["office_new_case"], **{field: "x"}))


@pytest.mark.parametrize("template", sorted(TEMPLATE_FIELDS))
def test_no_template_takes_reporter_fields(template):
    assert not TEMPLATE_FIELDS[template] & REPORTER_FIELDS


def test_missing_context_is_refused():
    context = dict(CONTEXTS["office_new_case"])
    del context["desk_url"]
    with pytest.raises(UnsafeContextError, match="desk_url"):
        render("office_new_case", "en", context)


def test_unknown_template_or_language_is_refused():
    with pytest.raises(ValueError):
        render("office_new_case", "fr", CONTEXTS["office_new_case"])
    with pytest.raises(ValueError):
        render("nope", "th", {})


@pytest.mark.parametrize("template", sorted(TEMPLATE_FIELDS))
@pytest.mark.parametrize("language", ["th", "en"])
def test_template_files_use_only_their_declared_fields(template, language):
    """The allow-list is only worth something if the files cannot reach past it."""
    source = (TEMPLATE_DIR / messages.template_file(template, language)).read_text(encoding="utf-8")
    used = jinja2.meta.find_undeclared_variables(messages.TEXT_ENVIRONMENT.parse(source))
    # the tipster's notice may be handed the reference (a deployment's own text may show it) but does not show it
    expected = set(TEMPLATE_FIELDS[template]) - ({"reference"} if template == "tipster_update" else set())
    assert used == expected, used ^ expected


def test_template_directory_holds_exactly_the_declared_templates():
    files = {p.name for p in TEMPLATE_DIR.glob("*.j2")}
    assert files == {messages.template_file(t, lang) for t in TEMPLATE_FIELDS for lang in ("th", "en")}
