"""casework: the agency caseworkers' desk — one inbox per office, a JSON API and web pages over it.

Entrypoints stay thin: who is calling (services.casework.web.auth), what they sent (schemas), what they may do
(policy, lifecycle), and the use case itself (cases, accounts, stats, deadlines).
"""
from __future__ import annotations

from pathlib import Path

from nameko.dependency_providers import Config
from nameko.timer import timer
from sqlalchemy import select
from werkzeug.wrappers import Response

from services.casework import deadlines
from services.casework.usecases import accounts
from services.casework.usecases import case_reading as cases
from services.casework.usecases import evidence
from services.casework.usecases import routing_decisions as handlers
from services.casework.domain import policy
from services.casework.usecases import statistics as stats
from services.casework.usecases import tipster_messages
from services.casework.web.auth import (
    LOGIN_CSRF_COOKIE, PAGES, Desk, Redirect, configured_timer, desk_api, desk_page, page_url, redirect, render,
)
from services.casework.domain.lifecycle import RESOLUTIONS, STATES, staff_label
from services.casework.web.operator import OperatorPages
from services.casework.models import Base, RegisteredVolunteer, User
from services.casework.web.requests import (
    AssignmentSchema, CaseFilterSchema, ClosureRejectionSchema, DeadlineExtensionSchema, NoteSchema, QuestionSchema, SignInSchema,
    StatsFilterSchema, TransferSchema, TransitionSchema, TriageDecisionSchema, UserCreateSchema,
)
from shared import i18n
from shared.dependencies import Database, LoggingContext
from shared.events import utcnow
from shared.reliable import subscribe
from shared.vocabulary import CATEGORIES
from shared.web import SECURITY_HEADERS, ApiError, json_response, read_json

MAX_BODY = 64 * 1024
CSS = (Path(__file__).parent / "static" / "desk.css").read_text(encoding="utf-8")


