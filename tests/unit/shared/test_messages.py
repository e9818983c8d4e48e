"""Every service registers its own messages with shared.i18n, each in Thai and English."""
from pathlib import Path

import pytest

import services.casework.messages
import services.intake.line.texts  # noqa: F401  (registers the LINE bot's texts)
import services.intake.messages
from shared import i18n

ROOT = Path(__file__).resolve().parents[3]


def test_every_registered_message_has_thai_and_english():
    assert {"shared", "intake", "casework", "intake.line.texts", "intake.line.buttons"} <= set(i18n.REGISTERED)
    for owner, messages in i18n.REGISTERED.items():
        assert messages, owner
        for key, texts in messages.items():
            assert texts["th"].strip() and texts["en"].strip(), (owner, key)


def test_each_service_answers_with_its_own_messages():
    assert i18n.message("case.not_open") == services.casework.messages.MESSAGES["case.not_open"]
    assert i18n.message("ops.unavailable") == services.casework.messages.OPS_MESSAGES["ops.unavailable"]
    assert i18n.message("receipt.unknown") == services.intake.messages.MESSAGES["receipt.unknown"]
    assert i18n.message("no.such.key") == i18n.MESSAGES["field.invalid"]


def test_a_message_without_both_languages_is_refused():
    with pytest.raises(i18n.MessageError, match="x.only_thai"):
        i18n.register("test", {"x.only_thai": {"th": "ไทย", "en": " "}})
    assert "test" not in i18n.REGISTERED and "x.only_thai" not in i18n.MESSAGES


def test_a_key_belongs_to_one_owner():
    with pytest.raises(i18n.MessageError, match="case.not_open is already registered by casework"):
        i18n.register("test", {"case.not_open": {"th": "อื่น", "en": "Other words."}})
    i18n.register("casework", {"case.not_open": dict(i18n.MESSAGES["case.not_open"])})  # the same words: harmless


def test_the_language_is_thai_unless_english_is_asked_for():
    assert i18n.language("en") == "en"
    assert [i18n.language(x) for x in ("th", None, "", "fr", "EN")] == ["th"] * 5
    assert i18n.text_in({"k": {"th": "ไทย", "en": ""}}, "k", "en") == "ไทย"


def test_no_module_adds_to_the_catalogue_behind_its_back():
    offenders = [str(p.relative_to(ROOT)) for base in ("services", "shared") for p in (ROOT / base).rglob("*.py")
                 if "MESSAGES.update(" in p.read_text(encoding="utf-8")]
    assert offenders == []
