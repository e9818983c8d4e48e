"""HTTP plumbing for nameko `@http` entrypoints: JSON in and out, bilingual errors, safe headers, no 5xx leaks.

`api` is nameko's `http` with one change: any exception becomes a JSON response. An ApiError carries its own
status and message; anything else is logged (without request content) and answered with a generic 500.
"""
from __future__ import annotations

import json
import time

from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Response

from shared import i18n, metrics
from shared.logging import get_logger

log = get_logger(__name__)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


class ApiError(Exception):
    def __init__(self, status: int, key: str, fields: dict | None = None, **detail):
        super().__init__(key)
        self.status = status
        self.key = key
        self.fields = fields or {}
        self.detail = detail


def json_response(status: int, body, headers: dict | None = None) -> Response:
    all_headers = dict(SECURITY_HEADERS)
    all_headers.update(headers or {})
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    mimetype="application/json", headers=all_headers)


def error_body(key: str, fields: dict | None = None, **detail) -> dict:
    body = {"error": {"code": key, "message": i18n.message(key, **detail)}}
    if fields:
        body["fields"] = fields
    return body


def read_json(request, max_bytes: int):
    """The request's JSON object, or an ApiError (400/413/415) saying, in Thai and English, what is wrong."""
    content_type = (request.mimetype or "").lower()
    if content_type != "application/json":
        raise ApiError(415, "request.wrong_content_type")
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "request.too_large")
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        raise ApiError(413, "request.too_large")
    return parse_json_object(raw)


def parse_json_object(raw: bytes) -> dict:
    """A JSON object from bytes (a body, or a JSON part of a multipart body), or the 400 that says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "request.invalid_utf8")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "request.invalid_json")
    if not isinstance(data, dict):
        raise ApiError(400, "request.not_object")
    return data


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


class ApiHandler(HttpRequestHandler):
    def response_from_exception(self, exc):
        if isinstance(exc, ApiError):
            return json_response(exc.status, error_body(exc.key, exc.fields, **exc.detail))
        log.error("http.unhandled_error", error=type(exc).__name__, exc_info=exc)
        return json_response(500, error_body("request.internal_error"))

    def handle_request(self, request):
        started = time.monotonic()
        response = super().handle_request(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        labels = dict(service=self.container.service_name, method=self.method, route=self.url)
        metrics.HTTP_SECONDS.labels(**labels).observe(time.monotonic() - started)
        metrics.HTTP_REQUESTS.labels(status=str(response.status_code), **labels).inc()
        return response


api = ApiHandler.decorator
