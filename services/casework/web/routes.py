"""The desk's JSON API: each route reads who is calling (web/auth.py) and what they sent (web/requests.py), calls
one use case (usecases/wiring.py) and answers in JSON. Errors are answered through web/errors.py."""
from __future__ import annotations

from datetime import timedelta

from werkzeug.wrappers import Response

from services.casework.domain import policy
from services.casework.usecases import network as network_usecase
from services.casework.usecases import statistics
from services.casework.usecases.case_reading import iso
from services.casework.web.rendering import page_url
from services.casework.web.requests import (
    AssignmentSchema,
    CaseFilterSchema,
    ClosureRejectionSchema,
    DeadlineExtensionSchema,
    NoteSchema,
    QuestionSchema,
    SignInSchema,
    StatsFilterSchema,
    TransferSchema,
    TransitionSchema,
    TriageDecisionSchema,
    UserCreateSchema,
)
from shared import i18n
from shared.clock import local_day_start
from shared.logging import get_logger
from shared.web import SECURITY_HEADERS, json_response, read_json

log = get_logger(__name__)

MAX_BODY = 64 * 1024


def health(desk, request):
    return json_response(200, {"service": "casework", "status": "ok"})


# -- sessions ------------------------------------------------------------------------------------------------
def sign_in(desk, request):
    body = SignInSchema().load(read_json(request, MAX_BODY))
    done = desk.sign_in(request, body["username"], body["password"], body["totp"], "api")
    log.info("session.started", user_id=done.principal.user_id, kind="api")
    return json_response(201, {"token": done.token, "expires_at": iso(done.expires_at), "user": me(done.principal)})


def sign_out(desk, request):
    principal = desk.api_principal(request, unsafe=True)
    desk.usecases.sign_out(desk.api_token(request), principal)
    return json_response(200, {"signed_out": True}, headers={"Set-Cookie": desk.clear_cookie()})


def whoami(desk, request):
    return json_response(200, {"user": me(desk.api_principal(request))})


def change_password(desk, request):
    principal = desk.api_principal(request, unsafe=True)
    body = read_json(request, MAX_BODY)
    ended = desk.usecases.change_password(principal, current=str(body.get("current_password") or ""),
                                          new=str(body.get("new_password") or ""),
                                          keep_token=desk.api_token(request))
    return json_response(200, {"changed": True, "other_sessions_ended": ended,
                               "message": i18n.message("user.password_changed")})


def redeem_reset(desk, request):
    body = read_json(request, MAX_BODY)
    desk.redeem_reset(request, body.get("username"), body.get("code"), body.get("new_password"))
    return json_response(200, {"changed": True, "message": i18n.message("user.password_changed")})


# -- cases ---------------------------------------------------------------------------------------------------
def cases(desk, request):
    principal = desk.api_principal(request)
    filters = CaseFilterSchema().load(request.args.to_dict())
    return json_response(200, desk.usecases.list_cases(principal, filters))


def cases_csv(desk, request):
    """The case list a filter shows, as CSV (same filters and order as GET /api/v1/cases, every page)."""
    principal = desk.api_principal(request)
    filters = CaseFilterSchema().load(request.args.to_dict())
    return cases_csv_response(desk.usecases.export_cases(principal, filters))


def case(desk, request, reference):
    body = desk.usecases.read_case(desk.api_principal(request), reference)
    base = request.host_url.rstrip("/")
    for attachment in body.get("attachments") or ():
        attachment["download_url"] = base + attachment["download_url"]
    return json_response(200, body)


def attachment(desk, request, reference, attachment_id):
    """A tip's file: recorded as viewed, then a redirect to intake's short-lived signed link."""
    return evidence_redirect(desk.usecases.open_evidence(desk.api_principal(request), reference, attachment_id))


def transition(desk, request, reference):
    principal = desk.api_principal(request, unsafe=True)
    body = TransitionSchema().load(read_json(request, MAX_BODY))
    done = desk.usecases.transition(principal, reference, **body)
    return json_response(202 if "pending_closure" in done else 200, done)


def reject_closure(desk, request, reference):
    principal = desk.api_principal(request, unsafe=True)
    body = ClosureRejectionSchema().load(read_json(request, MAX_BODY))
    return json_response(200, desk.usecases.reject_closure(principal, reference, reason=body["reason"]))


def handovers(desk, request):
    return json_response(200, desk.usecases.handovers(desk.api_principal(request)))


def transfer(desk, request, reference):
    return _act(desk, request, reference, TransferSchema, desk.usecases.handover)


def triage_decision(desk, request, reference):
    return _act(desk, request, reference, TriageDecisionSchema, desk.usecases.decide_triage)


def note(desk, request, reference):
    return _act(desk, request, reference, NoteSchema, desk.usecases.add_note, status=201)


