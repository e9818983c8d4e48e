"""What a tipster's phone shows: by default neither the service's name, nor what it is about, nor the reference;
the words are set per channel and language, and a configured text cannot reach anything but the link (and, if a
deployment accepts the risk, the reference)."""
from __future__ import annotations

import pytest

from services.intake import tipster_notices
from services.intake.settings import TIPSTER_TEXTS
from shared.notifications.messages import UnsafeContextError, render

REFERENCE = "SS-7KQ2-M9XD"
CONTEXT = {"reference": REFERENCE, "status_url": "https://tips.example.org/status"}
# words that tell whoever reads the phone that its owner reported someone
FORBIDDEN = ["sodsong", "สอดส่อง", "corrupt", "ทุจริต", "คอร์รัปชั่น", "คอรัปชั่น", "bribe", "สินบน", "report",
             "รายงาน", "แจ้งเบาะแส", "เบาะแส", "ร้องเรียน", "complaint", "tip", "receipt", "ใบรับแจ้ง", "รหัสรับแจ้ง",
             "ป.ป.ช", "ป.ป.ท", "pacc", "nacc", "case", "คดี", "SS-"]


def _notice_texts(settings: dict) -> list[tuple[str, str, str]]:
    found = []
    for kind in ("sms", "line", "email"):
        for language in ("th", "en"):
            subject, text, html = tipster_notices.tipster_message(settings, kind, language, CONTEXT)
            assert html is None
            found.append((f"{kind}/{language}", subject, text))
    return found


def test_default_texts_on_every_channel_name_nothing_that_gives_the_tipster_away():
    settings = tipster_notices.settings_of({"intake": {"tipster_notices": {"status_url": CONTEXT["status_url"]}}})
    texts = _notice_texts(settings) + [(f"template/{lang}", *render("tipster_update", lang, CONTEXT)[:2])
                                       for lang in ("th", "en")]
    for where, subject, text in texts:
        # the link is the deployment's own (docs/open311.md: choose a host name that says nothing either)
        words = (subject + " " + text.replace(CONTEXT["status_url"], "")).lower()
        leaked = [w for w in FORBIDDEN if w.lower() in words]
        assert not leaked, f"{where}: {leaked} in {subject!r} / {text!r}"
        assert CONTEXT["status_url"] in text, where  # the one thing it does say: where to read the message
    assert {t[0] for t in texts} >= {"sms/th", "sms/en", "line/th", "line/en", "email/th", "email/en"}
    th = dict((t[0], t[2]) for t in texts)["sms/th"]
    assert th == "มีข้อความใหม่สำหรับท่าน ดูได้ที่ https://tips.example.org/status\n"


def test_the_forbidden_words_would_be_caught():
    # the scan above can fail: the words the service used before are all caught
    before = "สอดส่อง: รายงาน SS-7KQ2-M9XD ของคุณมีความคืบหน้า / Sodsong: your report has an update"
    assert [w for w in FORBIDDEN if w.lower() in before.lower()]


def test_the_texts_are_set_per_channel_and_language_and_the_rest_keep_the_default():
    settings = tipster_notices.settings_of({"intake": {"tipster_notices": {
        "status_url": CONTEXT["status_url"],
        "texts": {"sms": {"th": {"text": "แจ้งจากร้านค้า ดูที่ {status_url}"}},
                  "email": {"en": {"subject": "Hello", "text": "Your item {reference}: {status_url}"}}}}}})
    assert tipster_notices.tipster_message(settings, "sms", "th", CONTEXT)[:2] == (
        TIPSTER_TEXTS["sms"]["th"]["subject"], "แจ้งจากร้านค้า ดูที่ https://tips.example.org/status\n")
    assert tipster_notices.tipster_message(settings, "email", "en", CONTEXT)[:2] == (
        "Hello", f"Your item {REFERENCE}: https://tips.example.org/status\n")
    assert tipster_notices.tipster_message(settings, "line", "en", CONTEXT)[1] == (
        "You have a new message: https://tips.example.org/status\n")


@pytest.mark.parametrize("text", ["{description}", "{status_url.__class__}", "{reference!r}", "{status_url:>99}",
                                  "{0}", "unbalanced {", ""])
def test_a_configured_text_can_reach_only_the_link_and_the_reference(text):
    with pytest.raises(ValueError):
        tipster_notices.settings_of({"intake": {"tipster_notices": {"texts": {"line": {"en": {"text": text or " "}}}}}})


def test_the_context_is_still_checked_before_any_text_is_made():
    settings = tipster_notices.settings_of({})
    with pytest.raises(UnsafeContextError):
        tipster_notices.tipster_message(settings, "sms", "th", {**CONTEXT, "status_url": CONTEXT["status_url"]
                                                                + "?receipt=1234567812345678"})
    with pytest.raises(UnsafeContextError):
        tipster_notices.tipster_message(settings, "sms", "th", {**CONTEXT, "description": "x"})
