"""The desk's web pages (HTML forms, no JavaScript): sign-in and passwords, the inbox, a case and its forms,
hand-overs, statistics. Each form calls the same use case as its API route (usecases/wiring.py) and comes back
to its page with a message; the operator page is web/operator.py."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from marshmallow import ValidationError
from werkzeug.wrappers import Response

from services.casework.domain import inbox as inbox_rules
from services.casework.domain import policy
from services.casework.domain.errors import DeskAccountError, NotFound, TransitionError
from services.casework.domain.lifecycle import RESOLUTIONS, STATES, staff_label
from services.casework.messages import bulk_summary
from services.casework.usecases import inbox as inbox_usecases
from services.casework.usecases import offices, reply_templates
from services.casework.web import errors, routes
from services.casework.web.auth import LOGIN_CSRF_COOKIE
from services.casework.web.entrypoints import Redirect
from services.casework.web.rendering import (
    PAGES,
    language_cookie,
    local_target,
    page_url,
    redirect,
    render,
    when_text,
)
from services.casework.web.requests import BulkActionSchema, CaseFilterSchema, StatsFilterSchema
from shared import i18n
from shared.logging import get_logger
from shared.vocabulary import CATEGORIES
from shared.web import SECURITY_HEADERS, ApiError

log = get_logger(__name__)

# the desk's style sheet, then the inbox's (kept apart so the inbox's dense table has its own file)
CSS = "\n".join((Path(__file__).resolve().parent.parent / "static" / name).read_text(encoding="utf-8")
                 for name in ("desk.css", "inbox.css"))


# -- assets --------------------------------------------------------------------------------------------------
def css(desk, request):
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "public, max-age=3600"
    return Response(CSS, mimetype="text/css", headers=headers)


def favicon(desk, request):
    return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})


def home(desk, request):
    return redirect("/cases")


def language(desk, request):
    """The switch every page carries: remember the language chosen (a cookie, signed in or not) and go back to
    the page it was pressed on, with its query string (filters, the form's kept words)."""
    lang = i18n.language(request.args.get("to"))
    return redirect(local_target(request.args.get("back")), headers=[("Set-Cookie", language_cookie(lang))])


# -- signing in, passwords -----------------------------------------------------------------------------------
def login(desk, request):
    value, cookie = desk.login_csrf_cookie()
    return render(PAGES, "login.html", request=request, principal=None, csrf=None, login_csrf=value, error=None,
                  notice=flash(request, "ok"), username=request.args.get("username", "")[:64],
                  headers=[("Set-Cookie", cookie)])


def _check_login_csrf(request) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or request.form.get("login_csrf") != expected:
        raise ApiError(403, "request.csrf_failed")


def sign_in(desk, request):
    form = request.form
    _check_login_csrf(request)
    try:
        done = desk.sign_in(request, form.get("username", ""), form.get("password", ""), form.get("totp") or None,
                            "web")
    except DeskAccountError as exc:
        value, cookie = desk.login_csrf_cookie()
        headers = [("Set-Cookie", cookie)]
        if exc.detail.get("retry_after_seconds"):
            headers.append(("Retry-After", str(exc.detail["retry_after_seconds"])))
        username = form.get("username", "")[:64]
        return render(PAGES, "login.html", status=_status(exc), request=request,
                      here=page_url("/login", username=username), principal=None, csrf=None, login_csrf=value,
                      error=i18n.message(exc.key), notice=None, username=username, headers=headers)
    log.info("session.started", user_id=done.principal.user_id, kind="web")
    home = "/file" if done.principal.role == "volunteer" else "/cases"  # a volunteer's desk is the filing page
    return redirect(home, headers=[("Set-Cookie", desk.session_cookie(done.token)),
                                       ("Set-Cookie", f"{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0")])


def _password_page(request, principal, csrf, *, status=200, error=None, notice=None):
    return render(PAGES, "password.html", status=status, request=request, principal=principal, csrf=csrf,
                  mode="change",
                  action="/password", error=error, notice=notice, login_csrf=None)


def password(desk, request):
    principal, csrf = desk.page_principal(request)
    return _password_page(request, principal, csrf)


def change_password(desk, request):
    principal, csrf = desk.page_principal(request, unsafe=True)
    form = request.form
    try:
        desk.usecases.change_password(principal, current=form.get("current_password", ""),
                                      new=form.get("new_password", ""),
                                      keep_token=request.cookies.get(desk.cookie_name))
    except DeskAccountError as exc:
        return _password_page(request, principal, csrf, status=_status(exc), error=i18n.message(exc.key))
    return _password_page(request, principal, csrf, notice=i18n.message("user.password_changed"))


def _reset_page(desk, request, *, status=200, error=None, username="", code=""):
    """The reset form; the administrator's link fills in the username and code (nothing is redeemed by
    following it: the user still chooses the new password)."""
    value, cookie = desk.login_csrf_cookie(path="/password-reset")
    return render(PAGES, "password.html", status=status, request=request,
                  here=page_url("/password-reset", username=str(username or "")[:64]), principal=None, csrf=None,
                  mode="reset",
                  action="/password-reset", error=error, notice=None, login_csrf=value,
                  username=str(username or "")[:64], code=str(code or "")[:200],
                  headers=[("Set-Cookie", cookie), ("Cache-Control", "no-store")])


def password_reset(desk, request):
    return _reset_page(desk, request, username=request.args.get("username", ""), code=request.args.get("code", ""))


def redeem_reset(desk, request):
    form = request.form
    _check_login_csrf(request)
    try:
        desk.redeem_reset(request, form.get("username"), form.get("code"), form.get("new_password"))
    except DeskAccountError as exc:
        return _reset_page(desk, request, status=_status(exc), error=i18n.message(exc.key),
                           username=form.get("username", ""))
    return redirect("/login?ok=user.password_changed")


def sign_out(desk, request):
    principal, _ = desk.page_principal(request, unsafe=True)
    desk.usecases.sign_out(request.cookies.get(desk.cookie_name), principal)
    return redirect("/login?ok=session.signed_out", headers=[("Set-Cookie", desk.clear_cookie())])


def _status(exc: DeskAccountError) -> int:
    """A page answers an account error with the API's status for it (web/errors.py)."""
    return errors.status_of(exc)[0]


# -- cases ---------------------------------------------------------------------------------------------------
def _inbox_filters(request) -> tuple[dict, dict]:
    """The inbox's filters from the query string, with the page's defaults (open cases, nearest deadline
    first), and the query string's own filter fields (for links that keep them)."""
    args = request.args.to_dict()
    filters = CaseFilterSchema().load(args)
    filters.setdefault("show", inbox_rules.DEFAULT_SHOW)
    filters.setdefault("sort", inbox_rules.DEFAULT_SORT)
    kept = {k: v for k, v in args.items() if k in CaseFilterSchema().fields and k != "page" and v}
    return filters, kept


def inbox(desk, request):
    principal, csrf = desk.page_principal(request)
    if principal.role == "coordinator":
        return redirect("/network")
    if principal.role not in policy.VIEWS:
        return render(PAGES, "home.html", request=request, principal=principal, csrf=csrf,
                      stats_allowed=principal.role in policy.STATS_ROLES)
    filters, kept = _inbox_filters(request)
    listing = desk.usecases.list_cases(principal, filters)
    view = policy.view_of(principal)
    return render(PAGES, "inbox.html", request=request, principal=principal, csrf=csrf, listing=listing,
                  filters=filters,
                  view=view, states=list(_labels(principal, desk.settings).items()), categories=CATEGORIES,
                  page_link=lambda n: page_url("/cases", **kept, page=n),
                  sort_link=lambda key: page_url("/cases", **{**kept, "sort": inbox_rules.toggled(filters["sort"],
                                                                                                 key)}),
                  sort_state=inbox_rules.parse_sort(filters["sort"]),
                  csv_link=page_url("/cases.csv", **kept), current_query=inbox_usecases.view_query(kept),
                  views=desk.usecases.saved_views(principal),
                  assignees=desk.usecases.assignable_users(principal) if view == "detail" else [],
                  may_assign=policy.may(principal, "assign"), may_transition=policy.may(principal, "transition"),
                  bulk=_bulk_notice(request), notice=flash(request, "ok"), error=flash(request, "error"))


def cases_csv(desk, request):
    principal, _ = desk.page_principal(request)
    filters, _ = _inbox_filters(request)
    return routes.cases_csv_response(desk.usecases.export_cases(principal, filters))


def save_view(desk, request):
    principal, _ = desk.page_principal(request, unsafe=True)
    params = CaseFilterSchema().load(dict(parse_qsl(request.form.get("query", ""))))
    query = {k: v for k, v in dict(parse_qsl(request.form.get("query", ""))).items() if k in params}
    try:
        saved = desk.usecases.save_view(principal, request.form.get("name"), query)
    except TransitionError as exc:
        return redirect(page_url("/cases", error=exc.key))
    return redirect(f"/cases?{saved['query']}" + ("&" if saved["query"] else "") + "ok=inbox.view_saved")


def delete_view(desk, request, view_id):
    principal, _ = desk.page_principal(request, unsafe=True)
    if not str(view_id).isdigit():
        raise NotFound()
    desk.usecases.delete_view(principal, int(view_id))
    return redirect(page_url("/cases", ok="inbox.view_deleted"))


def bulk(desk, request):
    """Several cases at once from the inbox's checkboxes; back to the same inbox with what was done."""
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form
    back = dict(parse_qsl(form.get("query", "")))
    back = {k: v for k, v in back.items() if k in CaseFilterSchema().fields}
    try:
        body = BulkActionSchema().load({"references": form.getlist("ref"), "action": form.get("action", ""),
                                        "reason": form.get("reason") or None,
                                        "assignee": form.get("assignee") or None})
        done = desk.usecases.bulk(principal, body["references"], action=body["action"], reason=body["reason"],
                                  assignee=body["assignee"])
    except ValidationError:
        return redirect(page_url("/cases", **back, error="inbox.bulk_none_selected"
                                 if not form.getlist("ref") else "inbox.bulk_action_invalid"))
    except TransitionError as exc:
        return redirect(page_url("/cases", **back, error=exc.key))
    failed = ",".join(f"{f['reference']}:{f['key']}" for f in done["failed"])
    return redirect(page_url("/cases", **back, bulk=done["action"], done=len(done["done"]), failed=failed))


def _bulk_notice(request) -> dict | None:
    action = request.args.get("bulk")
    if action not in inbox_usecases.BULK_ACTIONS:
        return None
    failed = []
    for item in filter(None, (request.args.get("failed") or "").split(",")[:100]):
        reference, _, key = item.partition(":")
        failed.append({"reference": reference[:40],
                       "message": i18n.message(key if key in i18n.MESSAGES else "request.forbidden")})
    done = int(request.args.get("done", "0")) if request.args.get("done", "0").isdigit() else 0
    return {"summary": bulk_summary(action, done, len(failed)), "failed": failed}


def case(desk, request, reference):
    principal, csrf = desk.page_principal(request)
    body = desk.usecases.read_case(principal, reference)
    detail = body.get("view") == "detail"
    templates = desk.usecases.case_templates(principal, body["office"]["code"]) if detail else {}
    access = (desk.usecases.access_log(principal, reference)["views"]
              if policy.may(principal, "access_log") and body.get("view") in ("detail", "audit") else [])
    return render(PAGES, "case.html", request=request, principal=principal, csrf=csrf, case=body,
                  resolutions=RESOLUTIONS,
                  notice=_said(flash(request, "ok"), body), error=flash(request, "error"),
                  may=lambda action: policy.may(principal, action), templates=templates,
                  fill=_template_fill(request, templates), access=access,
                  offices=offices.choices((body.get("province") or {}).get("code"),
                                          exclude=body["office"]["code"]) if detail else [])


def _template_fill(request, templates: dict) -> dict:
    """The template picked without JavaScript (?question_template=ID or ?note_template=ID): its words go into
    the form's text boxes."""
    out = {}
    for kind in ("question", "note"):
        picked = request.args.get(f"{kind}_template", "")
        out[kind] = next((t for t in templates.get(kind, []) if str(t["id"]) == picked), None)
    return out


def _said(message: dict | None, body: dict) -> dict | None:
    """An after-action message with its blanks filled from the case as it is now: who it was assigned to, the
    new deadline, the new status."""
    if not message:
        return None
    assignee = body.get("assignee") or {}
    status = body.get("status_label") or (body.get("current") or {}).get("status_label") or {"th": "", "en": ""}
    due = ((body.get("deadlines") or {}).get("feedback") or {}).get("due")
    out = {}
    for lang in ("th", "en"):
        out[lang] = (message[lang].replace("{name}", assignee.get("display_name") or "—")
                     .replace("{status}", status[lang]).replace("{date}", when_text(due, lang) if due else "—"))
    return out


def attachment(desk, request, reference, attachment_id):
    principal, _ = desk.page_principal(request)
    return routes.evidence_redirect(desk.usecases.open_evidence(principal, reference, attachment_id))


def transition(desk, request, reference):
    """Every status form posts here: acknowledge, move on, propose / approve a closure, hand over."""
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form
    to = form.get("to", "")

    def ok(done):
        if "pending_closure" in done:
            return "case.closure_proposed"
        return {"acknowledged": "case.acknowledged", "closed": "case.closed", "transferred": "case.handed_over",
                "referred": "case.handed_over"}.get(done.get("status") or "", "case.status_changed")
    anchor = {"closed": "closure", "transferred": "handover", "referred": "handover"}.get(to, "status")
    return form_action(reference, lambda: desk.usecases.transition(
        principal, reference, to=to, reason=form.get("reason"),
        resolution=form.get("resolution") or None, suggested_office=form.get("suggested_office") or None,
        supervisor_override=form.get("supervisor_override") == "true",
        tipster_reason=form.get("tipster_reason") or None, tipster_reason_en=form.get("tipster_reason_en") or None),
        ok, anchor=anchor)


def reject_closure(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    return form_action(reference, lambda: desk.usecases.reject_closure(principal, reference,
                                                                       reason=request.form.get("reason")),
                       lambda done: "case.closure_rejected", anchor="closure")


def handovers(desk, request):
    principal, csrf = desk.page_principal(request)
    return render(PAGES, "handovers.html", request=request, principal=principal, csrf=csrf,
                  listing=desk.usecases.handovers(principal))


def triage_decision(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form
    return form_action(reference, lambda: desk.usecases.decide_triage(
        principal, reference, office=form.get("office", ""), reason=form.get("reason"),
        supervisor_override=form.get("supervisor_override") == "true"), lambda done: "case.triage_sent",
        anchor="handover")


def note(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form
    visible = form.get("visibility") == "tipster_visible"
    return form_action(reference, lambda: desk.usecases.add_note(
        principal, reference, visibility=form.get("visibility", ""), text=form.get("text")),
        lambda done: "case.note_sent" if visible else "case.note_saved",
        anchor="conversation" if visible else "notes")


def question(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    return form_action(reference, lambda: desk.usecases.ask_question(
        principal, reference, text=request.form.get("text"), text_en=request.form.get("text_en")),
        lambda done: "case.question_sent", anchor="conversation")


def assign(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    return form_action(reference, lambda: desk.usecases.assign(principal, reference,
                                                               assignee=request.form.get("assignee") or None),
                       lambda done: "case.assigned" if done.get("assignee") else "case.unassigned",
                       anchor="assignment")


def extend(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form

    def act():
        months = form.get("months", "")
        if not months.isdigit():
            raise TransitionError("case.extension_invalid")
        return desk.usecases.extend_feedback(principal, reference, months=int(months), reason=form.get("reason"))
    return form_action(reference, act, lambda done: "case.deadline_extended", anchor="deadlines")


# -- reply templates -----------------------------------------------------------------------------------------
def templates(desk, request):
    principal, csrf = desk.page_principal(request)
    items = desk.usecases.templates(principal)
    editing = next((t for t in items if str(t["id"]) == request.args.get("edit", "")), None)
    return render(PAGES, "templates.html", request=request, principal=principal, csrf=csrf, items=items,
                  editing=editing,
                  kinds=reply_templates.KINDS, notice=flash(request, "ok"), error=flash(request, "error"))


def save_template(desk, request, template_id=None):
    principal, _ = desk.page_principal(request, unsafe=True)
    fields = {k: request.form.get(k) for k in ("office", "kind", "title", "th", "en")}
    ident = int(template_id) if template_id is not None and str(template_id).isdigit() else None
    if template_id is not None and ident is None:
        raise ApiError(404, "request.not_found")
    return _template_action(lambda: desk.usecases.save_template(principal, fields, ident), "template.saved")


def delete_template(desk, request, template_id):
    principal, _ = desk.page_principal(request, unsafe=True)
    if not str(template_id).isdigit():
        raise ApiError(404, "request.not_found")
    return _template_action(lambda: desk.usecases.delete_template(principal, int(template_id)), "template.deleted")


def _template_action(act, ok_key: str):
    try:
        act()
    except Exception as exc:  # noqa: BLE001 - mapped below, or re-raised
        err = errors.as_api_error(exc)
        if not isinstance(err, ApiError) or err.status in (403, 404):
            raise
        raise Redirect(page_url("/templates", error=err.key)) from exc
    return redirect(page_url("/templates", ok=ok_key))


# -- statistics ----------------------------------------------------------------------------------------------
def stats(desk, request):
    principal, csrf = desk.page_principal(request)
    data = desk.usecases.statistics(principal, routes.stats_filters(request))
    query = {k: v for k, v in request.args.to_dict().items() if k in StatsFilterSchema().fields}
    return render(PAGES, "stats.html", request=request, principal=principal, csrf=csrf, stats=data, states=STATES,
                  labels=_labels(principal, desk.settings), csv_link=page_url("/stats.csv", **query),
                  wide_csv_link=page_url("/stats.csv", **query, shape="wide"), filters=request.args.to_dict(),
                  recent_months=data["months"][-12:])


def stats_csv(desk, request):
    principal, _ = desk.page_principal(request)
    return routes.csv_response(desk.usecases.statistics(principal, routes.stats_filters(request)),
                               request.args.get("shape"))


# -- the access log ------------------------------------------------------------------------------------------
def access_log(desk, request):
    principal, csrf = desk.page_principal(request)
    log_ = desk.usecases.access_entries(principal, reference=request.args.get("reference"),
                                        username=request.args.get("user"))
    return render(PAGES, "access_log.html", request=request, principal=principal, csrf=csrf, log=log_)


# -- the network coordinators' view --------------------------------------------------------------------------
def network(desk, request):
    principal, csrf = desk.page_principal(request)
    view = desk.usecases.network(principal, request.args.get("network"))
    return render(PAGES, "network.html", request=request, principal=principal, csrf=csrf, view=view,
                  small_words={"th": f"น้อยกว่า {view['k']}", "en": f"fewer than {view['k']}"})


def network_csv(desk, request):
    principal, _ = desk.page_principal(request)
    return routes.network_csv_response(desk.usecases.network(principal, request.args.get("network")))


def network_json(desk, request):
    principal, _ = desk.page_principal(request)
    return routes.network_json_download(desk.usecases.network(principal, request.args.get("network")))


# -- helpers -------------------------------------------------------------------------------------------------
def form_action(reference: str, act, ok_key=lambda done: "case.updated", anchor: str = ""):
    """Run a form's use case; come back to the case page (Post/Redirect/Get) with a message that says what
    happened, at the part of the page the form belongs to (a case the caller cannot see is not found, as in the
    API)."""
    target = f"/cases/{reference}"
    fragment = f"#{anchor}" if anchor else ""
    try:
        done = act()
    except Exception as exc:  # noqa: BLE001 - mapped below, or re-raised
        err = errors.as_api_error(exc)
        if not isinstance(err, ApiError) or err.status == 404:
            raise
        raise Redirect(page_url(target, error=err.key) + fragment) from exc
    return redirect(page_url(target, ok=ok_key(done)) + fragment)


def flash(request, kind: str):
    key = request.args.get(kind)
    return i18n.message(key) if key in i18n.MESSAGES else None


def _labels(principal, settings) -> dict:
    return {s: staff_label(s, principal.office_code, settings.state_labels) for s in STATES}
