"""The desk's web pages (HTML forms, no JavaScript): sign-in and passwords, the inbox, a case and its forms,
hand-overs, statistics. Each form calls the same use case as its API route (usecases/wiring.py) and comes back
to its page with a message; the operator page is web/operator.py."""
from __future__ import annotations

from pathlib import Path

from werkzeug.wrappers import Response

from services.casework.domain import policy
from services.casework.domain.errors import DeskAccountError, TransitionError
from services.casework.domain.lifecycle import RESOLUTIONS, STATES, staff_label
from services.casework.web import errors, routes
from services.casework.web.auth import LOGIN_CSRF_COOKIE
from services.casework.web.entrypoints import Redirect
from services.casework.web.rendering import PAGES, page_url, redirect, render
from services.casework.web.requests import CaseFilterSchema, StatsFilterSchema
from shared import i18n
from shared.logging import get_logger
from shared.vocabulary import CATEGORIES
from shared.web import SECURITY_HEADERS, ApiError

log = get_logger(__name__)

CSS = (Path(__file__).resolve().parent.parent / "static" / "desk.css").read_text(encoding="utf-8")


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
def inbox(desk, request):
    principal, csrf = desk.page_principal(request)
    if principal.role not in policy.VIEWS:
        return render(PAGES, "home.html", principal=principal, csrf=csrf,
                      stats_allowed=principal.role in policy.STATS_ROLES)
    filters = CaseFilterSchema().load(request.args.to_dict())
    listing = desk.usecases.list_cases(principal, filters)
    query = {k: v for k, v in request.args.to_dict().items() if k in CaseFilterSchema().fields and k != "page"}
    return render(PAGES, "inbox.html", principal=principal, csrf=csrf, listing=listing, filters=filters,
                  view=policy.view_of(principal), states=list(_labels(principal, desk.settings).items()),
                  categories=CATEGORIES, page_link=lambda n: page_url("/cases", **query, page=n))


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
