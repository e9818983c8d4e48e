"""Slow clients for the HTTP edge's deadlines: a body sent one byte every two seconds."""
from __future__ import annotations

import socket
import threading


def slow_body(port: int, path: str, stop: threading.Event, *, host: str = "127.0.0.1", body_len: int = 4000,
              headers: dict | None = None) -> None:
    """POST `path` announcing `body_len` bytes of JSON, then send one byte every 2 s until `stop` is set."""
    headers = {"Content-Type": "application/json"} if headers is None else headers
    sock = socket.create_connection((host, port), timeout=5)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall(f"{head}Content-Length: {body_len}\r\n\r\n".encode())
    try:
        while not stop.is_set():
            sock.sendall(b"{")
            stop.wait(2.0)
    except OSError:
        pass
    finally:
        sock.close()
