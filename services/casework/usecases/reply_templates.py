"""Reply templates: an office's ready-made words for questions to the tipster and notes the tipster reads, in
Thai (and optionally English). Supervisors keep their office's; agency admins those of any office of their
agency. Whoever may ask or write to the tipster on a case reads the templates of the case's office. Adding,
changing and deleting a template each emit an event (reply_template.created / changed / deleted: who, which
template, which office) in the same transaction, which the audit service chains like every other desk action.
"""
from __future__ import annotations

from datetime import datetime

from services.casework.domain import policy
from services.casework.domain.errors import Forbidden, NotFound, TransitionError
from services.casework.domain.lifecycle import agency_of
from services.casework.usecases.case_actions import OFFICE_CODE, clean

KINDS = {"question": {"th": "คำถามถึงผู้แจ้ง", "en": "Question to the tipster"},
         "note": {"th": "ข้อความถึงผู้แจ้ง", "en": "Note to the tipster"}}
EDITORS = ("supervisor", "agency_admin")
MAX_TEXT = 5000


def _row(t) -> dict:
    return {"id": t.id, "office_code": t.office_code, "kind": t.kind, "kind_label": KINDS.get(t.kind),
            "title": t.title, "th": t.body_th, "en": t.body_en or ""}


def editable_office(principal: policy.Principal, office: str | None) -> str:
    """The office whose templates `principal` may change: a supervisor's own; any of an agency admin's agency."""
    if principal.role not in EDITORS:
        raise Forbidden()
    office = (office or principal.office_code).strip().upper()
    if principal.role == "supervisor" and office != principal.office_code:
        raise Forbidden()
    if principal.role == "agency_admin" and (not OFFICE_CODE.match(office) or agency_of(office) != principal.agency):
        raise Forbidden()
    return office


def for_office(repo, office_code: str) -> dict[str, list[dict]]:
    """A case's office's templates by kind (for the case page's pickers)."""
    out: dict[str, list[dict]] = {"question": [], "note": []}
    for t in repo.reply_templates([office_code]):
        out.setdefault(t.kind, []).append(_row(t))
    return out


def list_templates(repo, principal: policy.Principal) -> list[dict]:
    """The templates `principal` may edit: their office's (a supervisor), their agency's offices' (an admin)."""
    if principal.role not in EDITORS:
        raise Forbidden()
    if principal.role == "supervisor":
        return [_row(t) for t in repo.reply_templates([principal.office_code])]
    offices = {u.office_code for u in repo.users_in_scope(policy.user_scope(principal))} | {principal.office_code}
    return [_row(t) for t in repo.reply_templates(sorted(offices))]


def save(uow, principal: policy.Principal, fields: dict, now: datetime, template_id: int | None = None) -> dict:
    office = editable_office(principal, fields.get("office"))
    kind, title = fields.get("kind"), clean(fields.get("title"), 120)
    body_th, body_en = clean(fields.get("th"), MAX_TEXT), clean(fields.get("en"), MAX_TEXT)
    if kind not in KINDS or not title or not body_th:
        raise TransitionError("template.invalid")
    if template_id is None:
        row = uow.repo.add_reply_template(office_code=office, kind=kind, title=title, body_th=body_th,
                                          body_en=body_en or None, updated_by=principal.user_id, updated_at=now)
    else:
        row = _editable(uow.repo, principal, template_id)
        row.office_code, row.kind, row.title, row.body_th, row.body_en = office, kind, title, body_th, body_en or None
        row.updated_by, row.updated_at = principal.user_id, now
    _record(uow, "reply_template.created" if template_id is None else "reply_template.changed", row, principal, now)
    return _row(row)


def delete(uow, principal: policy.Principal, template_id: int, now: datetime) -> None:
    row = _editable(uow.repo, principal, template_id)
    _record(uow, "reply_template.deleted", row, principal, now)
    uow.repo.delete_reply_template(row)


def _record(uow, event_type: str, row, principal: policy.Principal, now: datetime) -> None:
    """The change, for the audit chain: ids and the kind, never the template's words."""
    uow.emit(event_type, {"template_id": row.id, "office_code": row.office_code, "kind": row.kind,
                          "user_id": principal.user_id, "role": principal.role, "at": now},
             correlation_id=f"user:{principal.user_id}", actor=principal.actor)


def _editable(repo, principal: policy.Principal, template_id: int):
    row = repo.reply_template(template_id)
    if row is None:
        raise NotFound()
    try:
        editable_office(principal, row.office_code)
    except Forbidden:
        raise NotFound() from None  # another office's template is not there for this caller
    return row
