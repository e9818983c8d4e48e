"""Liveness and readiness of one `sodsong run` process, over HTTP, for probes (Kubernetes, compose, a balancer).

    GET /livez   200 while the process's service containers run; 503 once one has crashed
    GET /readyz  200 when every service of the process reaches its database and the broker; 503 otherwise,
                 with the failing checks named (never a URL, a password or an address)

It listens on `health.http` (e.g. 0.0.0.0:8080; empty: off), one port per process like `metrics.http`.
A check that hangs counts as failed after `health.timeout_seconds`; results are kept `health.cache_seconds` so
a busy prober cannot load the database or the broker.
"""
from __future__ import annotations

import json
import time

import eventlet
from eventlet import wsgi
from kombu import Connection
from sqlalchemy import text

from shared.config import is_memory_transport
from shared.db import engine_for
from shared.logging import get_logger

log = get_logger(__name__)


class _NullLog:
    def write(self, *_args, **_kwargs):  # eventlet's access log would carry client addresses: keep none
        pass


class Health:
    def __init__(self, config: dict, services, alive=lambda: True):
        self.config = config
        self.services = tuple(services)
        self.alive = alive
        settings = config.get("health") or {}
        self.timeout = float(settings.get("timeout_seconds", 2.0))
        self.cache_seconds = float(settings.get("cache_seconds", 2.0))
        self._cached: tuple[float, dict] | None = None

    # -- checks ---------------------------------------------------------------------------------------------------
    def _database(self, service: str) -> bool:
        with engine_for(self.config[service]["db_url"]).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    def _broker(self) -> bool:
        if is_memory_transport(self.config):
            return True
        with Connection(self.config["amqp_uri"], connect_timeout=self.timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=self.timeout)
        return True

    def _run(self, check, *args) -> bool:
        try:
            with eventlet.Timeout(self.timeout):
                return bool(check(*args))
        except BaseException as exc:  # eventlet.Timeout is a BaseException
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            return False

    def readiness(self) -> dict:
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        checks = {"broker": self._run(self._broker)}
        urls = {}
        for service in self.services:
            urls.setdefault(self.config[service]["db_url"], []).append(service)
        for owners in urls.values():
            ok = self._run(self._database, owners[0])
            for service in owners:
                checks[f"database:{service}"] = ok
        result = {"ready": all(checks.values()) and self.alive(), "checks": checks}
        self._cached = (now, result)
        return result

    # -- HTTP -----------------------------------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, 405, {"error": "method not allowed"})
        if path == "/livez":
            alive = self.alive()
            return _answer(start_response, 200 if alive else 503,
                           {"status": "alive" if alive else "crashed", "services": list(self.services)})
        if path == "/readyz":
            result = self.readiness()
            return _answer(start_response, 200 if result["ready"] else 503,
                           {"status": "ready" if result["ready"] else "not ready", **result})
        return _answer(start_response, 404, {"error": "not found"})


def _answer(start_response, status: int, body: dict):
    data = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                                          ("Cache-Control", "no-store")])
    return [data]


def serve(config: dict, services, alive) -> Health | None:
    """Start the probe server in a green thread when `health.http` is set; returns the Health object."""
    address = (config.get("health") or {}).get("http")
    if not address:
        return None
    host, _, port = str(address).rpartition(":")
    health = Health(config, services, alive)
    sock = eventlet.listen((host.strip("[]") or "127.0.0.1", int(port)))
    eventlet.spawn(wsgi.server, sock, health.app, log=_NullLog(), log_output=False, max_size=64,
                   socket_timeout=10)
    log.info("health.listening", port=sock.getsockname()[1])
    return health
