"""Accounts on the desk: administrators' pages and the user's own page (HTML forms, no JavaScript), and the same
actions in the JSON API.

    GET  /accounts                          the accounts the caller administers, and a form to add one
    POST /accounts                          add an account (office from routing's directory)
    GET  /accounts/<username>               one account: state, failed sign-ins, contacts, the forms below
    POST /accounts/<username>/reset         a one-time reset code and link, shown once to the administrator
    POST /accounts/<username>/disable       disable (every session ends) / enable again
    POST /accounts/<username>/enable
    POST /accounts/<username>/unlock        lift the sign-in limit after too many failures
    POST /accounts/<username>/role          another role or office
    POST /accounts/<username>/contacts      where the person's own notices go (email, LINE user id)
    GET  /me                                the user's own account: password, two-step sign-in, contacts
    POST /me/totp, /me/totp/confirm         TOTP enrolment: a QR code drawn here (inline SVG), then a code
    POST /me/contacts
    POST /api/v1/users/<username>/{enable,unlock,role,contacts}, GET /api/v1/me, PUT /api/v1/me/contacts

Agency admins administer the accounts of their agency, system admins every account (policy.user_scope); an
account outside that scope is not found. The entrypoints are a mixin of casework's Service (its `desk`).
"""
from __future__ import annotations

import segno
from markupsafe import Markup

from services.casework.domain import offices, policy
from services.casework.domain.errors import DeskAccountError
from services.casework.web import errors
from services.casework.web.entrypoints import Redirect, desk_api, desk_page
from services.casework.web.rendering import PAGES, page_url, redirect, render
from shared import i18n
from shared.web import ApiError, json_response, read_json

MAX_BODY = 64 * 1024
# what the add-an-account form keeps when its answer is switched to the other language (the query string of the
# switch's way back; never the password, nor the person's contacts)
KEPT_ON_SWITCH = ("username", "display_name", "office_code", "role")


