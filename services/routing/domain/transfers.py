"""Moving a tip after its first decision: a triage officer's decision ("manual") or an office's transfer.

Plain functions over the tip's decision history (one `Stop` per accepted decision, in hop order); the
handlers store and announce what they return.

- A request names the office the tip is with now; a request from an office the tip has already left (a stale
  or repeated request) is refused.
- The tip never goes back to an office it has left as the competent office, unless a supervisor approved it.
  A triage stop at the coordinating office does not count as having been with that office.
- At most `max_transfers` transfers per tip. Triage decisions do not count: they end a triage stop, and a tip
  only returns to triage through a transfer, which does count, so a tip cannot circle for ever.
- A suggested or decided office must be in the agency directory, and may not be one the accused works in nor one
  of an agency the statute forbids to act on them (the conflict-of-interest check of the rules); no supervisor
  can override that.
- A transfer without a suggestion is decided again by the rules; when they can only name the office the tip
  is with or one it has left, the tip goes to its province's coordinating office for triage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_TRANSFERS = 5
REFUSAL_CODES = ("unknown_tip", "not_current_office", "not_in_triage", "unknown_office", "same_office", "loop",
                 "hop_limit", "no_alternative", "conflicted")
MANUAL_RULE = "manual"
TRANSFER_RULE = "transfer"
TRANSFER_TO_TRIAGE_RULE = "transfer-triage"


@dataclass(frozen=True)
class Stop:
    """One accepted decision: where the tip went at this hop."""
    hop: int
    kind: str  # automatic | manual | transfer
    agency: str
    triage: bool


@dataclass(frozen=True)
class Move:
    agency: str
    triage: bool
    kind: str  # manual | transfer
    rule: str
    statute: str | None
    reasons: dict
    override_used: bool = False  # a supervisor's approval was needed (the tip returns to an office it left)


@dataclass(frozen=True)
class Refusal:
    code: str
    reasons: dict


def offices_left(history: list[Stop]) -> set[str]:
    """Offices the tip has been with as the competent office, before its current stop."""
    return {stop.agency for stop in history[:-1] if not stop.triage and stop.agency}


def transfers_made(history: list[Stop]) -> int:
    return sum(1 for stop in history if stop.kind == "transfer")


def plan_transfer(engine, history: list[Stop], tip: dict, submitted_at: datetime, *, from_office: str,
                  suggested: str | None, reason: str, mode: str = "transfer", supervisor_override: bool = False,
                  max_transfers: int = MAX_TRANSFERS) -> Move | Refusal:
    """Where an office's transfer (or referral) takes the tip, or why it cannot go. `tip` is the rules' view."""
    names = _Names(engine.directory)
    if not history:
        return _refuse("unknown_tip", names)
    current = history[-1]
    if from_office != current.agency:
        return _refuse("not_current_office", names, office=from_office, current=current.agency)
    if transfers_made(history) >= max_transfers:
        return _refuse("hop_limit", names, count=transfers_made(history))
    left = offices_left(history)
    screening = engine.screen(tip)
    if suggested:
        if engine.directory.office(suggested) is None:
            return _refuse("unknown_office", names, office=suggested)
        if screening.forbidding(engine.directory.office(suggested)) is not None:
            return _refuse("conflicted", names, office=suggested)
        if suggested == current.agency:
            return _refuse("same_office", names, office=suggested)
        returning = suggested in left
        if returning and not supervisor_override:
            return _refuse("loop", names, office=suggested)
        return Move(agency=suggested, triage=False, kind="transfer", rule=TRANSFER_RULE, statute=None,
                    reasons=_transfer_reasons(names, from_office, suggested, reason, mode, returning),
                    override_used=returning)
    decision = engine.decide(tip, submitted_at)
    if not decision.triage and decision.agency and decision.agency != current.agency \
            and decision.agency not in left:
        head = _transfer_reasons(names, from_office, None, reason, mode, False)
        return Move(agency=decision.agency, triage=False, kind="transfer", rule=decision.rule,
                    statute=decision.statute or None,
                    reasons={lang: f"{head[lang]} {_RULES_SAY[lang]}{decision.reasons[lang]}" for lang in head})
    coordinator = decision.coordinator if decision.triage else engine.coordinator_for(
        (tip.get("location") or {}).get("province_code"), screening)
    if current.triage and current.agency == coordinator:
        return _refuse("no_alternative", names)
    head = _transfer_reasons(names, from_office, None, reason, mode, False)
    return Move(agency=coordinator, triage=True, kind="transfer", rule=TRANSFER_TO_TRIAGE_RULE, statute=None,
                reasons={"th": f"{head['th']} ระบบไม่พบหน่วยงานอื่นที่มีอำนาจตามกฎ จึงส่งให้เจ้าหน้าที่คัดกรองของ"
                               f"{names.th(coordinator)}พิจารณา",
                         "en": f"{head['en']} The rules name no other competent office, so a triage officer at "
                               f"{names.en(coordinator)} will decide."})


def plan_triage_decision(engine, history: list[Stop], *, office_code: str, decided: str, reason: str,
                         supervisor_override: bool = False, tip: dict | None = None) -> Move | Refusal:
    """A triage officer's decision: the tip leaves the coordinator's triage desk for the office decided on.
    `tip` is the rules' view of the tip, for the conflict-of-interest check."""
    names = _Names(engine.directory)
    if not history:
        return _refuse("unknown_tip", names)
    current = history[-1]
    if not current.triage or current.agency != office_code:
        return _refuse("not_in_triage", names, office=office_code)
    if engine.directory.office(decided) is None:
        return _refuse("unknown_office", names, office=decided)
    if tip is not None and engine.screen(tip).forbidding(engine.directory.office(decided)) is not None:
        return _refuse("conflicted", names, office=decided)
    returning = decided in offices_left(history)
    if returning and not supervisor_override:
        return _refuse("loop", names, office=decided)
    reasons = {
        "th": f"เจ้าหน้าที่คัดกรองของ{names.th(office_code)}พิจารณาแล้วเห็นว่า{names.th(decided)}"
              f"เป็นหน่วยงานที่มีอำนาจ" + _given("th", reason),
        "en": f"A triage officer at {names.en(office_code)} decided that {names.en(decided)} is the competent "
              f"office." + _given("en", reason),
    }
    if returning:
        reasons = _with_override_note(reasons)
    return Move(agency=decided, triage=False, kind="manual", rule=MANUAL_RULE, statute=None, reasons=reasons,
                override_used=returning)


