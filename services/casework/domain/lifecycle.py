"""The case lifecycle: canonical states, the transition table, and what each state means to whom.

Pure Python (no database, no nameko), so every allowed and every forbidden transition is tested in a table.

    received → acknowledged → under_review → investigating → closed (with a resolution)
    any open state → transferred | referred  (handed to another office through routing)
    transferred | referred → received        (only routing's new decision does this: the case is re-opened
                                              in the new office)
    transferred | referred → the open state it left   (only routing's refusal: the case stays where it was)
    closed → under_review | investigating   (reopen: a supervisor, with a reason)

Staff close a case in two steps unless they are a supervisor: a caseworker or triage officer *proposes* a
closure with its resolution, a supervisor approves it (or closes directly). Supervisors may also override:
skip a step forward or move a case one step back.

Every transition needs a reason. Canonical states never change; an agency may rename them for its staff
(`casework.state_labels`), and the tipster always sees the wording of `shared.vocabulary.TIPSTER_STATUSES`.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.casework.domain.errors import TransitionError
from shared.vocabulary import TIPSTER_STATUSES

RECEIVED, ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING = "received", "acknowledged", "under_review", "investigating"
CLOSED, TRANSFERRED, REFERRED = "closed", "transferred", "referred"

STATES = (RECEIVED, ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING, CLOSED, TRANSFERRED, REFERRED)
OPEN_STATES = (RECEIVED, ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING)
HANDED_OVER = (TRANSFERRED, REFERRED)

RESOLUTIONS: dict[str, dict[str, str]] = {
    "substantiated": {"th": "มีมูล", "en": "substantiated"},
    "unsubstantiated": {"th": "ไม่มีมูล", "en": "unsubstantiated"},
    "insufficient_information": {"th": "ข้อมูลไม่เพียงพอที่จะดำเนินการต่อ", "en": "insufficient information"},
    "not_competent": {"th": "ไม่อยู่ในอำนาจหน้าที่ของหน่วยงาน", "en": "not within the office's competence"},
    "duplicate": {"th": "ซ้ำกับเรื่องที่ได้รับไว้แล้ว", "en": "duplicate of an earlier report"},
    "withdrawn": {"th": "ผู้แจ้งขอถอนเรื่อง", "en": "withdrawn by the reporter"},
}

# What staff see by default (an agency may rename these for its own staff).
STAFF_LABELS: dict[str, dict[str, str]] = {
    RECEIVED: {"th": "รับเรื่องใหม่", "en": "New"},
    ACKNOWLEDGED: {"th": "ตอบรับเรื่องแล้ว", "en": "Acknowledged"},
    UNDER_REVIEW: {"th": "ตรวจสอบเบื้องต้น", "en": "Under review"},
    INVESTIGATING: {"th": "สืบสวนข้อเท็จจริง", "en": "Investigating"},
    CLOSED: {"th": "ยุติเรื่อง", "en": "Closed"},
    TRANSFERRED: {"th": "โอนเรื่องไปหน่วยงานอื่น", "en": "Transferred"},
    REFERRED: {"th": "ส่งต่อให้หน่วยงานอื่นดำเนินการ", "en": "Referred"},
}

_REFERRED_FOR_TIPSTER = {"th": "ส่งเรื่องให้หน่วยงานที่เกี่ยวข้องดำเนินการต่อ",
                         "en": "Referred to the body responsible for acting on it"}

CASEWORKER, SUPERVISOR, TRIAGE_OFFICER, SYSTEM = "caseworker", "supervisor", "triage_officer", "system"


@dataclass(frozen=True)
class Rule:
    source: str
    target: str
    roles: frozenset          # who may make this transition
    kind: str                 # forward | override | close | handover | reopen | reroute
    propose_roles: frozenset = frozenset()  # for closures: who may only propose it (a supervisor approves)


def _rules() -> dict[tuple[str, str], Rule]:
    table: list[Rule] = []
    staff = frozenset({CASEWORKER, SUPERVISOR, TRIAGE_OFFICER})
    sup = frozenset({SUPERVISOR})
    # forward steps
    table.append(Rule(RECEIVED, ACKNOWLEDGED, staff, "forward"))
    table.append(Rule(ACKNOWLEDGED, UNDER_REVIEW, frozenset({CASEWORKER, SUPERVISOR}), "forward"))
    table.append(Rule(UNDER_REVIEW, INVESTIGATING, frozenset({CASEWORKER, SUPERVISOR}), "forward"))
    # supervisor overrides: skip a step, or go one step back
    for source, target in ((RECEIVED, UNDER_REVIEW), (RECEIVED, INVESTIGATING), (ACKNOWLEDGED, INVESTIGATING),
                           (UNDER_REVIEW, ACKNOWLEDGED), (INVESTIGATING, UNDER_REVIEW)):
        table.append(Rule(source, target, sup, "override"))
    for source in OPEN_STATES:
        # closing: a supervisor closes; caseworkers and triage officers propose
        table.append(Rule(source, CLOSED, sup, "close", propose_roles=frozenset({CASEWORKER, TRIAGE_OFFICER})))
        # handing over to another office, through routing
        for target in HANDED_OVER:
            table.append(Rule(source, target, staff, "handover"))
    # reopening needs a supervisor
    for target in (UNDER_REVIEW, INVESTIGATING):
        table.append(Rule(CLOSED, target, sup, "reopen"))
    # only routing brings a handed-over case back: its new decision re-opens the case in the new office
    # (received), its refusal returns the case to the open state it was handed over from
    for source in HANDED_OVER:
        table.append(Rule(source, RECEIVED, frozenset({SYSTEM}), "reroute"))
        for target in (ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING):
            table.append(Rule(source, target, frozenset({SYSTEM}), "returned"))
    return {(r.source, r.target): r for r in table}


RULES: dict[tuple[str, str], Rule] = _rules()


@dataclass(frozen=True)
class Decision:
    rule: Rule
    proposal_only: bool   # True: record a closure proposal, do not change the state


def check(source: str, target: str, role: str, *, reason: str | None, resolution: str | None = None) -> Decision:
    """May `role` move a case from `source` to `target`? Raises TransitionError if not."""
    if source not in STATES or target not in STATES:
        raise TransitionError("case.unknown_state", state=target if source in STATES else source)
    if not (reason or "").strip():
        raise TransitionError("case.reason_required")
    rule = RULES.get((source, target))
    if rule is None:
        raise TransitionError("case.transition_not_allowed", from_status=source, to_status=target)
    proposal_only = False
    if role not in rule.roles:
        if role in rule.propose_roles:
            proposal_only = True
        else:
            raise TransitionError("case.transition_not_permitted", from_status=source, to_status=target)
    if target == CLOSED:
        if resolution not in RESOLUTIONS:
            raise TransitionError("case.resolution_required")
    elif resolution is not None:
        raise TransitionError("case.resolution_only_when_closing")
    return Decision(rule, proposal_only)


def targets(source: str, role: str) -> list[str]:
    """The states `role` may move a case to (or propose, for closures) from `source`, in lifecycle order."""
    return [t for t in STATES if (source, t) in RULES
            and (role in RULES[(source, t)].roles or role in RULES[(source, t)].propose_roles)]


# -- what each state means -----------------------------------------------------------------------------------
def tipster_label(status: str, resolution: str | None = None) -> dict[str, str]:
    """The words the tipster reads on the status page (Thai first)."""
    if status == REFERRED:
        return dict(_REFERRED_FOR_TIPSTER)
    base = dict(TIPSTER_STATUSES[status])
    if status == CLOSED and resolution in RESOLUTIONS:
        words = RESOLUTIONS[resolution]
        base = {"th": f"{base['th']} ({words['th']})", "en": f"{base['en']} ({words['en']})"}
    return base


def open311_status(status: str) -> str:
    """Open311 GeoReport v2 knows only open and closed; a handed-over tip is still open (for its new office)."""
    return "closed" if status == CLOSED else "open"


def staff_label(status: str, office_code: str | None = None, overrides: dict | None = None) -> dict[str, str]:
    """The staff's name for a state: the office's own, else its agency's, else the default.

    `overrides` is `casework.state_labels`: {"PACC": {"under_review": {"th": ..., "en": ...}}, "PACC-R2": {...}}.
    """
    overrides = overrides or {}
    for key in _scopes(office_code):
        label = (overrides.get(key) or {}).get(status)
        if isinstance(label, dict) and label.get("th") and label.get("en"):
            return {"th": str(label["th"]), "en": str(label["en"])}
    return dict(STAFF_LABELS.get(status, {"th": status, "en": status}))


def agency_of(office_code: str) -> str:
    """Offices of one agency share a code prefix: PACC-R2 → PACC."""
    return (office_code or "").split("-", 1)[0]


def _scopes(office_code: str | None) -> list[str]:
    if not office_code:
        return []
    agency = agency_of(office_code)
    return [office_code] if agency == office_code else [office_code, agency]