def qr_svg(uri: str) -> Markup:
    """The provisioning URI as a QR code, inline SVG drawn here (no image request, no external service)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=True,
                                                title="TOTP QR code")  # a viewBox only: CSS sizes it whole
    return Markup(svg)  # noqa: S704 - segno's own SVG of a URI we made


def _flash(request, kind: str):
    key = request.args.get(kind)
    return i18n.message(key) if key in i18n.MESSAGES else None


def _grantable_roles(principal: policy.Principal) -> list[str]:
    """The roles the form offers (a volunteer's account is bound to a registered volunteer elsewhere)."""
    return [r for r in policy.ROLES if r != "volunteer" and policy.may_grant(principal, r, principal.office_code)]


def _office_choices(principal: policy.Principal) -> list:
    return offices.choices(None if principal.role == "system_admin" else principal.agency)


def _act(target: str, act, ok_key: str):
    """Run an account form's use case; back to `target` with a message either way (404s stay 404s)."""
    try:
        act()
    except Exception as exc:  # noqa: BLE001 - mapped below, or re-raised
        err = errors.as_api_error(exc)
        if not isinstance(err, ApiError) or err.status == 404:
            raise
        raise Redirect(page_url(target, error=err.key)) from exc
    return redirect(page_url(target, ok=ok_key))


class AccountPages:
    """casework's account pages and API (mixed into Service)."""

    # -- administrators' pages ----------------------------------------------------------------------------------
    def _accounts_page(self, request, principal, csrf, *, status=200, error=None, form=None):
        items = self.desk.usecases.users(principal)
        kept = {k: v for k, v in (form or {}).items() if k in KEPT_ON_SWITCH}
        return render(PAGES, "accounts.html", status=status, request=request, here=page_url("/accounts", **kept),
                      principal=principal, csrf=csrf, items=items,
                      roles=_grantable_roles(principal), offices=_office_choices(principal),
                      notice=_flash(request, "ok"), error=error or _flash(request, "error"), form=form or {})

    @desk_page("GET", "/accounts")
    def page_accounts(self, request):
        principal, csrf = self.desk.page_principal(request)
        policy.user_scope(principal)  # Forbidden for roles that administer nobody
        return self._accounts_page(request, principal, csrf, form={k: request.args.get(k, "")[:200]
                                                                   for k in KEPT_ON_SWITCH if request.args.get(k)})

    @desk_page("POST", "/accounts")
    def page_create_account(self, request):
        principal, csrf = self.desk.page_principal(request, unsafe=True)
        form = request.form
        fields = {"username": form.get("username", ""), "display_name": form.get("display_name") or None,
                  "office_code": form.get("office_code", ""), "role": form.get("role", ""),
                  "password": form.get("password", ""), "email": form.get("email") or None,
                  "line_user_id": form.get("line_user_id") or None}
        try:
            created = self.desk.usecases.create_user(principal, fields)
        except Exception as exc:  # noqa: BLE001 - an answer the page shows, or re-raised
            err = errors.as_api_error(exc)
            if not isinstance(err, ApiError) or err.status == 404:
                raise
            kept = {k: v for k, v in fields.items() if k != "password"}
            return self._accounts_page(request, principal, csrf, status=err.status, error=i18n.message(err.key),
                                       form=kept)
        return redirect(page_url(f"/accounts/{created['username']}", ok="user.created"))

    def _account_page(self, request, principal, csrf, username, *, reset=None):
        account = self.desk.usecases.user(principal, username)
        return render(PAGES, "account.html", request=request,
                      here=f"/accounts/{account['username']}" if reset else None, principal=principal, csrf=csrf,
                      account=account, reset=reset,
                      roles=_grantable_roles(principal), offices=_office_choices(principal),
                      office=offices.known(account["office_code"]),
                      notice=_flash(request, "ok"), error=_flash(request, "error"),
                      headers={"Cache-Control": "no-store"})

    @desk_page("GET", "/accounts/<username>")
    def page_account(self, request, username):
        principal, csrf = self.desk.page_principal(request)
        return self._account_page(request, principal, csrf, username)

    @desk_page("POST", "/accounts/<username>/reset")
    def page_reset_account(self, request, username):
        principal, csrf = self.desk.page_principal(request, unsafe=True)
        try:
            name, code, expires = self.desk.usecases.reset_password(principal, username)
        except Exception as exc:  # noqa: BLE001
            err = errors.as_api_error(exc)
            if not isinstance(err, ApiError) or err.status == 404:
                raise
            raise Redirect(page_url(f"/accounts/{username}", error=err.key)) from exc
        reset = {"code": code, "expires_at": expires, "link": self._reset_link(name, code)}
        return self._account_page(request, principal, csrf, name, reset=reset)

    def _reset_link(self, username: str, code: str) -> str:
        base = str(self.desk.account_settings["desk_url"]).rstrip("/")
        return page_url(f"{base}/password-reset", username=username, code=code)

    @desk_page("POST", "/accounts/<username>/disable")
    def page_disable_account(self, request, username):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        return _act(f"/accounts/{username}", lambda: self.desk.usecases.disable_user(principal, username),
                    "user.disabled")

    @desk_page("POST", "/accounts/<username>/enable")
    def page_enable_account(self, request, username):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        return _act(f"/accounts/{username}", lambda: self.desk.usecases.enable_user(principal, username),
                    "user.enabled")

    @desk_page("POST", "/accounts/<username>/unlock")
    def page_unlock_account(self, request, username):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        return _act(f"/accounts/{username}", lambda: self.desk.usecases.unlock_user(principal, username),
                    "user.unlocked")

    @desk_page("POST", "/accounts/<username>/role")
    def page_change_account(self, request, username):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form
        return _act(f"/accounts/{username}", lambda: self.desk.usecases.change_user(
            principal, username, role=form.get("role", ""), office_code=form.get("office_code", "")),
            "user.role_changed")

    @desk_page("POST", "/accounts/<username>/contacts")
    def page_account_contacts(self, request, username):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form
        return _act(f"/accounts/{username}", lambda: self.desk.usecases.set_contacts(
            principal, username, email=form.get("email"), line_user_id=form.get("line_user_id")),
            "user.contacts_saved")

    # -- the user's own page ------------------------------------------------------------------------------------
    def _me_page(self, request, principal, csrf, *, status=200, error=None, notice=None):
        account = self.desk.usecases.my_account(principal)
        pending = self.desk.usecases.pending_totp(principal)
        return render(PAGES, "me.html", status=status, request=request, here="/me", principal=principal, csrf=csrf,
                      account=account,
                      pending=pending, qr=qr_svg(pending["uri"]) if pending else None,
                      notice=notice or _flash(request, "ok"), error=error or _flash(request, "error"),
                      headers={"Cache-Control": "no-store"})

    @desk_page("GET", "/me")
    def page_me(self, request):
        principal, csrf = self.desk.page_principal(request)
        return self._me_page(request, principal, csrf)

    @desk_page("POST", "/me/totp")
    def page_start_totp(self, request):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        self.desk.usecases.start_totp(principal)
        return redirect("/me#totp")

    @desk_page("POST", "/me/totp/confirm")
    def page_confirm_totp(self, request):
        principal, csrf = self.desk.page_principal(request, unsafe=True)
        try:
            self.desk.usecases.confirm_totp(principal, request.form.get("code", ""))
        except DeskAccountError as exc:
            return self._me_page(request, principal, csrf, status=errors.status_of(exc)[0],
                                 error=i18n.message(exc.key))
        return redirect(page_url("/me", ok="user.totp_enabled"))

    @desk_page("POST", "/me/contacts")
    def page_my_contacts(self, request):
        principal, _ = self.desk.page_principal(request, unsafe=True)
        form = request.form
        return _act("/me", lambda: self.desk.usecases.set_contacts(
            principal, None, email=form.get("email"), line_user_id=form.get("line_user_id")),
            "user.contacts_saved")

    # -- the same for scripts -----------------------------------------------------------------------------------
    @desk_api("GET", "/api/v1/users/<username>")
    def api_user(self, request, username):
        return json_response(200, self.desk.usecases.user(self.desk.api_principal(request), username))

    @desk_api("POST", "/api/v1/users/<username>/enable")
    def api_enable_user(self, request, username):
        name = self.desk.usecases.enable_user(self.desk.api_principal(request, unsafe=True), username)
        return json_response(200, {"username": name, "disabled": False})

    @desk_api("POST", "/api/v1/users/<username>/unlock")
    def api_unlock_user(self, request, username):
        name = self.desk.usecases.unlock_user(self.desk.api_principal(request, unsafe=True), username)
        return json_response(200, {"username": name, "unlocked": True})

    @desk_api("POST", "/api/v1/users/<username>/role")
    def api_change_user(self, request, username):
        principal = self.desk.api_principal(request, unsafe=True)
        body = read_json(request, MAX_BODY)
        return json_response(200, self.desk.usecases.change_user(
            principal, username, role=str(body.get("role") or ""), office_code=str(body.get("office_code") or "")))

    @desk_api("PUT", "/api/v1/users/<username>/contacts")
    def api_user_contacts(self, request, username):
        principal = self.desk.api_principal(request, unsafe=True)
        body = read_json(request, MAX_BODY)
        return json_response(200, self.desk.usecases.set_contacts(
            principal, username, email=body.get("email"), line_user_id=body.get("line_user_id")))

    @desk_api("GET", "/api/v1/me")
    def api_me(self, request):
        return json_response(200, self.desk.usecases.my_account(self.desk.api_principal(request)))

    @desk_api("PUT", "/api/v1/me/contacts")
    def api_my_contacts(self, request):
        principal = self.desk.api_principal(request, unsafe=True)
        body = read_json(request, MAX_BODY)
        return json_response(200, self.desk.usecases.set_contacts(
            principal, None, email=body.get("email"), line_user_id=body.get("line_user_id")))
