"""The public edge under abuse, on loopback only: figures, not pass/fail.

    .venv/bin/python bench/edge_abuse.py [--source DIR] [--port-base 18400] [--only NAME ...]

Starts `sodsong run` (embedded, production argon2id parameters) from DIR (default: this checkout) on
127.0.0.1:<port-base> (intake) and <port-base+1> (casework), runs each attack below for a bounded count and time,
prints one line per figure, and stops the process. Every attack targets 127.0.0.1 only.

  bomb        intake's peak RSS while it receives one, then three, 227 KiB all-zero 7740x7740 RGBA PNGs
  slow        /health latency while 12 connections send a tip body at 1 byte / 2 s (intake) and the same on
              casework's sign-in; how many of 200 slow-header connections are still open after 45 s
  guessing    a valid receipt's answer (fresh address) after 31 addresses x 10 wrong receipts
  locator     median time of an unknown 6-digit locator vs a known locator with a wrong secret
  signin      the real supervisor's sign-in (other address, right password) after 5 wrong passwords
  filing      how many of 20 anonymous tips sent within 3 s became tips
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.slow_clients import slow_body  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
TIP = {"category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงินเพื่อเร่งออกใบอนุญาตก่อสร้างอาคาร",
       "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101"},
       "accused": {"official_type": "state_official"}}
SESSION = requests.Session()
SESSION.trust_env = False


def bomb_png(side: int = 7740) -> bytes:
    """An all-zero RGBA PNG: tiny on the wire, side*side*4 bytes once decoded."""
    raw_row = b"\x00" + b"\x00" * (side * 4)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(raw_row) for _ in range(side)) + comp.flush()

    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    header = side.to_bytes(4, "big") * 2 + bytes([8, 6, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + children(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Server:
    def __init__(self, source: Path, port_base: int, extra_env: dict | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="h12-bench-"))
        self.intake = f"http://127.0.0.1:{port_base}"
        self.casework = f"http://127.0.0.1:{port_base + 1}"
        self.port_base = port_base
        env = {k: v for k, v in os.environ.items() if not k.startswith("SODSONG")}
        env.update({"SODSONG_DATA_DIR": str(self.dir / "data"), "SODSONG__metrics__http": "",
                    "SODSONG__intake__http": f"127.0.0.1:{port_base}",
                    "SODSONG__casework__http": f"127.0.0.1:{port_base + 1}", "PYTHONUNBUFFERED": "1",
                    "PYTHONPATH": str(source), "NO_PROXY": "127.0.0.1"})
        env.update(extra_env or {})
        self.env = env
        self.source = source
        self.log = open(self.dir / "sodsong.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-c", "from sodsong.cli import main; main()", "run"],
                                     cwd=source, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if SESSION.get(self.intake + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError("sodsong did not start: " + (self.dir / "sodsong.log").read_text()[-2000:])

    def cli(self, *args, stdin=None):
        return subprocess.run([sys.executable, "-c", "from sodsong.cli import main; main()", *args], cwd=self.source,
                              env=self.env, input=stdin, capture_output=True, text=True, timeout=120)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def file_tip(server, source_ip="127.0.0.1"):
    return post_from(source_ip, server.intake + "/api/v1/tips", json=TIP)


def post_from(source_ip, url, **kw):
    s = requests.Session()
    s.trust_env = False
    s.mount("http://", _SourceAdapter(source_ip))
    return s.post(url, timeout=60, **kw)


def get_from(source_ip, url, **kw):
    s = requests.Session()
    s.trust_env = False
    s.mount("http://", _SourceAdapter(source_ip))
    return s.get(url, timeout=60, **kw)


class _SourceAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, source, **kw):
        self.source = source
        super().__init__(**kw)

    def init_poolmanager(self, *a, **kw):
        kw["source_address"] = (self.source, 0)
        super().init_poolmanager(*a, **kw)


# -- attacks ---------------------------------------------------------------------------------------------------
def attack_bomb(server):
    png = bomb_png()
    pid = server.proc.pid
    out = {"png_kib": round(len(png) / 1024)}
    for copies in (1, 3):
        base = rss_mb(pid)
        peak = [base]
        stop = threading.Event()

        def sample(stop=stop, peak=peak):
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mb(pid))
                time.sleep(0.05)
        t = threading.Thread(target=sample)
        t.start()
        statuses = []

        def send(statuses=statuses):
            files = {"tip": (None, json.dumps(TIP), "application/json"),
                     "file": ("zeros.png", png, "image/png")}
            try:
                statuses.append(SESSION.post(server.intake + "/api/v1/tips", files=files, timeout=120).status_code)
            except requests.RequestException as exc:
                statuses.append(type(exc).__name__)
        senders = [threading.Thread(target=send) for _ in range(copies)]
        for s in senders:
            s.start()
        for s in senders:
            s.join()
        time.sleep(1.0)
        stop.set()
        t.join()
        out[f"x{copies}"] = {"rss_before_mb": round(base), "rss_peak_mb": round(peak[0]), "statuses": statuses}
    return out


def _health_latency(url, n=6):
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        try:
            SESSION.get(url, timeout=10)
            samples.append(time.perf_counter() - started)
        except requests.RequestException:
            samples.append(float("inf"))
        time.sleep(0.5)
    finite = [s for s in samples if s != float("inf")]
    return {"median_ms": round(statistics.median(samples) * 1000) if finite else "timeout",
            "timeouts": len(samples) - len(finite)}


def attack_slow(server):
    out = {}
    for name, base, path, headers, health in (
            ("intake", server.intake, "/api/v1/tips", {"Content-Type": "application/json"}, "/health"),
            ("casework", server.casework, "/api/v1/session", {"Content-Type": "application/json"}, "/health")):
        port = int(base.rsplit(":", 1)[1])
        out[f"{name}_health_idle"] = _health_latency(base + health, 3)
        stop = threading.Event()
        threads = [threading.Thread(target=slow_body, args=(port, path, stop),
                                    kwargs={"headers": headers})
                   for _ in range(12)]
        for t in threads:
            t.start()
        time.sleep(3)
        out[f"{name}_health_under_12_slow_bodies"] = _health_latency(base + health)
        stop.set()
        for t in threads:
            t.join()
    port = server.port_base
    socks = []
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    deadline = time.time() + 45
    while time.time() < deadline:
        for s in socks:
            try:
                s.sendall(b"X-a: b\r\n")
            except OSError:
                pass
        time.sleep(5)
    still_open = 0
    for s in socks:
        try:
            s.settimeout(0.2)
            data = s.recv(1024)
            if data:  # an answer (a 408): read on to see whether the server closed the connection
                s.settimeout(1.0)
                while data:
                    data = s.recv(1024)
            continue  # closed by the server
        except TimeoutError:
            still_open += 1
        except OSError:
            pass
        finally:
            s.close()
    out["slow_header_connections_open_after_45s"] = f"{still_open}/200"
    return out


def attack_guessing(server):
    r = file_tip(server)
    receipt = r.json()["receipt"]
    started = time.time()
    codes = {}
    for i in range(31):
        ip = f"127.0.0.{10 + i}"
        for j in range(10):
            wrong = f"{(i * 10 + j) * 7919:016d}"
            code = get_from(ip, server.intake + "/api/v1/tips/status", headers={"X-Receipt": wrong}).status_code
            codes[code] = codes.get(code, 0) + 1
    took = time.time() - started
    api = get_from("127.0.0.200", server.intake + "/api/v1/tips/status", headers={"X-Receipt": receipt})
    page = post_from("127.0.0.201", server.intake + "/status", data={"receipt": receipt})
    return {"attack_requests": 310, "attack_seconds": round(took, 1), "attack_answers": codes,
            "valid_receipt_api": api.status_code, "valid_receipt_status_page": page.status_code}


def attack_locator(server, n=15):
    r = file_tip(server)
    receipt = r.json()["receipt"]
    known, unknown = [], []
    for i in range(n):
        ip = f"127.0.1.{i + 1}"  # a fresh address per pair, so the per-client limit does not interfere
        wrong_secret = receipt[:6] + f"{(int(receipt[6:]) + 1 + i) % 10**10:010d}"
        other_locator = f"{(int(receipt[:6]) + 500000 + i) % 10**6:06d}" + receipt[6:]
        for target, guess in ((known, wrong_secret), (unknown, other_locator)):
            started = time.perf_counter()
            get_from(ip, server.intake + "/api/v1/tips/status", headers={"X-Receipt": guess})
            target.append((time.perf_counter() - started) * 1000)
    return {"unknown_locator_median_ms": round(statistics.median(unknown), 1),
            "known_locator_wrong_secret_median_ms": round(statistics.median(known), 1), "pairs": n}


def attack_signin(server):
    password = "ม้าลายกินหญ้า-ริมแม่น้ำตราด"
    done = server.cli("users", "add", "--username", "supervisor1", "--office", "PACC-R2", "--role", "supervisor",
                      stdin=password + "\n")
    if done.returncode != 0:
        return {"error": done.stderr[-300:]}
    codes = []
    for _ in range(5):
        codes.append(post_from("127.0.0.66", server.casework + "/api/v1/session",
                               json={"username": "supervisor1", "password": "wrong-password-guess"}).status_code)
    real = post_from("127.0.0.77", server.casework + "/api/v1/session",
                     json={"username": "supervisor1", "password": password})
    return {"attacker_answers": codes, "real_supervisor_other_address": real.status_code}


def attack_filing(server):
    started = time.time()
    codes = []
    for _ in range(20):
        codes.append(file_tip(server).status_code)
    return {"seconds": round(time.time() - started, 1), "created_201": codes.count(201),
            "refused_429": codes.count(429)}


ATTACKS = {"bomb": attack_bomb, "slow": attack_slow, "guessing": attack_guessing, "locator": attack_locator,
           "signin": attack_signin, "filing": attack_filing}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(HERE))
    parser.add_argument("--port-base", type=int, default=18400)
    parser.add_argument("--only", nargs="*", default=list(ATTACKS))
    args = parser.parse_args()
    print(f"source: {args.source}")
    for name in args.only:  # a fresh server per attack, so one attack's limits do not colour the next
        server = Server(Path(args.source), args.port_base)
        try:
            result = ATTACKS[name](server)
        finally:
            server.stop()
        print(f"{name}: {json.dumps(result, ensure_ascii=False)}", flush=True)


if __name__ == "__main__":
    main()
