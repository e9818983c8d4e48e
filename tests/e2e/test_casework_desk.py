"""The caseworkers' desk end to end, `sodsong run` in both modes: an account made with `sodsong users`, a Trat tip
through intake and routing into PACC Region 2's inbox, acknowledged on the desk, and the tipster sees it."""
import requests

from shared.vocabulary import TIPSTER_STATUSES
from tests.support.processes import cli, wait_for
from tests.support.tips import tip

PASSWORD = "รหัสผ่าน-ของ-สมชาย-2569"


def _add_user(dep, username, role, office="PACC-R2", password=PASSWORD, check=True):
    return cli(dep.env, "users", "add", "--username", username, "--office", office, "--role", role,
               input_text=password + "\n", check=check)


def _desk(dep):
    return f"http://127.0.0.1:{dep.casework_port}"


def _healthy(dep) -> bool:
    try:
        return requests.get(f"{_desk(dep)}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _sign_in(dep, username, password=PASSWORD):
    return requests.post(f"{_desk(dep)}/api/v1/session", json={"username": username, "password": password},
                         timeout=30)


def test_a_caseworker_acknowledges_a_trat_tip_and_the_tipster_sees_it(deployment):
    dep = deployment
    dep.start()
    added = _add_user(dep, "somchai", "caseworker")
    assert "somchai" in added.stdout and PASSWORD not in added.stdout + added.stderr
    _add_user(dep, "chonburi-sup", "supervisor", "PACC-R1")

    submitted = dep.intake.submit(tip())
    assert submitted.status_code == 201, submitted.text
    reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=15)

    wait_for(lambda: _healthy(dep), 30, message="casework answering")  # its own process in real mode
    signed_in = _sign_in(dep, "somchai")
    assert signed_in.status_code == 201, signed_in.text
    auth = {"Authorization": f"Bearer {signed_in.json()['token']}"}

    inbox = requests.get(f"{_desk(dep)}/api/v1/cases", headers=auth, timeout=30).json()
    assert [c["reference"] for c in inbox["items"]] == [reference]
    case = requests.get(f"{_desk(dep)}/api/v1/cases/{reference}", headers=auth, timeout=30).json()
    assert case["office"]["code"] == "PACC-R2" and case["status"] == "received"
    assert case["province"]["name_en"] == "Trat" and case["facts"]["description"] == tip()["description"]

    done = requests.post(f"{_desk(dep)}/api/v1/cases/{reference}/transitions", headers=auth, timeout=30,
                         json={"to": "acknowledged", "reason": "รับเรื่องไว้พิจารณาแล้ว"})
    assert done.status_code == 200, done.text

    status = dep.wait_status(receipt, lambda s: s["status"] == "acknowledged", timeout=15)
    assert status["timeline"][-1]["label"] == TIPSTER_STATUSES["acknowledged"]

    # another office's supervisor cannot see it
    other = {"Authorization": f"Bearer {_sign_in(dep, 'chonburi-sup').json()['token']}"}
    assert requests.get(f"{_desk(dep)}/api/v1/cases/{reference}", headers=other, timeout=30).status_code == 404
    assert requests.get(f"{_desk(dep)}/api/v1/cases", headers=other, timeout=30).json()["total"] == 0

    trail = wait_for(lambda: (lambda t: t if {"case.viewed", "case.status_changed"} <= {e["event_type"] for e in t}
                              else None)(dep.audit_trail(reference)), 15, message="desk events in the audit trail")
    viewed = [e for e in trail if e["event_type"] == "case.viewed"]
    assert len(viewed) == 1 and viewed[0]["actor"].startswith("user:")

    listed = {u["username"]: u for u in dep.cli_json("users", "list")}
    assert listed["somchai"]["role"] == "caseworker" and listed["somchai"]["office"] == "PACC-R2"
    assert "password" not in str(listed).lower()
    disabled = dep.cli("users", "disable", "somchai")
    assert "1 session(s) ended" in disabled.stdout
    assert requests.get(f"{_desk(dep)}/api/v1/cases", headers=auth, timeout=30).status_code == 401
    assert _sign_in(dep, "somchai").status_code == 401
    assert dep.cli("audit", "verify").returncode == 0


def test_users_add_refuses_bad_input_and_never_takes_a_password_argument(embedded_deployment):
    dep = embedded_deployment
    dep.start()
    short = _add_user(dep, "somchai", "caseworker", password="short", check=False)
    assert short.returncode == 1 and "12" in short.stderr
    assert _add_user(dep, "somchai", "caseworker", office="pacc r2", check=False).returncode == 1
    assert _add_user(dep, "somchai", "astronaut", check=False).returncode == 2  # not a role
    assert _add_user(dep, "somchai", "caseworker").returncode == 0
    again = _add_user(dep, "somchai", "supervisor", check=False)
    assert again.returncode == 1 and "username" in again.stderr.lower()
    assert dep.cli("users", "disable", "nobody", check=False).returncode == 1
    with_totp = cli(dep.env, "users", "add", "--username", "supat", "--office", "PACC-R2", "--role", "supervisor",
                    "--totp", input_text=PASSWORD + "\n")
    assert "otpauth://totp/" in with_totp.stdout
    assert _sign_in(dep, "supat").json()["error"]["code"] == "session.invalid_credentials"  # no code, no hint
    help_text = cli(dep.env, "users", "add", "--help").stdout
    assert "--password" not in help_text
