"""HTTP plumbing for nameko `@http` entrypoints: JSON in and out, bilingual errors, safe headers, no 5xx leaks,
and the HTTP server every entrypoint runs on (EdgeServer: deadlines for headers and bodies, bodies read before a
worker is taken, caps on connections and on large bodies in memory; `http_server` in the configuration).

`ApiHandler` is nameko's `http` handler with one change: any exception becomes a JSON response. An ApiError carries
its own status and message; anything else is logged (without request content) and answered with a generic 500.
"""
from __future__ import annotations

import io
import json
import time
from functools import partial
from logging import getLogger

import eventlet
from eventlet import wsgi
from eventlet.semaphore import Semaphore
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from shared import i18n, metrics
from shared.config import SHARED
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
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and body["error"].get("retry_after_seconds"):
        all_headers.setdefault("Retry-After", str(body["error"]["retry_after_seconds"]))
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    mimetype="application/json", headers=all_headers)


def error_body(key: str, fields: dict | None = None, **detail) -> dict:
    body = {"error": {"code": key, "message": i18n.message(key, **detail)}}
    if detail.get("retry_after_seconds"):  # also sent as Retry-After
        body["error"]["retry_after_seconds"] = int(detail["retry_after_seconds"])
    if fields:
        body["fields"] = fields
    return body


def read_json(request, max_bytes: int):
    """The request's JSON object, or an ApiError (400/413/415) saying, in Thai and English, what is wrong."""
    content_type = (request.mimetype or "").lower()
    if content_type != "application/json":
        raise ApiError(415, "request.wrong_content_type")
    return parse_json_object(read_body(request, max_bytes))


def read_body(request, max_bytes: int, *, cache: bool = True) -> bytes:
    """The request's body, or ApiError 413 when it says or turns out to be larger than `max_bytes`."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "request.too_large")
    raw = request.get_data(cache=cache)
    if len(raw) > max_bytes:
        raise ApiError(413, "request.too_large")
    return raw


def parse_json_object(raw: bytes) -> dict:
    """A JSON object from bytes (a body, or a JSON part of a multipart body), or the 400 that says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "request.invalid_utf8") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "request.invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "request.not_object")
    return data


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


# -- the HTTP server ------------------------------------------------------------------------------------------


def server_settings(config: dict, service: str, service_cls=None) -> dict:
    out = SHARED.section(config, "http_server")  # declared in shared.config
    out.update(((config.get(service) or {}).get("http_server")) or {})
    limit = getattr(service_cls, "max_request_bytes", None)
    if callable(limit) and not ((config.get(service) or {}).get("http_server") or {}).get("max_body_bytes"):
        out["max_body_bytes"] = int(limit(config))
    return out


class _SlowClient(Exception):
    pass


