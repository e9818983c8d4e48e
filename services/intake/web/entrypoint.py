"""intake's HTTP entrypoint: shared.web's `api`, with every expected refusal answered inside the worker.

A domain refusal (domain/errors.py, through the table in web/errors.py), an ApiError or werkzeug's own request
errors (a body over the limit, a malformed form) raised by an intake method becomes its bilingual 4xx response
right there, so nameko never sees it as a failed worker and never
logs its traceback (whose chained exceptions could carry request details). Anything else still reaches
shared.web's handler: logged without request content, answered with a generic 500.
"""
from __future__ import annotations

import functools

from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from services.intake.domain.errors import IntakeError
from services.intake.web import errors
from shared.web import ApiError, ApiHandler, error_body, json_response


def as_api_error(exc):
    if isinstance(exc, (ApiError, IntakeError)):
        return errors.as_api_error(exc)
    if isinstance(exc, RequestEntityTooLarge):
        return ApiError(413, "request.too_large")
    if isinstance(exc, HTTPException) and exc.code is not None and 400 <= exc.code < 500:
        return ApiError(exc.code, "request.invalid" if exc.code != 405 else "request.method_not_allowed")
    if isinstance(exc, UnicodeDecodeError):
        return ApiError(400, "request.invalid_utf8")
    return None


class IntakeApiHandler(ApiHandler):
    def response_from_exception(self, exc):
        return super().response_from_exception(as_api_error(exc) or exc)


def _answering(fn):
    @functools.wraps(fn)
    def method(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ApiError, IntakeError, HTTPException, UnicodeDecodeError) as exc:
            api_error = as_api_error(exc)
            if api_error is None:
                raise
            return json_response(api_error.status, error_body(api_error.key, api_error.fields, **api_error.detail))
    return method


def api(method: str, url: str, **kwargs):
    register = IntakeApiHandler.decorator(method, url, **kwargs)
    return lambda fn: register(_answering(fn))
