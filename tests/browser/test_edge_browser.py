"""A page on another site cannot spend a visitor's receipt attempts on intake; a caseworker changes their
password on the desk, and a common one is refused (Chromium, `sodsong run`)."""
from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

from tests.support.deployment import Deployment
from tests.support.environments import free_port
from tests.support.processes import cli

SCRIPT = Path(__file__).with_name("edge_journey.py")
PASSWORD = "ม้าลายกินหญ้าริมแม่น้ำตราด"
NEW_PASSWORD = "ฝนตกหนักที่บ้านยายริมคลอง"


def evil_site(target: str, receipt: str):
    html = (f'<!doctype html><html><body><form method="post" action="{target}/status">'
            f'<input type="hidden" name="receipt" value="{receipt}">'
            f'<button id="go" type="submit">win a prize</button></form></body></html>').encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_another_sites_form_is_refused_and_a_password_is_changed_on_the_desk(tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path / "server", stack)
        dep.start()
        receipt = dep.intake.submit(__import__("tests.support.tips", fromlist=["tip"]).tip()).json()["receipt"]
        cli(dep.env, "users", "add", "--username", "somsri", "--office", "PACC-R2", "--role", "caseworker",
            input_text=PASSWORD + "\n")
        evil = evil_site(dep.intake.base, receipt)
        stack.callback(evil.shutdown)
        # "localhost" is another site than 127.0.0.1 for the browser
        evil_url = f"http://localhost:{evil.server_address[1]}/"
        run = subprocess.run([sys.executable, str(SCRIPT), dep.intake.base, evil_url,
                              f"http://127.0.0.1:{dep.casework_port}", receipt, "somsri", PASSWORD, NEW_PASSWORD,
                              str(shots)], capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr[-4000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        signed_in = __import__("requests").post(f"http://127.0.0.1:{dep.casework_port}/api/v1/session",
                                                json={"username": "somsri", "password": NEW_PASSWORD}, timeout=30)
    print(f"screenshots: {shots}")
    assert not seen["cross_site_shows_case"] and "ระบบไม่ได้รับแบบฟอร์มนี้" in seen["cross_site_status"]
    assert "This form can only be sent from Sodsong's own pages" in seen["cross_site_status"]
    assert seen["own_form_shows_case"]
    assert "ใช้กันทั่วไป" in seen["weak_refused"] and "use a long phrase" not in seen["weak_refused"]
    assert "เปลี่ยนรหัสผ่านแล้ว" in seen["changed"]
    assert signed_in.status_code == 201
