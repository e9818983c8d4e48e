"""deploy/proxy in front of Sodsong, with Debian's nginx: TLS, whole requests buffered before a worker sees them,
deadlines for slow clients, intake's size limits, the forwarded client address, and access logs that carry
neither the client's address nor the query string.

The tip line is the real (embedded) Sodsong; the desk's upstream is a recorder that notes when each connection
arrived and which headers it got, so the test can see what the proxy hands on and when."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from services.intake.models import Tip
from shared import config as config_mod
from sodsong.registry import service_db_for
from tests.support.deployment import Deployment
from tests.support.environments import free_port
from tests.support.tips import tip

NGINX = "/usr/sbin/nginx"
PROXY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "proxy"
TIPS_HOST, DESK_HOST = "tips.sodsong.test", "desk.sodsong.test"
CLIENT_TIMEOUT = 2


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TIPS_HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(TIPS_HOST), x509.DNSName(DESK_HOST),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "proxy.crt", directory / "proxy.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _envsubst(text: str, values: dict) -> str:
    """What the nginx image's template step does: ${NAME} for the variables given, nginx's own $vars untouched."""
    return re.sub(r"\$\{(SODSONG_[A-Z_]+)\}", lambda m: values[m.group(1)], text)


class Recorder(BaseHTTPRequestHandler):
    """The desk's stand-in upstream: notes arrival time, headers and body length of every request."""
    seen: list = []

    def do_POST(self):
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Recorder.seen.append({"arrived": arrived, "headers": dict(self.headers), "length": len(body)})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install nginx (.ci/run installs it)")
    work = tmp_path_factory.mktemp("proxy")
    with ExitStack() as stack:
        dep = Deployment("embedded", work / "sodsong", stack)
        dep.start()
        recorder = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=recorder.serve_forever, daemon=True).start()
        stack.callback(recorder.shutdown)
        cert, key = _self_signed(work)
        port = free_port()
        access_log, error_log = work / "access.log", work / "error.log"
        values = {
            "SODSONG_TIPS_SERVER_NAME": TIPS_HOST, "SODSONG_DESK_SERVER_NAME": DESK_HOST,
            "SODSONG_LISTEN": f"127.0.0.1:{port}",
            "SODSONG_INTAKE_UPSTREAM": f"127.0.0.1:{dep.intake_port}",
            "SODSONG_CASEWORK_UPSTREAM": f"127.0.0.1:{recorder.server_address[1]}",
            "SODSONG_TLS_CERT": str(cert), "SODSONG_TLS_KEY": str(key), "SODSONG_ACCESS_LOG": str(access_log),
            "SODSONG_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT),
        }
        site = work / "sodsong.conf"
        site.write_text(_envsubst((PROXY_DIR / "templates" / "sodsong.conf.template").read_text(), values))
        main = (PROXY_DIR / "nginx.conf").read_text()
        main = (main.replace("/tmp/", f"{work}/").replace("/etc/nginx/conf.d/*.conf", str(site))
                .replace("/dev/stderr", str(error_log)))
        (work / "nginx.conf").write_text(main)
        check = subprocess.run([NGINX, "-t", "-p", str(work), "-c", str(work / "nginx.conf"),
                                "-g", "user root root;"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"),
                                 "-g", "daemon off; user root root;"], stderr=subprocess.PIPE)
        stack.callback(lambda: (proc.terminate(), proc.wait(10)))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield {"port": port, "cert": str(cert), "dep": dep, "access_log": access_log, "error_log": error_log,
               "base": f"https://{TIPS_HOST}:{port}"}


