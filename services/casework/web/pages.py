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
from services.casework.web import errors, routes
from services.casework.web.auth import LOGIN_CSRF_COOKIE
from services.casework.web.entrypoints import Redirect
from services.casework.web.rendering import PAGES, page_url, redirect, render
from services.casework.web.requests import BulkActionSchema, CaseFilterSchema, StatsFilterSchema
from shared import i18n
from shared.clock import local_date, thai_date
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


# -- signing in, passwords -----------------------------------------------------------------------------------
def login(desk, request):
    value, cookie = desk.login_csrf_cookie()
    return render(PAGES, "login.html", principal=None, csrf=None, login_csrf=value, error=None,
                  notice=flash(request, "ok"), headers=[("Set-Cookie", cookie)])


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
        return render(PAGES, "login.html", status=_status(exc), principal=None, csrf=None, login_csrf=value,
                      error=i18n.message(exc.key), notice=None, headers=headers)
    log.info("session.started", user_id=done.principal.user_id, kind="web")
    home = "/file" if done.principal.role == "volunteer" else "/cases"  # a volunteer's desk is the filing page
    return redirect(home, headers=[("Set-Cookie", desk.session_cookie(done.token)),
                                       ("Set-Cookie", f"{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0")])


def _password_page(principal, csrf, *, status=200, error=None, notice=None):
    return render(PAGES, "password.html", status=status, principal=principal, csrf=csrf, mode="change",
                  action="/password", error=error, notice=notice, login_csrf=None)


def password(desk, request):
    principal, csrf = desk.page_principal(request)
    return _password_page(principal, csrf)


def change_password(desk, request):
    principal, csrf = desk.page_principal(request, unsafe=True)
    form = request.form
    try:
        desk.usecases.change_password(principal, current=form.get("current_password", ""),
                                      new=form.get("new_password", ""),
                                      keep_token=request.cookies.get(desk.cookie_name))
    except DeskAccountError as exc:
        return _password_page(principal, csrf, status=_status(exc), error=i18n.message(exc.key))
    return _password_page(principal, csrf, notice=i18n.message("user.password_changed"))


def _reset_page(desk, *, status=200, error=None):
    value, cookie = desk.login_csrf_cookie(path="/password-reset")
    return render(PAGES, "password.html", status=status, principal=None, csrf=None, mode="reset",
                  action="/password-reset", error=error, notice=None, login_csrf=value,
                  headers=[("Set-Cookie", cookie)])


def password_reset(desk, request):
    return _reset_page(desk)


def redeem_reset(desk, request):
    form = request.form
    _check_login_csrf(request)
    try:
        desk.redeem_reset(request, form.get("username"), form.get("code"), form.get("new_password"))
    except DeskAccountError as exc:
        return _reset_page(desk, status=_status(exc), error=i18n.message(exc.key))
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
    if principal.role not in policy.VIEWS:
        return render(PAGES, "home.html", principal=principal, csrf=csrf,
                      stats_allowed=principal.role in policy.STATS_ROLES)
    filters, kept = _inbox_filters(request)
    listing = desk.usecases.list_cases(principal, filters)
    view = policy.view_of(principal)
    return render(PAGES, "inbox.html", principal=principal, csrf=csrf, listing=listing, filters=filters,
                  view=view, states=list(_labels(principal, desk.settings).items()), categories=CATEGORIES,
                  page_link=lambda n: page_url("/cases", **kept, page=n),
                  sort_link=lambda key: page_url("/cases", **{**kept, "sort": inbox_rules.toggled(filters["sort"],
                                                                                                 key)}),
                  sort_state=inbox_rules.parse_sort(filters["sort"]),
                  csv_link=page_url("/cases.csv", **kept), current_query=inbox_usecases.view_query(kept),
                  views=desk.usecases.saved_views(principal),
                  assignees=desk.usecases.assignable_users(principal) if view == "detail" else [],
                  may_assign=policy.may(principal, "assign"), may_transition=policy.may(principal, "transition"),
                  bulk=_bulk_notice(request), notice=flash(request, "ok"), error=flash(request, "error"),
                  day=inbox_day, short_label=short_label)


def inbox_day(value) -> str:
    """An inbox date, printed once: the Bangkok day, Thai style (Buddhist era)."""
    if not value:
        return "—"
    return thai_date(local_date(value))


