"""The desk's words for its codes, Thai first: what each line of a case's timeline says, amounts of money, and
the codes that must never reach a page as they are (a page test scans for them).

Plain Python: the desk's pages and its JSON API both read these, so a script sees the same words as a person.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from services.casework.domain.lifecycle import RESOLUTIONS, STATES
from shared.vocabulary import CATEGORIES, CHANNELS, OFFICIAL_TYPES

Words = dict[str, str]

# what kind of thing happened, for every kind of line a case's timeline holds
EVENT_KINDS: dict[str, Words] = {
    "opened": {"th": "เปิดเรื่อง", "en": "Case opened"},
    "transition": {"th": "เปลี่ยนสถานะ", "en": "Status changed"},
    "returned": {"th": "เรื่องกลับมาที่หน่วยงาน", "en": "Case came back"},
    "rerouted": {"th": "รับเรื่องที่ส่งต่อมาจากหน่วยงานอื่น", "en": "Received from another office"},
    "note": {"th": "บันทึก", "en": "Note"},
    "question": {"th": "ถามผู้แจ้ง", "en": "Question to the tipster"},
    "assignment": {"th": "มอบหมายงาน", "en": "Assignment"},
    "transfer_requested": {"th": "ขอโอน/ส่งต่อเรื่อง", "en": "Hand-over requested"},
    "closure_proposed": {"th": "เสนอยุติเรื่อง", "en": "Closure proposed"},
    "closure_rejected": {"th": "หัวหน้าไม่อนุมัติการยุติเรื่อง", "en": "Closure proposal rejected"},
    "deadline_extended": {"th": "ขยายเวลา", "en": "Deadline extended"},
    "deadline_reminder": {"th": "เตือนกำหนดเวลา", "en": "Deadline reminder"},
    "deadline_breached": {"th": "เกินกำหนดเวลา (แจ้งหัวหน้าแล้ว)", "en": "Deadline missed (supervisor told)"},
    "triage_decided": {"th": "คัดกรองแล้ว ส่งให้หน่วยงานที่มีอำนาจ", "en": "Triage decided"},
    "transfer_refused": {"th": "การโอนไม่สำเร็จ เรื่องอยู่ที่หน่วยงานเดิม", "en": "Hand-over refused; the case stays"},
    "tipster_message": {"th": "ผู้แจ้งส่งข้อความ", "en": "The tipster wrote"},
    "feedback_recorded": {"th": "ผู้แจ้งเห็นข้อความแล้วในหน้าติดตามเรื่อง",
                          "en": "Note shown on the tipster's status page"},
    "evidence_viewed": {"th": "เปิดดูหลักฐาน", "en": "Evidence viewed"},
}

DEADLINES: dict[str, Words] = {
    "acknowledge": {"th": "ตอบรับเรื่อง", "en": "acknowledgement"},
    "feedback": {"th": "แจ้งความคืบหน้าแก่ผู้แจ้ง", "en": "feedback to the tipster"},
}

HANDOVER_MODES: dict[str, Words] = {
    "transfer": {"th": "โอนเรื่อง", "en": "transfer"},
    "refer": {"th": "ส่งต่อให้ดำเนินการ", "en": "referral"},
    "triage": {"th": "ผลคัดกรอง", "en": "triage decision"},
}

ROLES: dict[str, Words] = {
    "caseworker": {"th": "เจ้าหน้าที่ผู้รับผิดชอบเรื่อง", "en": "Caseworker"},
    "supervisor": {"th": "หัวหน้างาน", "en": "Supervisor"},
    "triage_officer": {"th": "เจ้าหน้าที่คัดกรอง", "en": "Triage officer"},
    "agency_admin": {"th": "ผู้ดูแลบัญชีของหน่วยงาน", "en": "Agency administrator"},
    "operator": {"th": "ผู้ดูแลระบบงาน (ปฏิบัติการ)", "en": "Operator"},
    "auditor": {"th": "ผู้ตรวจสอบ", "en": "Auditor"},
    "volunteer": {"th": "อาสาสมัคร", "en": "Volunteer"},
    "system_admin": {"th": "ผู้ดูแลระบบกลาง", "en": "System administrator"},
    "coordinator": {"th": "ผู้ประสานงานเครือข่าย", "en": "Network coordinator"},
}


def role_label(role: str) -> Words:
    """A desk role in words (the pages never show a role's code alone)."""
    return ROLES.get(role) or {"th": role, "en": role}

VIEWS: dict[str, Words] = {
    "detail": {"th": "เปิดอ่านทั้งเรื่อง", "en": "full case"},
    "status": {"th": "ดูสถานะ", "en": "status only"},
    "audit": {"th": "ดูบันทึกการตรวจสอบ", "en": "audit view"},
    "handover": {"th": "ดูบันทึกการส่งต่อ", "en": "hand-over record"},
    "list": {"th": "เห็นในรายการเรื่อง", "en": "shown in the inbox"},
    "export": {"th": "ส่งออกในไฟล์รายการ", "en": "exported in the case list"},
}


def _join(*parts: Words | None) -> Words:
    kept = [p for p in parts if p]
    return {"th": " ".join(p["th"] for p in kept), "en": " ".join(p["en"] for p in kept)}


def describe(kind: str, detail: dict, *, state: Callable[[str], Words], names: dict, offices: dict) -> Words | None:
    """What a timeline line adds to its kind, in words (None when the kind says it all).

    `state(code)` gives a state's staff words, `names` user id → display name, `offices` code → {"th", "en"}."""
    def office(code):
        if not code:
            return None
        found = offices.get(code)
        return dict(found) if found else {"th": code, "en": code}

    if kind in ("transition", "returned") and detail.get("to") in STATES:
        out = {"th": f"เป็น “{state(detail['to'])['th']}”", "en": f"to “{state(detail['to'])['en']}”"}
        if detail.get("resolution") in RESOLUTIONS:
            r = RESOLUTIONS[detail["resolution"]]
            out = _join(out, {"th": f"({r['th']})", "en": f"({r['en']})"})
        return out
    if kind in ("closure_proposed", "closure_rejected") and detail.get("resolution") in RESOLUTIONS:
        r = RESOLUTIONS[detail["resolution"]]
        return {"th": f"ผลการพิจารณา: {r['th']}", "en": f"resolution: {r['en']}"}
    if kind == "assignment":
        who = names.get(detail.get("assignee") or "")
        if not detail.get("assignee"):
            return {"th": "ยกเลิกการมอบหมาย", "en": "unassigned"}
        return {"th": f"ให้ {who or 'ผู้ใช้ที่ถูกลบ'}", "en": f"to {who or 'a removed user'}"}
    if kind == "note":
        return ({"th": "(ผู้แจ้งเห็น)", "en": "(visible to the tipster)"} if detail.get("visibility") == "tipster_visible"
                else {"th": "(ภายใน)", "en": "(internal)"})
    if kind in ("deadline_extended", "deadline_reminder", "deadline_breached") and detail.get("deadline") in DEADLINES:
        return dict(DEADLINES[detail["deadline"]])
    if kind == "transfer_requested":
        mode = HANDOVER_MODES.get(detail.get("mode") or "")
        target = office(detail.get("suggested_office"))
        return _join(mode, {"th": f"เสนอ {target['th']}", "en": f"suggested: {target['en']}"} if target else None)
    if kind == "triage_decided":
        target = office(detail.get("decided_office"))
        return {"th": f"ไปยัง {target['th']}", "en": f"to {target['en']}"} if target else None
    if kind == "rerouted":
        source = office(detail.get("from_office"))
        return {"th": f"จาก {source['th']}", "en": f"from {source['en']}"} if source else None
    if kind == "opened":
        target = office(detail.get("office"))
        return _join({"th": f"ที่ {target['th']}", "en": f"at {target['en']}"} if target else None,
                     {"th": "(โต๊ะคัดกรอง)", "en": "(triage desk)"} if detail.get("triage") else None)
    if kind == "tipster_message":
        parts = []
        if detail.get("answers_question"):
            parts.append({"th": "ตอบคำถาม", "en": "an answer"})
        if detail.get("attachments"):
            n = int(detail["attachments"])
            parts.append({"th": f"แนบไฟล์ {n} ไฟล์", "en": f"{n} file{'s' * (n != 1)}"})
        return _join(*parts) if parts else None
    return None


def baht(value, lang: str = "th") -> str | None:
    """An amount of money as people write it: "20,000 บาท", "1,250.50 บาท" ("20,000 baht" in English; satang
    only when there are some); None when there is no amount. Arabic digits, as every other number on the desk."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{text} baht" if lang == "en" else f"{text} บาท"


def raw_codes() -> set[str]:
    """Codes a page must never show as they are: every state, category, official type, resolution, event kind
    role and channel whose code has an underscore (a word a person would not write), e.g. `abuse_of_power`."""
    codes = (set(STATES) | set(CATEGORIES) | set(OFFICIAL_TYPES) | set(RESOLUTIONS) | set(EVENT_KINDS) | set(ROLES)
             | set(CHANNELS))
    return {c for c in codes if "_" in c}
