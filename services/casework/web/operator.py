"""The operator page: queues, dead letters, outbox lag, heartbeats and deliveries of every service, live.

    GET  /ops                                              HTML, refreshes itself every 10 seconds (no script)
    GET  /api/v1/ops                                       the same data as JSON (sodsong.ops_view.gather)
    GET  /ops/notifications                                → /ops#deliveries (the link in notify's daily summary)
    POST /ops/dead-letters/<service>/<id>/redrive          form (CSRF): put a dead letter through its handler again
    POST /ops/deliveries/<source>/<id>/retry               form (CSRF): send a failed or dead delivery again
    POST /api/v1/ops/dead-letters/<service>/<id>/redrive   the same two actions for scripts (Bearer token):
    POST /api/v1/ops/deliveries/<source>/<id>/retry        202 requested, 409 not in a state for it, 503 DB down

Operators and system admins only (`policy.ops_access`); for everyone else these URLs do not exist (404 exactly as
for an unknown URL). Nothing here shows a case, an event's body, a message or an address: see sodsong.ops_view.
Each action is a content-free event (`ops.dead_letter_redrive_requested`, `ops.delivery_retry_requested`: who,
which row, requested or refused) that the audit chain keeps; the service that owns the row consumes a requested
one and redrives or retries in its own database (shared.operator_actions). This page writes no other service's
data: it only reads whether the row is in a state for the action.

The entrypoints are a mixin of casework's Service: they use its `db`, `desk` and `config`.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from services.casework.usecases import accounts
from services.casework.domain import policy
from services.casework.web.entrypoints import desk_api, desk_page
from services.casework.messages import OPS_MESSAGES
from services.casework.web.rendering import PAGES, page_url, redirect, render
from shared import i18n
from shared.clock import utcnow
from shared.config import SERVICES, is_memory_transport
from shared.logging import get_logger
from shared.web import ApiError, json_response
from sodsong import ops_view

log = get_logger(__name__)

REFRESH_SECONDS = 10


def _flash(request, kind: str):
    key = request.args.get(kind)
    return OPS_MESSAGES.get(key)


class _Action(NamedTuple):
    """One operator action on another service's row: the event that asks for it, and whether it applies."""
    event_type: str
    service: str
    target_id: object
    applies: Callable[[], bool]
    ok_key: str
    refused_key: str


class OperatorPages:
    """casework's operator page (mixed into Service)."""

    def _ops_data(self) -> dict:
        config = self.config["SODSONG"]
        # embedded mode runs every service in this process: its memory broker is ours to count
        return ops_view.gather(config, in_process=is_memory_transport(config), history=ops_view.HISTORY)

    def _ops_api_principal(self, request) -> policy.Principal:
        principal = self.desk.api_principal(request, unsafe=True)
        policy.ops_access(principal)
        return principal

    def _ops_form_principal(self, request) -> policy.Principal:
        """The operator behind a form; the CSRF check comes after the role's, so a non-operator learns nothing."""
        principal, _ = self.desk.page_principal(request)
        policy.ops_access(principal)
        if not accounts.csrf_ok(request.cookies.get(self.desk.cookie_name), request.form.get("csrf")):
            raise ApiError(403, "request.csrf_failed")
        return principal

    def _redrive(self, service: str, letter_id: int) -> "_Action":
        if service not in SERVICES:
            raise policy.NotFound()
        return _Action("ops.dead_letter_redrive_requested", service, letter_id,
                       lambda: ops_view.redrivable(self.config["SODSONG"], service, letter_id),
                       "ops.redrive_requested", "ops.not_redrivable")

    def _retry(self, source: str, delivery_id: str) -> "_Action":
        if source not in ops_view.DELIVERY_SOURCES or len(delivery_id) > 64:
            raise policy.NotFound()
        return _Action("ops.delivery_retry_requested", source, delivery_id,
                       lambda: ops_view.retryable(self.config["SODSONG"], source, delivery_id),
                       "ops.retry_requested", "ops.not_retryable")

    def _ops_do(self, principal, action: "_Action") -> str | None:
        """Ask the owning service with an event (content-free, in our outbox); the refusal, if any."""
        try:
            refused = None if action.applies() else action.refused_key
        except Exception as exc:  # that service's database is down or not set up here
            log.warning("ops.action_failed", action=action.event_type, service=action.service,
                        error=type(exc).__name__)
            refused = "ops.unavailable"
        self._record_ops_action(principal, action.event_type, action.service, action.target_id, refused is None)
        return refused

    def _ops_page_action(self, principal, action: "_Action"):
        refused = self._ops_do(principal, action)
        return redirect(page_url("/ops", **({"error": refused} if refused else {"ok": action.ok_key})))

    def _ops_api_action(self, principal, action: "_Action"):
        refused = self._ops_do(principal, action)
        if refused:
            raise ApiError(503 if refused == "ops.unavailable" else 409, refused)
        return json_response(202, {"service": action.service, "id": str(action.target_id), "outcome": "requested",
                                   "message": i18n.message(action.ok_key)})

    def _record_ops_action(self, principal, event_type, service, target_id, done: bool) -> None:
        with self.db.transaction() as uow:
            uow.emit(event_type, {"user_id": principal.user_id, "office_code": principal.office_code,
                                  "role": principal.role, "service": service, "target_id": str(target_id)[:64],
                                  "outcome": "requested" if done else "refused", "at": utcnow()},
                     correlation_id=f"user:{principal.user_id}", actor=principal.actor)

    @desk_api("GET", "/api/v1/ops")
    def api_ops(self, request):
        policy.ops_access(self.desk.api_principal(request))
        return json_response(200, self._ops_data())

    @desk_page("GET", "/ops")
    def page_ops(self, request):
        principal, csrf = self.desk.page_principal(request)
        policy.ops_access(principal)
        return render(PAGES, "ops.html", request=request, principal=principal, csrf=csrf, ops=self._ops_data(),
                      refresh=REFRESH_SECONDS, notice=_flash(request, "ok"), error=_flash(request, "error"))

    @desk_page("GET", "/ops/notifications")
    def page_ops_notifications(self, request):
        """Where notify's daily summary of failed deliveries points operators (notify.operators.queue_url)."""
        principal, _ = self.desk.page_principal(request)
        policy.ops_access(principal)
        return redirect("/ops#deliveries")

    @desk_page("POST", "/ops/dead-letters/<service>/<int:letter_id>/redrive")
    def page_ops_redrive(self, request, service, letter_id):
        principal = self._ops_form_principal(request)
        return self._ops_page_action(principal, self._redrive(service, letter_id))

    @desk_page("POST", "/ops/deliveries/<source>/<delivery_id>/retry")
    def page_ops_retry(self, request, source, delivery_id):
        principal = self._ops_form_principal(request)
        return self._ops_page_action(principal, self._retry(source, delivery_id))

    @desk_api("POST", "/api/v1/ops/dead-letters/<service>/<int:letter_id>/redrive")
    def api_ops_redrive(self, request, service, letter_id):
        principal = self._ops_api_principal(request)
        return self._ops_api_action(principal, self._redrive(service, letter_id))

    @desk_api("POST", "/api/v1/ops/deliveries/<source>/<delivery_id>/retry")
    def api_ops_retry(self, request, source, delivery_id):
        principal = self._ops_api_principal(request)
        return self._ops_api_action(principal, self._retry(source, delivery_id))