class _EdgeProtocol(HttpOnlyProtocol):
    """eventlet's protocol with deadlines: the whole request line and the whole header block must each arrive
    within `header_timeout_seconds` (after an idle keep-alive wait), so a client sending a byte now and then
    cannot hold a connection open."""

    def _read_request_line(self):
        limit = float(self.server.keepalive or 0) + float(self.server.sodsong["header_timeout_seconds"])
        try:
            with eventlet.Timeout(limit, _SlowClient):
                return super()._read_request_line()
        except _SlowClient:
            self.close_connection = 1
            return ""

    def get_environ(self, *args, **kwargs):
        environ = super().get_environ(*args, **kwargs)
        environ["sodsong.protocol"] = self  # so the app can close a connection whose body it will not read
        return environ

    def parse_request(self):
        try:
            with eventlet.Timeout(float(self.server.sodsong["header_timeout_seconds"]), _SlowClient):
                return super().parse_request()
        except _SlowClient:
            self.close_connection = 1
            try:
                self.wfile.write(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            return False


class EdgeWsgiApp(WsgiApp):
    """Reads (and size-checks) a request's body before a worker is taken: a slow or oversized body costs a
    green thread and a socket, never one of the service's workers (which its event consumers share)."""

    def __init__(self, server):
        super().__init__(server)
        self.settings = server.sodsong
        self.uploads = Semaphore(int(self.settings["max_concurrent_uploads"]))

    def __call__(self, environ, start_response):
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            self._close_after(environ)
            return exc(environ, start_response)
        length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
        declared = int(length) if length.isdigit() else (None if chunked else 0)
        limit = int(self.settings["max_body_bytes"])
        if declared is not None and declared > limit:
            return self._refuse(environ, start_response, 413, "request.too_large")
        large = declared is None or declared > int(self.settings["large_body_bytes"])
        if large and not self.uploads.acquire(timeout=float(self.settings["upload_wait_seconds"])):
            return self._refuse(environ, start_response, 503, "request.busy", retry_after_seconds=5)
        try:
            if declared is None or declared > 0:
                body = self._read_body(environ, declared, limit)
                if isinstance(body, tuple):
                    return self._refuse(environ, start_response, *body)
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ["wsgi.input_terminated"] = True
            request = Request(environ, shallow=True)
            request.path_values = values
            try:
                rv = provider.handle_request(request)
            except HTTPException as exc:
                rv = exc
            return rv(environ, start_response)
        finally:
            if large:
                self.uploads.release()

    def _read_body(self, environ, declared, limit):
        stream = environ["wsgi.input"]
        grace, rate = float(self.settings["body_grace_seconds"]), float(self.settings["body_min_rate_bytes"])
        started = time.monotonic()
        parts, received = [], 0
        while declared is None or received < declared:
            want = 65536 if declared is None else min(65536, declared - received)
            remaining = started + grace + received / rate - time.monotonic()
            if remaining <= 0:
                return (408, "request.timeout")
            try:
                with eventlet.Timeout(remaining, _SlowClient):
                    chunk = stream.read(want)
            except _SlowClient:
                return (408, "request.timeout")
            except (OSError, ValueError):
                return (400, "request.invalid")
            if not chunk:
                if declared is not None:
                    return (400, "request.invalid")
                break
            parts.append(chunk)
            received += len(chunk)
            if received > limit:
                return (413, "request.too_large")
        return b"".join(parts)

    @staticmethod
    def _close_after(environ):
        """Close the connection after answering: eventlet would otherwise read the unread body to its end."""
        protocol = environ.get("sodsong.protocol")
        if protocol is not None and (environ.get("CONTENT_LENGTH") not in (None, "", "0")
                                     or environ.get("HTTP_TRANSFER_ENCODING")):
            protocol.close_connection = 1

    @classmethod
    def _refuse(cls, environ, start_response, status, key, **detail):
        cls._close_after(environ)
        response = json_response(status, error_body(key, **detail), {"Connection": "close"})
        return response(environ, start_response)


class EdgeServer(WebServer):
    """nameko's web server with socket, keep-alive, header and body deadlines, a cap on open connections and
    on large bodies in memory at once (`http_server` in the configuration; see docs/settings.md)."""

    def setup(self):
        config = self.container.config.get("SODSONG") or {}
        self.sodsong = server_settings(config, self.container.service_name, self.container.service_cls)
        super().setup()

    def get_wsgi_app(self):
        return EdgeWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=_EdgeProtocol, debug=False):
        server = wsgi.Server(sock, sock.getsockname(), wsgi_app, protocol=protocol, debug=debug,
                             log=getLogger("nameko.web.server"),
                             socket_timeout=float(self.sodsong["socket_timeout_seconds"]),
                             keepalive=float(self.sodsong["keepalive_seconds"]))
        server.sodsong = self.sodsong
        return server

    def run(self):
        slots = Semaphore(int(self.sodsong["max_connections"]))
        while self._is_accepting:
            slots.acquire()
            try:
                sock, addr = self._sock.accept()
            except BaseException:
                slots.release()
                raise
            sock.settimeout(self._serv.socket_timeout)
            thread = self.container.spawn_managed_thread(partial(self.process_request, sock, addr))
            thread.link(lambda *_: slots.release())


class ApiHandler(HttpRequestHandler):
    server = EdgeServer()

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
        self.seconds.observe(time.monotonic() - started)
        self.answered(response.status_code).inc()
        return response

    def setup(self):
        super().setup()
        # the labelled metrics every request touches, looked up once (per status for the counter)
        self.labels = dict(service=self.container.service_name, method=self.method, route=self.url)
        self.seconds = metrics.HTTP_SECONDS.labels(**self.labels)
        self.answered = metrics.ByLabel(metrics.HTTP_REQUESTS, "status", **self.labels)