class Service(OperatorPages):  # the operator page's entrypoints: services/casework/web/operator.py
    name = "casework"

    db = Database(Base.metadata, blind_index=True)
    log = LoggingContext()
    config = Config()
    desk = Desk()

    # == events ==================================================================================================
    @subscribe("tip.routed")
    def on_tip_routed(self, event):
        deadline_config = self.config["SODSONG"]["casework"].get("deadlines", {})
        self.db.consume(event, lambda uow, ev: handlers.open_case(uow, ev, deadline_config))

    @subscribe("tip.transfer_refused")
    def on_transfer_refused(self, event):
        self.db.consume(event, handlers.transfer_refused)

    @subscribe("tip.duplicates_found")
    def on_duplicates_found(self, event):
        self.db.consume(event, handlers.duplicates_found)

    @subscribe("tip.message_added")
    def on_tipster_message(self, event):
        self.db.consume(event, tipster_messages.message_added)

    @subscribe("tip.attachments_received")
    def on_tipster_attachments(self, event):
        self.db.consume(event, tipster_messages.attachments_received)

    @subscribe("volunteer.registered", "volunteer.disabled")
    def on_volunteer_changed(self, event):
        self.db.consume(event, handlers.volunteer_changed)

    @subscribe("tip.feedback_recorded")
    def on_feedback_recorded(self, event):
        self.db.consume(event, tipster_messages.feedback_recorded)

    @configured_timer("sweep_seconds", 60)
    def sweep_deadlines(self):
        casework = self.config["SODSONG"]["casework"]
        result = deadlines.sweep(self.db, casework.get("deadlines"), now=utcnow(), holder=self.desk.instance,
                                 lease_seconds=float(casework.get("sweep_lease_seconds", 120)))
        if result and (result.reminders or result.breaches):
            self.log.info("deadlines.swept", reminders=len(result.reminders), breaches=len(result.breaches))

    @desk_api("GET", "/health")
    def health(self, request):
        return json_response(200, {"service": "casework", "status": "ok"})

    # == API: sessions ===========================================================================================
    @desk_api("POST", "/api/v1/session")
    def api_sign_in(self, request):
        body = SignInSchema().load(read_json(request, MAX_BODY))
        done = self.desk.sign_in(request, body["username"], body["password"], body["totp"], "api")
        self.log.info("session.started", user_id=done.principal.user_id, kind="api")
        return json_response(201, {"token": done.token, "expires_at": cases.iso(done.expires_at),
                                   "user": _me(done.principal)})

    @desk_api("DELETE", "/api/v1/session")
    def api_sign_out(self, request):
        principal = self.desk.api_principal(request, unsafe=True)
        accounts.sign_out(self.db, self.desk.api_token(request), principal)
        return json_response(200, {"signed_out": True}, headers={"Set-Cookie": self.desk.clear_cookie()})

    @desk_api("GET", "/api/v1/session")
    def api_whoami(self, request):
        return json_response(200, {"user": _me(self.desk.api_principal(request))})

    # == API: cases ==============================================================================================
    @desk_api("GET", "/api/v1/cases")
    def api_cases(self, request):
        principal = self.desk.api_principal(request)
        filters = CaseFilterSchema().load(request.args.to_dict())
        if principal.role not in policy.VIEWS:
            raise ApiError(403, "request.forbidden")
        with self.db.reading() as session:
            return json_response(200, cases.list_cases(session, principal, filters, utcnow(), self.desk.settings))

    @desk_api("GET", "/api/v1/cases/<reference>")
    def api_case(self, request, reference):
        principal = self.desk.api_principal(request)
        with self.db.transaction() as uow:
            body = cases.read_case(uow, principal, reference, utcnow(), self.desk.settings)
        base = request.host_url.rstrip("/")
        for attachment in body.get("attachments") or ():
            attachment["download_url"] = base + attachment["download_url"]
        return json_response(200, body)

    @desk_api("GET", "/api/v1/cases/<reference>/attachments/<attachment_id>")
    def api_attachment(self, request, reference, attachment_id):
        """A tip's file: recorded as viewed, then a redirect to intake's short-lived signed link."""
        principal = self.desk.api_principal(request)
        return self._evidence_redirect(principal, reference, attachment_id)

    @desk_api("POST", "/api/v1/cases/<reference>/transitions")
    def api_transition(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = TransitionSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.transition(uow, principal, reference, to=body["to"], reason=body["reason"],
                                    resolution=body["resolution"], suggested_office=body["suggested_office"],
                                    now=utcnow(), settings=self.desk.settings,
                                    supervisor_override=body["supervisor_override"],
                                    tipster_reason=body["tipster_reason"], tipster_reason_en=body["tipster_reason_en"])
        return json_response(202 if "pending_closure" in done else 200, done)

    @desk_api("POST", "/api/v1/cases/<reference>/closure-rejection")
    def api_reject_closure(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = ClosureRejectionSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.reject_closure(uow, principal, reference, reason=body["reason"], now=utcnow())
        return json_response(200, done)

    @desk_api("GET", "/api/v1/handovers")
    def api_handovers(self, request):
        principal = self.desk.api_principal(request)
        with self.db.reading() as session:
            return json_response(200, cases.list_handovers(session, principal, self.desk.settings))

    @desk_api("POST", "/api/v1/cases/<reference>/transfer")
    def api_transfer(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = TransferSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            case = policy.find_case(uow.session, principal, reference, "transfer", for_update=True)
            done = cases.handover(uow, principal, case, mode=body["mode"], reason=body["reason"],
                                  suggested_office=body["suggested_office"], now=utcnow(),
                                  settings=self.desk.settings, supervisor_override=body["supervisor_override"])
        return json_response(200, done)

    @desk_api("POST", "/api/v1/cases/<reference>/triage-decision")
    def api_triage_decision(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = TriageDecisionSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.decide_triage(uow, principal, reference, office=body["office"], reason=body["reason"],
                                       now=utcnow(), settings=self.desk.settings,
                                       supervisor_override=body["supervisor_override"])
        return json_response(200, done)

    @desk_api("POST", "/api/v1/cases/<reference>/notes")
    def api_note(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = NoteSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.add_note(uow, principal, reference, visibility=body["visibility"], text=body["text"],
                                  now=utcnow())
        return json_response(201, done)

    @desk_api("POST", "/api/v1/cases/<reference>/questions")
    def api_question(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = QuestionSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.ask_question(uow, principal, reference, text=body["text"], now=utcnow())
        return json_response(201, done)

    @desk_api("POST", "/api/v1/cases/<reference>/assignment")
    def api_assign(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = AssignmentSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.assign(uow, principal, reference, assignee=body["assignee"], now=utcnow())
        return json_response(200, done)

    @desk_api("POST", "/api/v1/cases/<reference>/deadlines")
    def api_extend(self, request, reference):
        principal = self.desk.api_principal(request, unsafe=True)
        body = DeadlineExtensionSchema().load(read_json(request, MAX_BODY))
        with self.db.transaction() as uow:
            done = cases.extend_feedback(uow, principal, reference, months=body["months"], reason=body["reason"],
                                         now=utcnow(), settings=self.desk.settings)
        return json_response(200, done)

    @desk_api("GET", "/api/v1/cases/<reference>/access-log")
    def api_access_log(self, request, reference):
        principal = self.desk.api_principal(request)
        with self.db.reading() as session:
            return json_response(200, cases.access_log(session, principal, reference))

    # == API: statistics =========================================================================================
    @desk_api("GET", "/api/v1/stats")
    def api_stats(self, request):
        principal = self.desk.api_principal(request)
        with self.db.reading() as session:
            return json_response(200, stats.statistics(session, principal, utcnow(), _stats_filters(request)))

    @desk_api("GET", "/api/v1/stats.csv")
    def api_stats_csv(self, request):
        principal = self.desk.api_principal(request)
        with self.db.reading() as session:
            data = stats.statistics(session, principal, utcnow(), _stats_filters(request))
        return _csv(data)

    # == API: users and operations ===============================================================================
    @desk_api("GET", "/api/v1/users")
    def api_users(self, request):
        principal = self.desk.api_principal(request)
        with self.db.reading() as session:
            users = session.execute(select(User).where(policy.user_scope(principal))
                                    .order_by(User.office_code, User.username)).scalars().all()
            return json_response(200, {"items": [_user(u) for u in users]})

    @desk_api("POST", "/api/v1/users")
    def api_create_user(self, request):
        principal = self.desk.api_principal(request, unsafe=True)
        body = UserCreateSchema().load(read_json(request, MAX_BODY))
        policy.user_scope(principal)  # Forbidden for roles that administer nobody
        if not policy.may_grant(principal, body["role"], body["office_code"].strip().upper()):
            raise ApiError(403, "request.forbidden")
        if body["role"] == "volunteer" or body["volunteer_id"]:
            # a volunteer id opens every case filed under it, in any office: only the platform binds one
            if principal.role != "system_admin" or not body["volunteer_id"]:
                raise ApiError(403, "user.volunteer_binding")
            with self.db.reading() as session:
                registered = session.get(RegisteredVolunteer, body["volunteer_id"])
                if registered is None or not registered.active:
                    raise ApiError(400, "user.volunteer_unknown")
        with self.db.transaction() as uow:
            user = accounts.create_user(uow, self.desk.passwords, username=body["username"],
                                        office_code=body["office_code"], role=body["role"],
                                        password=body["password"], display_name=body["display_name"],
                                        volunteer_id=body["volunteer_id"], totp=body["totp"],
                                        actor=principal.actor)
            out = _user(user)
            if user.totp_secret:
                out["totp_uri"] = accounts.totp_uri(user)
        return json_response(201, out)

    @desk_api("POST", "/api/v1/session/password")
    def api_change_password(self, request):
        principal = self.desk.api_principal(request, unsafe=True)
        body = read_json(request, MAX_BODY)
        ended = accounts.change_password(self.db, self.desk.passwords, principal,
                                         current=str(body.get("current_password") or ""),
                                         new=str(body.get("new_password") or ""),
                                         keep_token=self.desk.api_token(request))
        return json_response(200, {"changed": True, "other_sessions_ended": ended,
                                   "message": i18n.message("user.password_changed")})

    @desk_api("POST", "/api/v1/users/<username>/password-reset")
    def api_reset_password(self, request, username):
        principal = self.desk.api_principal(request, unsafe=True)
        with self.db.transaction() as uow:
            user = policy.find_user(uow.session, principal, username)
            if not policy.may_grant(principal, user.role, user.office_code):
                raise ApiError(403, "request.forbidden")
            code, expires = accounts.issue_reset_code(uow, user, cfg=self.desk.account_settings,
                                                      actor=principal.actor)
            name = user.username
        return json_response(201, {"username": name, "reset_code": code, "expires_at": cases.iso(expires),
                                   "reset_url": f"{self.desk.casework.get('desk_url', '').rstrip('/')}/password-reset"})

    @desk_api("POST", "/api/v1/password-reset")
    def api_redeem_reset(self, request):
        body = read_json(request, MAX_BODY)
        self._redeem(request, body.get("username"), body.get("code"), body.get("new_password"))
        return json_response(200, {"changed": True, "message": i18n.message("user.password_changed")})

    def _redeem(self, request, username, code, new_password):
        """A reset code is a secret too: wrong codes count like wrong passwords for this client."""
        address = self.desk.client(request)
        key = self.desk.addresses.key(address)
        wait = self.desk.addresses.retry_after(key)
        if wait:
            raise accounts.AccountError("session.throttled", retry_after_seconds=wait)
        try:
            accounts.redeem_reset_code(self.db, self.desk.passwords, username=str(username or ""),
                                       code=str(code or ""), new=str(new_password or ""))
        except accounts.AccountError as exc:
            if exc.key == "user.reset_invalid":
                self.desk.addresses.hit(key)
            raise

    @desk_api("POST", "/api/v1/users/<username>/disable")
    def api_disable_user(self, request, username):
        principal = self.desk.api_principal(request, unsafe=True)
        with self.db.transaction() as uow:
            user = policy.find_user(uow.session, principal, username)
            ended = accounts.disable_user(uow, user, actor=principal.actor)
        return json_response(200, {"username": user.username, "disabled": True, "sessions_ended": ended})

    # == web pages ===============================================================================================
    @desk_page("GET", "/static/desk.css")
    def page_css(self, request):
        headers = dict(SECURITY_HEADERS)
        headers["Cache-Control"] = "public, max-age=3600"
        return Response(CSS, mimetype="text/css", headers=headers)

    @desk_page("GET", "/favicon.ico")
    def page_favicon(self, request):
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    @desk_page("GET", "/")
    def page_home(self, request):
        return redirect("/cases")

    @desk_page("GET", "/login")
    def page_login(self, request):
        value, cookie = self.desk.login_csrf_cookie()
        return render(PAGES, "login.html", principal=None, csrf=None, login_csrf=value, error=None,
                      notice=_flash(request, "ok"), headers=[("Set-Cookie", cookie)])

    @desk_page("POST", "/login")
    def page_sign_in(self, request):
        form = request.form
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or form.get("login_csrf") != expected:
            raise ApiError(403, "request.csrf_failed")
        try:
            done = self.desk.sign_in(request, form.get("username", ""), form.get("password", ""),
                                     form.get("totp") or None, "web")
        except accounts.AccountError as exc:
            value, cookie = self.desk.login_csrf_cookie()
            status = 429 if exc.key == "session.throttled" else 401
            headers = [("Set-Cookie", cookie)]
            if exc.detail.get("retry_after_seconds"):
                headers.append(("Retry-After", str(exc.detail["retry_after_seconds"])))
            return render(PAGES, "login.html", status=status, principal=None, csrf=None, login_csrf=value,
                          error=i18n.message(exc.key), notice=None, headers=headers)
        self.log.info("session.started", user_id=done.principal.user_id, kind="web")
        return redirect("/cases", headers=[("Set-Cookie", self.desk.session_cookie(done.token)),
                                           ("Set-Cookie", f"{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0")])

    @desk_page("GET", "/password")
    def page_password(self, request):
        principal, csrf = self.desk.page_principal(request)
        return render(PAGES, "password.html", principal=principal, csrf=csrf, mode="change", action="/password",
                      error=None, notice=None, login_csrf=None)

    @desk_page("POST", "/password")
    def page_password_post(self, request):
        principal, csrf = self.desk.page_principal(request, unsafe=True)
        form = request.form
        try:
            accounts.change_password(self.db, self.desk.passwords, principal,
                                     current=form.get("current_password", ""), new=form.get("new_password", ""),
                                     keep_token=request.cookies.get(self.desk.cookie_name))
        except accounts.AccountError as exc:
            return render(PAGES, "password.html", status=400 if exc.key != "user.password_wrong" else 403,
                          principal=principal, csrf=csrf, mode="change", action="/password",
                          error=i18n.message(exc.key), notice=None, login_csrf=None)
        return render(PAGES, "password.html", principal=principal, csrf=csrf, mode="change", action="/password",
                      error=None, notice=i18n.message("user.password_changed"), login_csrf=None)

    @desk_page("GET", "/password-reset")
    def page_reset(self, request):
        value, cookie = self.desk.login_csrf_cookie(path="/password-reset")
        return render(PAGES, "password.html", principal=None, csrf=None, mode="reset", action="/password-reset",
                      error=None, notice=None, login_csrf=value, headers=[("Set-Cookie", cookie)])

    @desk_page("POST", "/password-reset")
    def page_reset_post(self, request):
        form = request.form
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or form.get("login_csrf") != expected:
            raise ApiError(403, "request.csrf_failed")
        try:
            self._redeem(request, form.get("username"), form.get("code"), form.get("new_password"))
        except accounts.AccountError as exc:
            value, cookie = self.desk.login_csrf_cookie(path="/password-reset")
            return render(PAGES, "password.html", status=429 if exc.key == "session.throttled" else 400,
                          principal=None, csrf=None, mode="reset", action="/password-reset",
                          error=i18n.message(exc.key), notice=None, login_csrf=value,
                          headers=[("Set-Cookie", cookie)])
        return redirect("/login?ok=user.password_changed")

    @desk_page("POST", "/logout")
    def page_sign_out(self, request):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        accounts.sign_out(self.db, request.cookies.get(self.desk.cookie_name), principal)
        return redirect("/login?ok=session.signed_out", headers=[("Set-Cookie", self.desk.clear_cookie())])

    @desk_page("GET", "/cases")
    def page_inbox(self, request):
        principal, csrf = self.desk.page_principal(request)
        if principal.role not in policy.VIEWS:
            return render(PAGES, "home.html", principal=principal, csrf=csrf,
                          stats_allowed=principal.role in policy.STATS_ROLES)
        filters = CaseFilterSchema().load(request.args.to_dict())
        with self.db.reading() as session:
            listing = cases.list_cases(session, principal, filters, utcnow(), self.desk.settings)
        query = {k: v for k, v in request.args.to_dict().items() if k in CaseFilterSchema().fields and k != "page"}
        return render(PAGES, "inbox.html", principal=principal, csrf=csrf, listing=listing, filters=filters,
                      view=policy.view_of(principal), states=_state_options(principal, self.desk.settings),
                      categories=CATEGORIES, page_link=lambda n: page_url("/cases", **query, page=n))

    @desk_page("GET", "/cases/<reference>")
    def page_case(self, request, reference):
        principal, csrf = self.desk.page_principal(request)
        with self.db.transaction() as uow:
            case = cases.read_case(uow, principal, reference, utcnow(), self.desk.settings)
        return render(PAGES, "case.html", principal=principal, csrf=csrf, case=case, resolutions=RESOLUTIONS,
                      notice=_flash(request, "ok"), error=_flash(request, "error"),
                      may=lambda action: policy.may(principal, action))

    @desk_page("GET", "/cases/<reference>/attachments/<attachment_id>")
    def page_attachment(self, request, reference, attachment_id):
        principal, _ = self.desk.page_principal(request)
        return self._evidence_redirect(principal, reference, attachment_id)

    @desk_page("POST", "/cases/<reference>/transition")
    def page_transition(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form
        to = form.get("to", "")

        def act(uow):
            if to not in STATES:
                raise ApiError(400, "case.unknown_state")
            return cases.transition(uow, principal, reference, to=to, reason=form.get("reason"),
                                    resolution=form.get("resolution") or None,
                                    suggested_office=form.get("suggested_office") or None, now=utcnow(),
                                    settings=self.desk.settings,
                                    supervisor_override=form.get("supervisor_override") == "true",
                                    tipster_reason=form.get("tipster_reason") or None,
                                    tipster_reason_en=form.get("tipster_reason_en") or None)

        def ok(done):
            if "pending_closure" in done:
                return "case.closure_proposed"
            return "case.handed_over" if done.get("status") in ("transferred", "referred") else "case.updated"
        return self._form_action(reference, act, ok)

    @desk_page("POST", "/cases/<reference>/closure-rejection")
    def page_reject_closure(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        return self._form_action(reference, lambda uow: cases.reject_closure(
            uow, principal, reference, reason=request.form.get("reason"), now=utcnow()),
            lambda done: "case.closure_rejected")

    @desk_page("GET", "/handovers")
    def page_handovers(self, request):
        principal, csrf = self.desk.page_principal(request)
        with self.db.reading() as session:
            listing = cases.list_handovers(session, principal, self.desk.settings)
        return render(PAGES, "handovers.html", principal=principal, csrf=csrf, listing=listing)

    @desk_page("POST", "/cases/<reference>/triage-decision")
    def page_triage_decision(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form
        return self._form_action(reference, lambda uow: cases.decide_triage(
            uow, principal, reference, office=form.get("office", ""), reason=form.get("reason"), now=utcnow(),
            settings=self.desk.settings, supervisor_override=form.get("supervisor_override") == "true"))

    @desk_page("POST", "/cases/<reference>/notes")
    def page_note(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form
        return self._form_action(reference, lambda uow: cases.add_note(
            uow, principal, reference, visibility=form.get("visibility", ""), text=form.get("text"), now=utcnow()))

    @desk_page("POST", "/cases/<reference>/questions")
    def page_question(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        return self._form_action(reference, lambda uow: cases.ask_question(
            uow, principal, reference, text=request.form.get("text"), now=utcnow()))

    @desk_page("POST", "/cases/<reference>/assignment")
    def page_assign(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        return self._form_action(reference, lambda uow: cases.assign(
            uow, principal, reference, assignee=request.form.get("assignee") or None, now=utcnow()))

    @desk_page("POST", "/cases/<reference>/deadlines")
    def page_extend(self, request, reference):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form

        def act(uow):
            months = form.get("months", "")
            if not months.isdigit():
                raise ApiError(400, "case.extension_invalid")
            return cases.extend_feedback(uow, principal, reference, months=int(months), reason=form.get("reason"),
                                         now=utcnow(), settings=self.desk.settings)
        return self._form_action(reference, act)

    @desk_page("GET", "/stats")
    def page_stats(self, request):
        principal, csrf = self.desk.page_principal(request)
        filters = _stats_filters(request)
        with self.db.reading() as session:
            data = stats.statistics(session, principal, utcnow(), filters)
        return render(PAGES, "stats.html", principal=principal, csrf=csrf, stats=data, states=STATES,
                      labels={s: staff_label(s, principal.office_code, self.desk.settings.state_labels)
                              for s in STATES},
                      csv_link=page_url("/stats.csv", **{k: v for k, v in request.args.to_dict().items()
                                                         if k in StatsFilterSchema().fields}),
                      filters=request.args.to_dict())

    @desk_page("GET", "/stats.csv")
    def page_stats_csv(self, request):
        principal, _ = self.desk.page_principal(request)
        with self.db.reading() as session:
            data = stats.statistics(session, principal, utcnow(), _stats_filters(request))
        return _csv(data)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _evidence_redirect(self, principal, reference, attachment_id):
        with self.db.transaction() as uow:
            url = evidence.open_file(uow, principal, reference, attachment_id, utcnow(), self.config["SODSONG"])
        headers = dict(SECURITY_HEADERS)
        headers["Location"] = url
        return Response("", status=302, headers=headers)

    def _form_action(self, reference, act, ok_key=lambda done: "case.updated"):
        """Run a form's use case; come back to the case page with a message either way."""
        from services.casework.web.auth import as_api_error

        target = f"/cases/{reference}"
        try:
            with self.db.transaction() as uow:
                done = act(uow)
        except Exception as exc:  # noqa: BLE001 - mapped below, or re-raised
            err = as_api_error(exc)
            if not isinstance(err, ApiError) or err.status == 404:
                raise
            raise Redirect(page_url(target, error=err.key))
        return redirect(page_url(target, ok=ok_key(done)))

    @timer(interval=60)
    def retention(self):
        """The leased retention job (shared.retention): deletes what is kept no longer, each deletion audited."""
        from shared import retention
        from services.casework import retention as casework_retention

        config = self.config["SODSONG"]
        retention.on_timer(self.db, self.name, config, casework_retention.steps(config))


def _me(principal: policy.Principal) -> dict:
    return {"id": principal.user_id, "username": principal.username, "display_name": principal.display_name,
            "role": principal.role, "office_code": principal.office_code}


def _user(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "office_code": user.office_code, "role": user.role, "disabled": bool(user.disabled),
            "totp": bool(user.totp_secret), "created_at": cases.iso(user.created_at)}


def _stats_filters(request) -> dict:
    from datetime import datetime, time, timedelta, timezone

    f = StatsFilterSchema().load(request.args.to_dict())
    bangkok = timezone(timedelta(hours=7))
    if f.get("opened_from"):
        f["opened_from"] = datetime.combine(f["opened_from"], time(), bangkok)
    if f.get("opened_to"):
        f["opened_to"] = datetime.combine(f["opened_to"], time(), bangkok) + timedelta(days=1)
    return f


def _csv(data: dict) -> Response:
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = 'attachment; filename="sodsong-statistics.csv"'
    return Response(stats.to_csv(data), mimetype="text/csv", headers=headers,
                    content_type="text/csv; charset=utf-8")


def _flash(request, kind: str):
    key = request.args.get(kind)
    return i18n.message(key) if key in i18n.MESSAGES else None


def _state_options(principal, settings) -> list[tuple[str, dict]]:
    return [(s, staff_label(s, principal.office_code, settings.state_labels)) for s in STATES]

