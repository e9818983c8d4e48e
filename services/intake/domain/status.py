"""Where a tip stands, as the tipster is told it: the rules of intake's status projection.

Casework numbers every change of a case's state (`case_version` on case.opened and case.status_changed): the
headline status is the case's state at the highest version heard, so it follows the case wherever it goes — a
transfer, a refused transfer, a reopening — and a late event never moves it back. Before the case exists,
routing's decision moves the status forward by rank.

The timeline is for a person: one line per step they care about, in the order the steps happened. A hand-over
that routing refused (the case stayed where it was) and a triage stop that ends at the same office leave no
line; a line that only repeats the one before it is not shown again.
"""
from __future__ import annotations

from shared.clock import aware_utc
from shared.vocabulary import TIPSTER_STATUSES

STATUS_RANK = {"submitted": 0, "triage": 1, "routed": 1, "received": 2, "acknowledged": 3,
               "under_review": 4, "investigating": 5, "transferred": 5, "closed": 9}

# what the tipster is told of a state casework has and the tipster's vocabulary has not
_TIPSTER_STATUS = {"referred": "transferred"}

QUESTION_LABEL = {"th": "เจ้าหน้าที่มีคำถามถึงท่าน กรุณาตอบในหน้าติดตามเรื่อง",
                  "en": "The office has a question for you; please answer it on the status page"}
NOTE_LABEL = {"th": "หน่วยงานมีข้อความถึงท่าน อ่านได้ในหน้าติดตามเรื่อง",
              "en": "The office has written to you; read it on the status page"}


def tipster_status(case_status: str) -> str:
    """A case's state in the tipster's words (one the tipster's vocabulary lacks reads as under review)."""
    status = _TIPSTER_STATUS.get(case_status, case_status)
    return status if status in TIPSTER_STATUSES else "under_review"


def received_label(office: dict) -> dict:
    return {"th": f"{office['name_th']} ได้รับเรื่องของท่านแล้ว", "en": f"{office['name_en']} has received your report"}


def move_headline(tip, status: str, at, version: int | None, agency: dict | None = None) -> bool:
    """Set the tip's headline status if this event is newer than what the tip shows; True if it was."""
    if version is None:
        # an event from before case versions (or routing's, before the case exists): forward by rank only
        rank = STATUS_RANK.get(status, 0)
        if tip.case_version or rank < tip.status_rank:
            return False
    elif version <= (tip.case_version or 0):
        return False
    else:
        tip.case_version = version
    tip.status = status
    tip.status_rank = STATUS_RANK.get(status, 0)
    tip.updated_at = at
    if agency:
        tip.agency_code, tip.agency_name_th, tip.agency_name_en = agency["code"], agency["name_th"], agency["name_en"]
    return True


def human_timeline(entries: list) -> list:
    """The lines a person reads: in the order things happened; a hand-over shown only when the case then opened
    at another office (or is still on its way); no line that repeats the one before it."""
    entries = sorted(entries, key=lambda t: (aware_utc(t.at), t.seq or 0, t.id or 0))
    shown: list = []
    last_status = None  # the last status line shown (questions and messages are lines of their own, never merged)
    for i, entry in enumerate(entries):
        if entry.status not in TIPSTER_STATUSES:
            shown.append(entry)
            continue
        if entry.status == "transferred":
            after = next((e for e in entries[i + 1:] if e.seq is not None), None)
            if after is not None and not (after.status in ("received", "triage")
                                          and (after.agency_code is None or after.agency_code != entry.agency_code)):
                continue  # refused, or decided in favour of the same office: nothing moved
        if last_status is not None and (last_status.status, last_status.label_th) == (entry.status, entry.label_th):
            continue
        shown.append(entry)
        last_status = entry
    return shown


def agency_of(tip) -> dict | None:
    if not tip.agency_code:
        return None
    return {"code": tip.agency_code, "name_th": tip.agency_name_th, "name_en": tip.agency_name_en}
