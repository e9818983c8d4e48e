"""Thai-first, English-second messages: the mechanism, and the words every service's HTTP edge shares.

Each service registers its own messages (`services/<svc>/messages.py`, registered when the service is imported):
`register(owner, messages)` checks that every message has Thai and English and adds it to the catalogue that
`message()` and `translate()` read; a key belongs to one owner (registering it again with other words is an error).
Validators raise marshmallow errors whose message is a key of the catalogue; marshmallow's own English messages
are recognised and given a Thai translation. `field_errors()` turns a marshmallow error dict into
{"location.province_code": [{"th": ..., "en": ...}], ...}. `language()` picks the language a caller asked for.
"""
from __future__ import annotations

import re

LANGUAGES = ("th", "en")  # Thai first
DEFAULT_LANGUAGE = "th"

# every message that message()/translate() answer with, by key (filled by register())
MESSAGES: dict[str, dict[str, str]] = {}
# owner -> its messages, as registered (for the check that every message has both languages)
REGISTERED: dict[str, dict[str, dict[str, str]]] = {}
_OWNER: dict[str, str] = {}


class MessageError(ValueError):
    """A message without Thai or English, or a key registered twice with different words."""


def missing_languages(messages: dict[str, dict[str, str]]) -> list[str]:
    """Keys of messages that lack a non-empty text in one of LANGUAGES."""
    return [key for key, texts in messages.items()
            if not all(isinstance(texts.get(lang), str) and texts[lang].strip() for lang in LANGUAGES)]


def register(owner: str, messages: dict[str, dict[str, str]], *, lookup: bool = True) -> dict[str, dict[str, str]]:
    """Register `owner`'s messages (a service, "shared", or a part of a service such as "intake.line").

    With `lookup` (the default) the keys join the catalogue message() and translate() read; without it the
    messages are only checked and recorded (texts a service looks up itself, e.g. the LINE bot's). Returns them.
    """
    missing = missing_languages(messages)
    if missing:
        raise MessageError(f"{owner}: messages without Thai and English: {', '.join(missing)}")
    if lookup:
        for key, texts in messages.items():
            if key in MESSAGES and MESSAGES[key] != texts:
                raise MessageError(f"{owner}: {key} is already registered by {_OWNER[key]} with other words")
        for key, texts in messages.items():
            MESSAGES[key] = texts
            _OWNER.setdefault(key, owner)
    REGISTERED.setdefault(owner, {}).update(messages)
    return messages