def question(desk, request, reference):
    return _act(desk, request, reference, QuestionSchema, desk.usecases.ask_question, status=201)


def assign(desk, request, reference):
    return _act(desk, request, reference, AssignmentSchema, desk.usecases.assign)


def _act(desk, request, reference, schema, use_case, status: int = 200):
    """A change to a case from a JSON body: the caller (with its CSRF token if it came with the cookie), the
    body's fields as the use case's arguments."""
    principal = desk.api_principal(request, unsafe=True)
    body = schema().load(read_json(request, MAX_BODY))
    return json_response(status, use_case(principal, reference, **body))


def extend(desk, request, reference):
    principal = desk.api_principal(request, unsafe=True)
    body = DeadlineExtensionSchema().load(read_json(request, MAX_BODY))
    return json_response(200, desk.usecases.extend_feedback(principal, reference, months=body["months"],
                                                            reason=body["reason"]))


def access_log(desk, request, reference):
    return json_response(200, desk.usecases.access_log(desk.api_principal(request), reference))


def access_entries(desk, request):
    return json_response(200, desk.usecases.access_entries(desk.api_principal(request),
                                                           reference=request.args.get("reference"),
                                                           username=request.args.get("user")))


# -- statistics ----------------------------------------------------------------------------------------------
def stats(desk, request):
    return json_response(200, desk.usecases.statistics(desk.api_principal(request), stats_filters(request)))


def stats_csv(desk, request):
    return csv_response(desk.usecases.statistics(desk.api_principal(request), stats_filters(request)),
                        request.args.get("shape"))


# -- the network coordinators' view --------------------------------------------------------------------------
def network(desk, request):
    return json_response(200, desk.usecases.network(desk.api_principal(request), request.args.get("network")))


def network_csv(desk, request):
    view = desk.usecases.network(desk.api_principal(request), request.args.get("network"))
    return network_csv_response(view)


def network_csv_response(view: dict) -> Response:
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="sodsong-network-{view["network"]["code"]}.csv"'
    return Response(network_usecase.to_csv(view), headers=headers, content_type="text/csv; charset=utf-8")


def network_json_download(view: dict) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="sodsong-network-{view["network"]["code"]}.json"'}
    return json_response(200, view, headers)


# -- accounts ------------------------------------------------------------------------------------------------
def users(desk, request):
    return json_response(200, {"items": desk.usecases.users(desk.api_principal(request))})


def create_user(desk, request):
    principal = desk.api_principal(request, unsafe=True)
    body = UserCreateSchema().load(read_json(request, MAX_BODY))
    return json_response(201, desk.usecases.create_user(principal, body))


def reset_password(desk, request, username):
    principal = desk.api_principal(request, unsafe=True)
    name, code, expires = desk.usecases.reset_password(principal, username)
    base = f"{desk.account_settings['desk_url'].rstrip('/')}/password-reset"
    return json_response(201, {"username": name, "reset_code": code, "expires_at": iso(expires), "reset_url": base,
                               "reset_link": page_url(base, username=name, code=code)})


def disable_user(desk, request, username):
    name, ended = desk.usecases.disable_user(desk.api_principal(request, unsafe=True), username)
    return json_response(200, {"username": name, "disabled": True, "sessions_ended": ended})


# -- shared with the pages -----------------------------------------------------------------------------------
def me(principal: policy.Principal) -> dict:
    return {"id": principal.user_id, "username": principal.username, "display_name": principal.display_name,
            "role": principal.role, "office_code": principal.office_code}


def stats_filters(request) -> dict:
    """The statistics' filters; days are Bangkok days (from midnight to midnight, Thai time)."""
    f = StatsFilterSchema().load(request.args.to_dict())
    if f.get("opened_from"):
        f["opened_from"] = local_day_start(f["opened_from"])
    if f.get("opened_to"):
        f["opened_to"] = local_day_start(f["opened_to"] + timedelta(days=1))
    return f


def csv_response(data: dict, shape: str | None = None) -> Response:
    """The statistics as CSV: long (the default) or wide (`?shape=wide`: months as columns)."""
    wide = shape == "wide"
    headers = dict(SECURITY_HEADERS)
    name = "sodsong-statistics-wide.csv" if wide else "sodsong-statistics.csv"
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    body = statistics.to_wide_csv(data) if wide else statistics.to_csv(data)
    return Response(body, mimetype="text/csv", headers=headers, content_type="text/csv; charset=utf-8")


def cases_csv_response(text: str) -> Response:
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = 'attachment; filename="sodsong-cases.csv"'
    return Response(text.encode("utf-8"), headers=headers, content_type="text/csv; charset=utf-8")


def evidence_redirect(url: str) -> Response:
    headers = dict(SECURITY_HEADERS)
    headers["Location"] = url
    return Response("", status=302, headers=headers)
