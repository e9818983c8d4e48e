"""Loopback servers for the delivery channel tests: a recording HTTP server and a real SMTP server process."""
import collections
import contextlib
import json
import queue
import shutil
import socket
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.loopback_http import QuietHandler, serving

SMTP_HELPER = Path(__file__).with_name("smtp_server.py")
READY_TIMEOUT = 20  # seconds for the helper to import aiosmtpd and listen


class RecordingHTTPServer:
    """Records every request; answers from a queue of scripted replies, then 200 {}."""

    def __init__(self):
        self.requests = []
        self.replies = collections.deque()
        self.check = None  # optional callable(request) -> status that overrides the scripted reply
        self.release = threading.Event()  # lets a request held by hold_next() finish
        recorder = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                recorder.requests.append(request)
                status, headers, reply = recorder.replies.popleft() if recorder.replies else (200, {}, b"{}")
                if status == "hold":
                    recorder.release.wait(10)
                    status = 200
                if recorder.check is not None:
                    status = recorder.check(request) or status
                self.answer(status, reply, headers)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def reply(self, status, body=b"{}", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.replies.append((status, headers or {}, body))

    def hold_next(self):
        """The next request gets no answer until release is set: a provider that hangs."""
        self.replies.append(("hold", {}, b"{}"))


@pytest.fixture
def http_server():
    server = RecordingHTTPServer()
    with serving(server.httpd):
        try:
            yield server
        finally:
            server.release.set()


@pytest.fixture
def refused_port():
    """A port that refuses connections: bound, never listening, so nobody else can take it meanwhile."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def silent_port():
    """A port that accepts TCP (the kernel completes the handshake) but never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command line."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=30)
    return cert, key


class SmtpServer:
    def __init__(self, port, out):
        self.port, self.out = port, out

    def received(self):
        """[(envelope facts, raw message bytes)] in arrival order."""
        return [(json.loads(facts.read_text()), facts.with_suffix(".eml").read_bytes())
                for facts in sorted(self.out.glob("*.json"))]


@pytest.fixture
def smtp_server(tmp_path):
    """Start the SMTP helper with the given options; yields a function so each test picks its server."""
    processes = []

    def start(*options):
        out = tmp_path / f"smtp-{len(processes)}"
        log = tmp_path / f"smtp-{len(processes)}.log"  # a file, not a pipe nobody drains
        with log.open("w") as stderr:
            process = subprocess.Popen([sys.executable, str(SMTP_HELPER), "--out", str(out), *map(str, options)],
                                       stdout=subprocess.PIPE, stderr=stderr, text=True)
        processes.append(process)
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            line = ""
        if not line.startswith("READY "):
            process.kill()
            pytest.fail(f"SMTP helper did not start: {line!r} {log.read_text()[-2000:]}")
        return SmtpServer(int(line.split()[1]), out)

    yield start
    for process in processes:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