def short_label(label: dict) -> str:
    """A label's first words in Thai, for a narrow column ("สินบน" of "สินบน / เรียกรับผลประโยชน์")."""
    return label["th"].split(" / ")[0]


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
    return render(PAGES, "case.html", principal=principal, csrf=csrf, case=body, resolutions=RESOLUTIONS,
                  notice=flash(request, "ok"), error=flash(request, "error"),
                  may=lambda action: policy.may(principal, action))


def attachment(desk, request, reference, attachment_id):
    principal, _ = desk.page_principal(request)
    return routes.evidence_redirect(desk.usecases.open_evidence(principal, reference, attachment_id))


def transition(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form

    def ok(done):
        if "pending_closure" in done:
            return "case.closure_proposed"
        return "case.handed_over" if done.get("status") in ("transferred", "referred") else "case.updated"
    return form_action(reference, lambda: desk.usecases.transition(
        principal, reference, to=form.get("to", ""), reason=form.get("reason"),
        resolution=form.get("resolution") or None, suggested_office=form.get("suggested_office") or None,
        supervisor_override=form.get("supervisor_override") == "true",
        tipster_reason=form.get("tipster_reason") or None, tipster_reason_en=form.get("tipster_reason_en") or None),
        ok)


def reject_closure(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    return form_action(reference, lambda: desk.usecases.reject_closure(principal, reference,
                                                                       reason=request.form.get("reason")),
                       lambda done: "case.closure_rejected")


def handovers(desk, request):
    principal, csrf = desk.page_principal(request)
    return render(PAGES, "handovers.html", principal=principal, csrf=csrf, listing=desk.usecases.handovers(principal))


def triage_decision(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form
    return form_action(reference, lambda: desk.usecases.decide_triage(
        principal, reference, office=form.get("office", ""), reason=form.get("reason"),
        supervisor_override=form.get("supervisor_override") == "true"))


def note(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form
    return form_action(reference, lambda: desk.usecases.add_note(
        principal, reference, visibility=form.get("visibility", ""), text=form.get("text")))


def question(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    return form_action(reference, lambda: desk.usecases.ask_question(
        principal, reference, text=request.form.get("text"), text_en=request.form.get("text_en")))


def assign(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    return form_action(reference, lambda: desk.usecases.assign(principal, reference,
                                                               assignee=request.form.get("assignee") or None))


def extend(desk, request, reference):
    principal, _ = desk.page_principal(request, unsafe=True)
    form = request.form

    def act():
        months = form.get("months", "")
        if not months.isdigit():
            raise TransitionError("case.extension_invalid")
        return desk.usecases.extend_feedback(principal, reference, months=int(months), reason=form.get("reason"))
    return form_action(reference, act)


# -- statistics ----------------------------------------------------------------------------------------------
def stats(desk, request):
    principal, csrf = desk.page_principal(request)
    data = desk.usecases.statistics(principal, routes.stats_filters(request))
    return render(PAGES, "stats.html", principal=principal, csrf=csrf, stats=data, states=STATES,
                  labels=_labels(principal, desk.settings),
                  csv_link=page_url("/stats.csv", **{k: v for k, v in request.args.to_dict().items()
                                                     if k in StatsFilterSchema().fields}),
                  filters=request.args.to_dict())


def stats_csv(desk, request):
    principal, _ = desk.page_principal(request)
    return routes.csv_response(desk.usecases.statistics(principal, routes.stats_filters(request)))


# -- helpers -------------------------------------------------------------------------------------------------
def form_action(reference: str, act, ok_key=lambda done: "case.updated"):
    """Run a form's use case; come back to the case page with a message either way (a case the caller cannot
    see is not found, as in the API)."""
    target = f"/cases/{reference}"
    try:
        done = act()
    except Exception as exc:  # noqa: BLE001 - mapped below, or re-raised
        err = errors.as_api_error(exc)
        if not isinstance(err, ApiError) or err.status == 404:
            raise
        raise Redirect(page_url(target, error=err.key)) from exc
    return redirect(page_url(target, ok=ok_key(done)))


def flash(request, kind: str):
    key = request.args.get(kind)
    return i18n.message(key) if key in i18n.MESSAGES else None


def _labels(principal, settings) -> dict:
    return {s: staff_label(s, principal.office_code, settings.state_labels) for s in STATES}