def language(requested: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language to answer in: the one asked for if we speak it, else Thai."""
    return requested if requested in LANGUAGES else default


def text_in(messages: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """One message's text in `lang`, Thai when it has none in that language."""
    entry = messages[key]
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


# The words shared.web and shared.geography answer with, and the validation messages every form uses.
register("shared", {
    "request.invalid_json": {"th": "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง", "en": "The request body is not valid JSON."},
    "request.invalid_utf8": {"th": "ข้อมูลที่ส่งมาไม่ใช่ UTF-8", "en": "The request body is not valid UTF-8."},
    "request.not_object": {"th": "ข้อมูลต้องเป็นออบเจกต์ JSON", "en": "The request body must be a JSON object."},
    "request.too_large": {"th": "ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด", "en": "The request body is too large."},
    "request.wrong_content_type": {"th": "ต้องส่งข้อมูลเป็น application/json",
                                   "en": "The request must be sent as application/json."},
    "request.validation_failed": {"th": "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ",
                                  "en": "Some fields are not valid; see the field errors."},
    "request.not_found": {"th": "ไม่พบข้อมูลที่ขอ", "en": "Not found."},
    "request.method_not_allowed": {"th": "ไม่รองรับวิธีการนี้", "en": "Method not allowed."},
    "request.internal_error": {"th": "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง",
                               "en": "A temporary error occurred; please try again."},
    "field.required": {"th": "จำเป็นต้องกรอก", "en": "This field is required."},
    "field.unknown": {"th": "ไม่รู้จักช่องข้อมูลนี้", "en": "Unknown field."},
    "field.null": {"th": "ต้องไม่เว้นว่าง", "en": "This field may not be null."},
    "field.not_string": {"th": "ต้องเป็นข้อความ", "en": "Must be a string."},
    "field.not_integer": {"th": "ต้องเป็นจำนวนเต็ม", "en": "Must be an integer."},
    "field.not_number": {"th": "ต้องเป็นตัวเลข", "en": "Must be a number."},
    "field.not_boolean": {"th": "ต้องเป็นจริงหรือเท็จ (true/false)", "en": "Must be true or false."},
    "field.not_date": {"th": "ต้องเป็นวันที่รูปแบบ ปปปป-ดด-วว", "en": "Must be a date (YYYY-MM-DD)."},
    "field.not_object": {"th": "ต้องเป็นออบเจกต์", "en": "Must be an object."},
    "field.not_list": {"th": "ต้องเป็นรายการ", "en": "Must be a list."},
    "field.not_email": {"th": "อีเมลไม่ถูกต้อง", "en": "Not a valid email address."},
    "field.not_one_of": {"th": "ค่าไม่อยู่ในตัวเลือกที่กำหนด", "en": "Not one of the allowed values."},
    "field.length": {"th": "ความยาวไม่อยู่ในช่วงที่กำหนด", "en": "Length is outside the allowed range."},
    "field.range": {"th": "ค่าไม่อยู่ในช่วงที่กำหนด", "en": "Value is outside the allowed range."},
    "field.invalid": {"th": "ค่าไม่ถูกต้อง", "en": "Invalid value."},
    "geo.unknown_province": {"th": "ไม่พบรหัสจังหวัดนี้ (รหัสกรมการปกครอง 2 หลัก)",
                             "en": "Unknown province code (2-digit DOPA code)."},
    "geo.unknown_district": {"th": "ไม่พบรหัสอำเภอนี้", "en": "Unknown district code."},
    "geo.unknown_subdistrict": {"th": "ไม่พบรหัสตำบลนี้", "en": "Unknown subdistrict code."},
    "geo.district_not_in_province": {"th": "อำเภอนี้ไม่อยู่ในจังหวัดที่ระบุ",
                                     "en": "This district is not in the given province."},
    "geo.subdistrict_not_in_district": {"th": "ตำบลนี้ไม่อยู่ในอำเภอที่ระบุ",
                                        "en": "This subdistrict is not in the given district."},
    "geo.subdistrict_not_in_province": {"th": "ตำบลนี้ไม่อยู่ในจังหวัดที่ระบุ",
                                        "en": "This subdistrict is not in the given province."},
    "request.invalid": {"th": "คำขอไม่ถูกต้อง", "en": "The request is not valid."},
    "request.timeout": {"th": "ส่งข้อมูลช้าเกินไป การเชื่อมต่อถูกปิด กรุณาลองใหม่อีกครั้ง",
                        "en": "The request arrived too slowly and was closed; please try again."},
    "request.busy": {"th": "ขณะนี้มีผู้ส่งไฟล์พร้อมกันจำนวนมาก กรุณาลองใหม่ในอีกสักครู่ ข้อมูลของท่านยังไม่ถูกบันทึก",
                     "en": "Many uploads are in progress; please try again in a moment. Nothing was stored."},
})

# marshmallow's English defaults -> our keys
_MARSHMALLOW = [
    (re.compile(r"^Missing data for required field"), "field.required"),
    (re.compile(r"^Unknown field"), "field.unknown"),
    (re.compile(r"^Field may not be null"), "field.null"),
    (re.compile(r"^Not a valid string"), "field.not_string"),
    (re.compile(r"^Not a valid integer"), "field.not_integer"),
    (re.compile(r"^Not a valid (number|decimal)"), "field.not_number"),
    (re.compile(r"^Not a valid boolean"), "field.not_boolean"),
    (re.compile(r"^Not a valid date"), "field.not_date"),
    (re.compile(r"^Not a valid mapping|^Invalid input type"), "field.not_object"),
    (re.compile(r"^Not a valid list"), "field.not_list"),
    (re.compile(r"^Not a valid email"), "field.not_email"),
    (re.compile(r"^Must be one of"), "field.not_one_of"),
    (re.compile(r"^(Shorter|Longer) than|^Length must be"), "field.length"),
    (re.compile(r"^Must be (greater|less)"), "field.range"),
    (re.compile(r"^Special numeric values"), "field.not_number"),
]


def filesize(size, in_bytes: str = "{size} ไบต์ / {size} bytes") -> str:
    """A file's size for people: under 1 KB in bytes (`in_bytes`, Thai first), then KB, then MB."""
    size = int(size or 0)
    if size < 1024:
        return in_bytes.format(size=size)
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def message(key: str, **detail) -> dict:
    text = dict(MESSAGES.get(key) or MESSAGES["field.invalid"])
    if detail:
        text["detail"] = detail
    return text


_LENGTHS = [  # marshmallow's Length messages -> the limit in both languages (Thai counts characters/items alike)
    (re.compile(r"^Length must be between (\d+) and (\d+)\."),
     "ต้องมีความยาว {0:,} ถึง {1:,} ตัวอักษร", "Must be {0:,} to {1:,} characters long."),
    (re.compile(r"^Shorter than minimum length (\d+)\."),
     "สั้นเกินไป ต้องมีอย่างน้อย {0:,} ตัวอักษร", "Too short: at least {0:,} characters."),
    (re.compile(r"^Longer than maximum length (\d+)\."),
     "ยาวเกินไป ได้ไม่เกิน {0:,} ตัวอักษร", "Too long: at most {0:,} characters."),
    (re.compile(r"^Length must be (\d+)\."), "ต้องมีความยาว {0:,} ตัวอักษรพอดี", "Must be exactly {0:,} characters."),
]


def translate(raw: str) -> dict:
    if raw in MESSAGES:
        return dict(MESSAGES[raw])
    for pattern, th, en in _LENGTHS:
        found = pattern.search(raw)
        if found:
            numbers = [int(n) for n in found.groups()]
            return {"th": th.format(*numbers), "en": en.format(*numbers)}
    for pattern, key in _MARSHMALLOW:
        if pattern.search(raw):
            out = dict(MESSAGES[key])
            if key in ("field.not_one_of", "field.length", "field.range"):
                out["en"] = raw  # keeps the allowed values / bounds
            return out
    return {"th": MESSAGES["field.invalid"]["th"], "en": raw}


def field_errors(errors, prefix: str = "") -> dict[str, list[dict]]:
    """Flatten marshmallow's nested error dict into dotted field paths with bilingual messages."""
    out: dict[str, list[dict]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = prefix if key == "_schema" and prefix else (f"{prefix}.{key}" if prefix else str(key))
            for p, msgs in field_errors(value, path).items():
                out.setdefault(p, []).extend(msgs)
    elif isinstance(errors, (list, tuple)):
        for item in errors:
            if isinstance(item, (dict, list)):
                for p, msgs in field_errors(item, prefix).items():
                    out.setdefault(p, []).extend(msgs)
            else:
                out.setdefault(prefix or "_request", []).append(translate(str(item)))
    else:
        out.setdefault(prefix or "_request", []).append(translate(str(errors)))
    return out