# --- wording ---------------------------------------------------------------------------------------------------

_RULES_SAY = {"th": "ตามกฎการส่งต่อ: ", "en": "By the rules: "}

_REFUSALS = {
    "unknown_tip": ("ระบบส่งต่อไม่มีข้อมูลของเรื่องนี้", "Routing has no record of this tip."),
    "not_current_office": ("เรื่องนี้ไม่ได้อยู่ที่{office_th}แล้ว (ขณะนี้อยู่ที่{current_th})",
                           "The tip is no longer with {office_en} (it is now with {current_en})."),
    "not_in_triage": ("เรื่องนี้ไม่ได้รอการคัดกรองที่{office_th}",
                      "The tip is not waiting for triage at {office_en}."),
    "unknown_office": ("ไม่พบหน่วยงานรหัส {office} ในทะเบียนหน่วยงาน",
                       "There is no office with code {office} in the directory."),
    "same_office": ("เรื่องนี้อยู่ที่{office_th}อยู่แล้ว", "The tip is already with {office_en}."),
    "loop": ("เรื่องนี้เคยถูกส่งออกจาก{office_th}มาแล้ว จะส่งกลับได้เมื่อผู้บังคับบัญชาอนุมัติเท่านั้น",
             "The tip has already left {office_en}; it can go back only with a supervisor's approval."),
    "hop_limit": ("เรื่องนี้ถูกโอนมาแล้ว {count} ครั้ง ซึ่งเป็นจำนวนครั้งสูงสุดที่ทำได้",
                  "The tip has already been transferred {count} times, the most allowed."),
    "conflicted": ("ส่งเรื่องนี้ให้{office_th}ไม่ได้ เพราะผู้ถูกกล่าวหาทำงานที่นั่น หรือกฎหมายไม่ให้หน่วยงานนั้นดำเนินการกับผู้ถูกกล่าวหา",
                   "The tip cannot go to {office_en}: the accused works there, or the statute forbids that "
                   "agency to act on the accused."),
    "no_alternative": ("กฎการส่งต่อไม่พบหน่วยงานอื่นที่ยังไม่เคยได้รับเรื่องนี้ กรุณาระบุหน่วยงานที่เห็นว่ามีอำนาจ",
                       "The rules name no other office that has not already had this tip; "
                       "please name the office you think is competent."),
}


class _Names:
    """Office names for reasons; a code the directory does not know is shown as the code."""

    def __init__(self, directory):
        self.directory = directory

    def th(self, code) -> str:
        office = self.directory.office(code) if code else None
        return office.name_th if office else str(code)

    def en(self, code) -> str:
        office = self.directory.office(code) if code else None
        return office.name_en if office else str(code)


def _refuse(code: str, names: _Names, **values) -> Refusal:
    th, en = _REFUSALS[code]
    fill = dict(values)
    for key in ("office", "current"):
        if key in values:
            fill[f"{key}_th"] = names.th(values[key])
            fill[f"{key}_en"] = names.en(values[key])
    return Refusal(code, {"th": th.format(**fill), "en": en.format(**fill)})


def _transfer_reasons(names: _Names, from_office, to_office, reason, mode, returning) -> dict:
    if mode == "refer":
        th = f"{names.th(from_office)}ส่งต่อเรื่องให้หน่วยงานอื่นดำเนินการ"
        en = f"{names.en(from_office)} referred the tip for another body to act on"
    else:
        th = f"{names.th(from_office)}แจ้งว่าไม่มีอำนาจพิจารณาเรื่องนี้"
        en = f"{names.en(from_office)} said it is not competent"
    if to_office:
        th += f" และเสนอให้ส่ง{names.th(to_office)}"
        en += f" and suggested {names.en(to_office)}"
    reasons = {"th": th + _given("th", reason), "en": en + "." + _given("en", reason)}
    return _with_override_note(reasons) if returning else reasons


def _given(lang: str, reason: str | None) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        return ""
    return f" เหตุผล: {reason}" if lang == "th" else f" Reason given: {reason}"


def _with_override_note(reasons: dict) -> dict:
    return {"th": f"{reasons['th']} (ผู้บังคับบัญชาอนุมัติให้ส่งกลับหน่วยงานที่เคยได้รับเรื่องนี้)",
            "en": f"{reasons['en']} (a supervisor approved sending it back to an office it had left)"}
