"""`sodsong keys rotate --new-key` gives every service a new current key and re-seals what each stored (tables,
outbox, dead letters); `--check` then finds nothing under an old key, and the desk still reads and finds the
case."""
import json

import requests
import yaml

from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.support.tips import tip


def test_every_service_rotates_and_nothing_is_left_under_an_old_key(embedded_deployment):
    dep = embedded_deployment
    dep.start()
    _add_user(dep, "somchai", "caseworker")
    submitted = dep.intake.submit(tip(description="เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนดที่ดิน"))
    reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    dep.stop_all()

    before = json.loads(dep.cli("keys", "rotate", "--check").stdout)
    assert all(r["stale"] == 0 for r in before)
    bus_file = dep.data_dir.parent / (dep.data_dir.name + "-keys") / "bus-keys.yaml"
    bus_before = yaml.safe_load(bus_file.read_text())
    done = dep.cli("keys", "rotate", "--new-key", "--reindex")
    rotated = {r["service"]: r for r in json.loads(done.stdout)}
    bus_after = yaml.safe_load(bus_file.read_text())  # the bus keyring (content on the wire) has a new current key
    assert bus_after["current"] != bus_before["current"]
    assert f"bus: new current key {bus_after['current']}" in done.stderr
    assert set(bus_before["keys"]) < set(bus_after["keys"])  # the old key stays: events sealed with it still open
    assert set(rotated) == {"intake", "routing", "casework", "notify", "audit"}
    assert rotated["routing"]["resealed"] >= 2 and rotated["casework"]["resealed"] >= 3
    assert rotated["casework"]["reindexed_cases"] == 1
    after = json.loads(dep.cli("keys", "rotate", "--check").stdout)
    assert all(r["stale"] == 0 and set(r["values_by_key"]) <= {r["current"]} for r in after), after

    dep.start()
    import time

    deadline = time.monotonic() + 30
    while not _healthy(dep) and time.monotonic() < deadline:
        time.sleep(0.2)
    auth = {"Authorization": f"Bearer {_sign_in(dep, 'somchai').json()['token']}"}
    case = requests.get(f"{_desk(dep)}/api/v1/cases/{reference}", headers=auth, timeout=30).json()
    assert "โฉนด" in case["facts"]["description"]
    found = requests.get(f"{_desk(dep)}/api/v1/cases", headers=auth, params={"q": "โฉนด"}, timeout=30).json()
    assert [c["reference"] for c in found["items"]] == [reference]
