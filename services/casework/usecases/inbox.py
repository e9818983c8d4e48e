"""The inbox's own use cases beyond listing (case_reading.list_cases): a user's saved views, actions on several
cases at once, and the case-list export.

Bulk actions do not have rules of their own: each case goes through the single-case use case (assign, or the
transition to acknowledged with its reason) in its own transaction, so its rules, timeline line, events and
audit entry are exactly those of the case page; a case that says no is reported and the others go on.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from services.casework.domain import lifecycle, policy
from services.casework.domain.errors import CaseworkError, Forbidden, NotFound, TransitionError
from services.casework.usecases import case_reading
from services.casework.usecases.case_reading import DeskSettings
from shared.clock import local

MAX_VIEWS = 30
MAX_VIEW_NAME = 80
MAX_BULK = 100
MAX_EXPORT = 10_000
# what a saved view keeps of the inbox's query string (never the page)
VIEW_KEYS = ("show", "status", "category", "province", "office", "overdue", "assignee", "q", "sort", "per_page")
BULK_ACTIONS = ("acknowledge", "assign")


# -- saved views ---------------------------------------------------------------------------------------------
def view_query(params: dict) -> str:
    """The part of an inbox query string a view keeps, in a stable order."""
    return urlencode([(k, str(params[k])) for k in VIEW_KEYS if params.get(k) not in (None, "")])


def list_views(repo, principal: policy.Principal) -> list[dict]:
    return [{"id": v.id, "name": v.name, "query": v.query, "filters": dict(parse_qsl(v.query))}
            for v in repo.saved_views(principal.user_id)]


def save_view(uow, principal: policy.Principal, name: str | None, params: dict, now: datetime) -> dict:
    """Keep the current filter and sort under a name (the user's own; the same name replaces it)."""
    if principal.role not in policy.VIEWS:
        raise Forbidden()
    name = " ".join(str(name or "").split())[:MAX_VIEW_NAME]
    if not name:
        raise TransitionError("inbox.view_name_required")
    existing = {v.name for v in uow.repo.saved_views(principal.user_id)}
    if name not in existing and len(existing) >= MAX_VIEWS:
        raise TransitionError("inbox.too_many_views", limit=MAX_VIEWS)
    row = uow.repo.save_view(principal.user_id, name, view_query(params), now)
    return {"id": row.id, "name": row.name, "query": row.query}


def delete_view(uow, principal: policy.Principal, view_id: int) -> None:
    if not uow.repo.delete_view(principal.user_id, view_id):
        raise NotFound()


# -- several cases at once -----------------------------------------------------------------------------------
def bulk(run_one, references, *, action: str, reason: str | None, assignee: str | None) -> dict:
    """Run one case's use case for each reference: `run_one(reference, action, reason, assignee)` (each in its
    own transaction). What was done, and what was not with the message key that says why."""
    if action not in BULK_ACTIONS:
        raise TransitionError("inbox.bulk_action_invalid")
    refs = list(dict.fromkeys(str(r).strip() for r in references if str(r).strip()))
    if not refs:
        raise TransitionError("inbox.bulk_none_selected")
    if len(refs) > MAX_BULK:
        raise TransitionError("inbox.bulk_too_many", limit=MAX_BULK)
    if action == "acknowledge" and not str(reason or "").strip():
        raise TransitionError("case.reason_required")  # said once, not once per case
    if action == "assign" and not assignee:
        raise TransitionError("case.assignee_invalid")
    done, failed = [], []
    for reference in refs:
        try:
            run_one(reference, action, reason, assignee)
        except CaseworkError as exc:
            failed.append({"reference": reference, "key": exc.key})
        except Forbidden:
            failed.append({"reference": reference, "key": "request.forbidden"})
        except NotFound:
            failed.append({"reference": reference, "key": "request.not_found"})
        else:
            done.append(reference)
    return {"action": action, "done": done, "failed": failed}


# -- the case-list export ------------------------------------------------------------------------------------
COLUMNS = [("reference", "เลขที่เรื่อง", "Reference"), ("opened", "วันที่รับเรื่อง", "Opened"),
           ("status", "สถานะ", "Status"), ("category", "ประเภท", "Category"), ("office", "หน่วยงาน", "Office"),
           ("province", "จังหวัด", "Province"), ("assignee", "ผู้รับผิดชอบ", "Assignee"),
           ("deadline", "กำหนดถัดไป", "Next deadline"), ("due", "ครบกำหนด", "Due"),
           ("countdown", "เหลือเวลา", "Time left")]
CONTENT_COLUMNS = [("official_type", "ประเภทผู้ถูกกล่าวหา", "Official type"),
                   ("organization", "หน่วยงานผู้ถูกกล่าวหา", "Accused organisation"),
                   ("position", "ตำแหน่งผู้ถูกกล่าวหา", "Accused position"),
                   ("snippet", "เรื่องโดยย่อ", "Summary")]
DEADLINES = {"acknowledge": "ตอบรับ / acknowledge", "feedback": "แจ้งความคืบหน้า / feedback"}


def export(uow, principal: policy.Principal, filters: dict, now: datetime, settings: DeskSettings) -> str:
    """Every case the filter shows (at most MAX_EXPORT), as CSV with a UTF-8 byte-order mark (Excel opens Thai
    correctly). The case text (accused, summary) is there only for roles that read case text, and then each
    exported case is recorded as read (`case.viewed`, view "export"), like opening it."""
    if principal.role not in policy.VIEWS or policy.view_of(principal) not in ("detail", "audit"):
        raise Forbidden()
    query, searchable, sort = case_reading.case_query(uow.repo, principal, filters)
    rows = uow.repo.case_export(policy.case_scope(principal), query, now=now, search=searchable, sort=sort,
                                limit=MAX_EXPORT)
    view = policy.view_of(principal)
    names = case_reading._usernames(uow.repo, {c.assignee_id for c in rows})
    content = view == "detail"
    columns = COLUMNS + (CONTENT_COLUMNS if content else [])
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([f"{th} / {en}" for _, th, en in columns])
    for case in rows:
        item = case_reading._summary(case, "detail", now, settings, names)
        writer.writerow([_safe(_cell(key, case, item, settings)) for key, _, _ in columns])
        if content:
            uow.repo.record_view(case, principal, "export", now)
            uow.emit("case.viewed", {"reference": case.reference, "case_id": case.id,
                                     "office_code": case.office_code, "viewer_id": principal.user_id,
                                     "viewer_role": principal.role, "view": "export", "viewed_at": now},
                     correlation_id=case.reference, actor=principal.actor)
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run: a tipster's text starting with = + - @ is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(key: str, case, item: dict, settings: DeskSettings) -> str:
    if key == "reference":
        return case.reference
    if key == "opened":
        return local(case.opened_at).strftime("%Y-%m-%d %H:%M")
    if key == "status":
        label = lifecycle.staff_label(case.status, case.office_code, settings.state_labels)
        return f"{label['th']} / {label['en']}"
    if key == "office":
        return f"{case.office_code} {case.office_name_th}"
    if key == "category":
        label = item.get("category_label")
        return f"{label['th']} / {label['en']}" if label else case.category
    if key == "province":
        return (item.get("province") or {}).get("name_th") or case.province_code
    if key == "assignee":
        return (item.get("assignee") or {}).get("display_name") or ""
    deadline = item.get("next_deadline")
    if key == "deadline":
        return DEADLINES[deadline["deadline"]] if deadline else ""
    if key == "due":
        return local(datetime.fromisoformat(deadline["due"])).strftime("%Y-%m-%d %H:%M") if deadline else ""
    if key == "countdown":
        return f"{deadline['th']} / {deadline['en']}" if deadline else ""
    accused = item.get("accused") or {}
    if key == "official_type":
        label = accused.get("official_type_label")
        return f"{label['th']} / {label['en']}" if label else ""
    if key in ("organization", "position"):
        return accused.get(key) or ""
    if key == "snippet":
        return item.get("snippet") or ""
    return ""