def _exchange(proxy, host, steps, read_timeout=30, first_chunk_only=False) -> dict:
    """Send raw bytes over TLS from a plain (not monkey-patched) Python process; the answer and timings back."""
    plan = {"cafile": proxy["cert"], "port": proxy["port"], "host": host, "read_timeout": read_timeout,
            "first_chunk_only": first_chunk_only,
            "steps": [{"send_hex": s.hex()} if isinstance(s, bytes) else s for s in steps]}
    done = subprocess.run([sys.executable, str(Path(__file__).parents[1] / "support" / "tls_client.py")],
                          input=json.dumps(plan), capture_output=True, text=True, timeout=read_timeout * 4 + 60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _request(proxy, host, method, path, headers=None, body=b"", body_file=None) -> tuple[int, dict, bytes]:
    length = Path(body_file).stat().st_size if body_file else len(body)
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close", f"Content-Length: {length}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    steps = [("\r\n".join(head) + "\r\n\r\n").encode() + body]
    if body_file:
        steps.append({"send_file": str(body_file)})
    answer = _exchange(proxy, host, steps, read_timeout=120)["answer"].encode("latin-1")
    head_raw, _, payload = answer.partition(b"\r\n\r\n")
    lines = head_raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    out = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        out[k.strip().lower()] = v.strip()
    if out.get("transfer-encoding") == "chunked":
        decoded, rest = b"", payload
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            decoded, rest = decoded + rest[:size], rest[size + 2:]
        payload = decoded
    return status, out, payload


def _stored(dep) -> int:
    with service_db_for("intake", config_mod.load(env=dep.env)).reading() as session:
        return session.execute(select(func.count()).select_from(Tip)).scalar()


def _log_lines(proxy) -> list[dict]:
    time.sleep(0.3)
    return [json.loads(line) for line in proxy["access_log"].read_text().splitlines() if line.strip()]


def test_a_tip_through_tls_and_a_log_without_address_or_query(proxy):
    body = tip(description="นายกเทศมนตรีรับเงินทอนจากผู้รับเหมาสร้างถนน 10% ของมูลค่าสัญญา",
               accused={"official_type": "local_executive", "name": "นายสมมติ", "position": "นายกเทศมนตรี",
                        "organization": "เทศบาลเมืองตราด"})
    status, headers, payload = _request(proxy, TIPS_HOST, "POST", "/api/v1/tips",
                                        {"Content-Type": "application/json"},
                                        json.dumps(body, ensure_ascii=False).encode())
    assert status == 201, payload
    created = json.loads(payload)
    receipt = created["receipt"]
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "nginx/" not in headers.get("server", "")
    status, _, payload = _request(proxy, TIPS_HOST, "GET", f"/api/v1/tips/status?receipt={receipt}&lang=th",
                                  {"X-Receipt": receipt, "User-Agent": "TipsterPhone/1.0",
                                   "Referer": "https://x.test/?q=1"})
    assert status == 200 and json.loads(payload)["reference"] == created["reference"]

    lines = _log_lines(proxy)
    paths = [line["path"] for line in lines]
    assert "/api/v1/tips" in paths and "/api/v1/tips/status" in paths
    raw = proxy["access_log"].read_text()
    assert "127.0.0.1" not in raw and receipt not in raw and "?" not in raw
    assert "TipsterPhone" not in raw and "x.test" not in raw
    assert set(lines[-1]) == {"time", "host", "method", "path", "status", "bytes_sent", "request_length",
                              "request_time", "upstream_time"}
    assert lines[-1]["status"] == 200 and lines[-1]["method"] == "GET"


def test_size_limits_match_intake_and_are_refused_before_sodsong(proxy, tmp_path):
    dep = proxy["dep"]
    before = _stored(dep)
    for host, length in ((TIPS_HOST, 51 * 1024 * 1024 + 1), (DESK_HOST, 1024 * 1024 + 1)):
        head = (f"POST /api/v1/tips HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {length}\r\n\r\n").encode()
        answer = _exchange(proxy, host, [head], first_chunk_only=True)["answer"]
        assert answer.startswith("HTTP/1.1 413"), answer
    assert _stored(dep) == before
    # 4 files of 9 MiB are within intake's limits (10 MiB a file, 50 MiB a tip): the proxy lets them through
    pdf = b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024) + b"\n%%EOF\n"
    prepared = requests.Request("POST", "http://x/api/v1/tips", files=[
        ("tip", (None, json.dumps(tip(), ensure_ascii=False).encode(), "application/json"))] + [
        ("attachments", (f"scan-{i}.pdf", pdf, "application/pdf")) for i in range(4)]).prepare()
    body_file = tmp_path / "big.multipart"
    body_file.write_bytes(prepared.body)
    status, _, payload = _request(proxy, TIPS_HOST, "POST", "/api/v1/tips",
                                  {"Content-Type": prepared.headers["Content-Type"]}, body_file=body_file)
    assert status == 201, payload
    assert _stored(dep) == before + 1
    if proxy["error_log"].exists():
        assert "127.0.0.1" not in proxy["error_log"].read_text()


def test_a_stalled_body_never_reaches_sodsong(proxy):
    dep = proxy["dep"]
    before = _stored(dep)
    payload = json.dumps(tip(), ensure_ascii=False).encode()
    head = (f"POST /api/v1/tips HTTP/1.1\r\nHost: {TIPS_HOST}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode()
    result = _exchange(proxy, TIPS_HOST, [head + payload[:20]], read_timeout=CLIENT_TIMEOUT * 5)
    assert result["read_seconds"] < CLIENT_TIMEOUT * 4, "the proxy did not cut off the stalled client"
    assert result["answer"] == "" or result["answer"].startswith("HTTP/1.1 408"), result
    assert _stored(dep) == before


def test_the_worker_sees_a_dribbled_request_only_once_it_is_complete(proxy):
    Recorder.seen.clear()
    body = b"x" * 3000
    steps = [(f"POST /api/v1/cases HTTP/1.1\r\nHost: {DESK_HOST}\r\nContent-Length: {len(body)}\r\n"
              "Connection: close\r\nX-Forwarded-For: 203.0.113.99\r\nX-Real-IP: 203.0.113.98\r\n\r\n").encode()]
    for i in range(3):  # each pause shorter than the body deadline: a slow but live client
        steps += [body[i * 1000:(i + 1) * 1000], {"sleep": CLIENT_TIMEOUT * 0.6}]
    result = _exchange(proxy, DESK_HOST, steps)
    assert result["answer"].startswith("HTTP/1.1 200"), result
    [seen] = Recorder.seen
    assert seen["length"] == len(body)
    assert seen["arrived"] >= result["last_send"] - 0.05, "the upstream was called before the body was complete"
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    # the proxy appends the address it saw; with clients.proxy_hops 1 Sodsong takes that last entry, so a client
    # cannot choose its own address by sending the header itself
    assert headers["x-forwarded-for"].split(",")[-1].strip() == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "https"
    assert "x-real-ip" not in headers
