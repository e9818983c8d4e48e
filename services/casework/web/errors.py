"""Casework's domain exceptions as HTTP answers: one table, the only place that knows their statuses."""
from __future__ import annotations

from marshmallow import ValidationError

from services.casework.domain.errors import DeskAccountError, Forbidden, NotFound, TransitionError
from shared import i18n
from shared.web import ApiError

# (exception, its message key or None for any other, HTTP status, the message key answered or None for its own);
# the first row that matches wins. `policy.Hidden` (a NotFound) never gets here: it is answered as an unknown URL.
TABLE: tuple[tuple[type, str | None, int, str | None], ...] = (
    (NotFound, None, 404, "request.not_found"),
    (Forbidden, None, 403, "request.forbidden"),
    (TransitionError, "case.transition_not_allowed", 409, None),
    (TransitionError, "case.not_open", 409, None),
    (TransitionError, "case.transfer_limit", 409, None),
    (TransitionError, "case.not_in_triage", 409, None),
    (TransitionError, "case.no_closure_proposal", 409, None),
    (TransitionError, "case.transition_not_permitted", 403, None),
    (TransitionError, None, 400, None),
    (DeskAccountError, "session.invalid_credentials", 401, None),
    (DeskAccountError, "session.totp_required", 401, None),
    (DeskAccountError, "session.throttled", 429, None),
    (DeskAccountError, "user.exists", 409, None),
    (DeskAccountError, "user.password_wrong", 403, None),
    (DeskAccountError, "user.volunteer_binding", 403, None),
    (DeskAccountError, None, 400, None),
    (ValidationError, None, 400, "request.validation_failed"),
)

# answered, not logged as a worker's error
EXPECTED = tuple(dict.fromkeys(row[0] for row in TABLE)) + (ApiError,)


def status_of(exc: Exception) -> tuple[int, str] | None:
    """The HTTP status and message key of a domain exception (None if the table does not know it)."""
    key = getattr(exc, "key", None)
    for kind, when, status, answer in TABLE:
        if isinstance(exc, kind) and (when is None or when == key):
            return status, answer or key
    return None


def as_api_error(exc: Exception) -> Exception:
    """Domain errors → ApiError (anything else is left for the generic 500)."""
    if isinstance(exc, ApiError):
        return exc
    found = status_of(exc)
    if found is None:
        return exc
    status, key = found
    if isinstance(exc, ValidationError):
        return ApiError(status, key, fields=i18n.field_errors(exc.messages))
    return ApiError(status, key, **getattr(exc, "detail", {}))
