"""The HTTP server under slow clients (finding 2 of the edge review): bodies are read before a worker is taken,
with a deadline, and headers must arrive within a deadline, so slow connections cannot stop a service."""
from __future__ import annotations

import socket
import threading
import time

import requests

from tests.integration.casework.conftest import desk_running
from tests.support.slow_clients import slow_body


def test_twelve_slow_bodies_do_not_stop_the_service(memory_cfg):
    memory_cfg["max_workers"] = 10
    with desk_running(memory_cfg) as (_, base):
        port = int(base.rsplit(":", 1)[1])
        stop = threading.Event()
        threads = [threading.Thread(target=slow_body, args=(port, "/api/v1/session", stop)) for _ in range(12)]
        for t in threads:
            t.start()
        try:
            time.sleep(2)
            latencies = []
            for _ in range(3):
                started = time.monotonic()
                assert requests.get(base + "/health", timeout=5).status_code == 200
                latencies.append(time.monotonic() - started)
            assert max(latencies) < 1.0, latencies
        finally:
            stop.set()
            for t in threads:
                t.join()


def test_slow_headers_and_slow_bodies_are_cut_off(memory_cfg):
    memory_cfg["http_server"] = {"header_timeout_seconds": 2, "keepalive_seconds": 2, "body_grace_seconds": 2,
                                 "body_min_rate_bytes": 1000}
    with desk_running(memory_cfg) as (_, base):
        port = int(base.rsplit(":", 1)[1])
        headers = socket.create_connection(("127.0.0.1", port), timeout=10)
        headers.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and then a header line now and then
        started = time.monotonic()
        closed_after = None
        headers.settimeout(1.0)
        while time.monotonic() - started < 8 and closed_after is None:
            try:
                headers.sendall(b"X-Slow: 1\r\n")
                answer = headers.recv(1024)
                closed_after = time.monotonic() - started  # a 408, or the connection closed
                assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
            except socket.timeout:
                continue
            except OSError:
                closed_after = time.monotonic() - started
        headers.close()
        assert closed_after is not None and closed_after < 6, closed_after

        stop = threading.Event()
        body = threading.Thread(target=slow_body, args=(port, "/api/v1/session", stop))
        started = time.monotonic()
        body.start()
        body.join(timeout=10)
        stop.set()
        body.join()
        assert time.monotonic() - started < 9  # the server closed the slow body's connection


def test_an_oversized_body_is_refused_before_it_is_read(memory_cfg):
    with desk_running(memory_cfg) as (_, base):
        port = int(base.rsplit(":", 1)[1])
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 500000000\r\n\r\n")
        answer = sock.recv(200)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413")
