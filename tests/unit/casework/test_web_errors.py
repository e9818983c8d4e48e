"""The desk's one table from domain exceptions to HTTP answers (services/casework/web/errors.py)."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.casework.domain.errors import DeskAccountError, Forbidden, NotFound, TransitionError
from services.casework.web.errors import as_api_error, status_of
from shared.web import ApiError


@pytest.mark.parametrize("exc, status, key", [
    (NotFound(), 404, "request.not_found"),
    (Forbidden(), 403, "request.forbidden"),
    (TransitionError("case.transition_not_allowed"), 409, "case.transition_not_allowed"),
    (TransitionError("case.no_closure_proposal"), 409, "case.no_closure_proposal"),
    (TransitionError("case.transition_not_permitted"), 403, "case.transition_not_permitted"),
    (TransitionError("case.tipster_reason_required"), 400, "case.tipster_reason_required"),
    (DeskAccountError("session.invalid_credentials"), 401, "session.invalid_credentials"),
    (DeskAccountError("session.throttled"), 429, "session.throttled"),
    (DeskAccountError("user.exists"), 409, "user.exists"),
    (DeskAccountError("user.password_common"), 400, "user.password_common"),
    (ValidationError({"to": ["bad"]}), 400, "request.validation_failed"),
])
def test_each_domain_error_has_its_status_and_message(exc, status, key):
    assert status_of(exc) == (status, key)
    err = as_api_error(exc)
    assert isinstance(err, ApiError) and (err.status, err.key) == (status, key)


def test_details_travel_and_unknown_errors_are_left_alone():
    err = as_api_error(TransitionError("case.extension_invalid", max_months=6))
    assert (err.status, err.detail) == (400, {"max_months": 6})
    boom = RuntimeError("boom")
    assert status_of(boom) is None and as_api_error(boom) is boom
