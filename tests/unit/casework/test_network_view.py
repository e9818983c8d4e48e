"""The coordinators' view (services/casework/usecases/network.py): only the network's area, only counts, the
small ones hidden; only coordinators of that network (and system administrators) see it."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from services.casework.domain.errors import Forbidden, NotFound
from services.casework.domain.policy import Principal
from services.casework.usecases.network import network_view, to_csv

NOW = datetime(2026, 12, 1, 5, 0, tzinfo=timezone.utc)
NETWORKS = {"strong-trat": {"name_th": "เครือข่าย STRONG ตราด", "name_en": "STRONG Trat", "areas": ["2301", "230201"],
                            "coordinators": ["coord"]}}


def _case(sub, status="received", volunteer=None, ack_days=None, district=None):
    opened = NOW - timedelta(days=2)
    location = {"province_code": "23", "district_code": district or (sub[:4] if sub else None),
                "subdistrict_code": sub}
    return SimpleNamespace(status=status, opened_at=opened, closed_at=None, volunteer_id=volunteer,
                           acknowledged_at=opened + timedelta(days=ack_days) if ack_days is not None else None,
                           facts_json=json.dumps({"location": location, "description": "ความลับ",
                                                  "submitted_at": opened.isoformat()}))


class Repo:
    def __init__(self, cases):
        self.cases = cases

    def network_rows(self, provinces):
        assert provinces == ("23",)
        return self.cases

    def registered_volunteers(self):
        return {"vol-1": True, "vol-9": False, "vol-bkk": True, "vol-old": True}

    def volunteer_areas(self):
        # vol-1 and vol-9 work in the network's area; vol-bkk in Bangkok; vol-old's area was never announced
        return {"vol-1": ["230101", "230102"], "vol-9": ["230201", "220101"], "vol-bkk": ["100101"],
                "vol-old": None}

    def volunteer_accounts(self, ids):
        assert set(ids) <= {"vol-1", "vol-9"}  # no other network's volunteer is even looked up
        return {"vol-1": ("มะลิ", "PACC-R2"), "vol-bkk": ("กรุงเทพ", "PACC-R1")}


def _who(role="coordinator", username="coord"):
    return Principal(user_id="u1", username=username, display_name="x", role=role, office_code="PACC-R2")


def test_counts_of_the_area_only_with_small_ones_hidden():
    cases = ([_case("230101", volunteer="vol-1", ack_days=1 + i) for i in range(6)]
             + [_case("230102", "acknowledged", ack_days=2)] * 2
             + [_case("230201", "closed")] + [_case(None, district="2301")]
             + [_case("230701")] * 9)  # Ko Chang: outside the area
    view = network_view(Repo(cases), _who(), NETWORKS, NOW)
    places = {p["code"]: p for p in view["places"]}
    assert set(places) >= {"230101", "230114", "230201", "unspecified"} and "230701" not in places
    assert places["230101"]["by_month"]["2026-11"] == 6 and places["230102"]["by_month"]["2026-11"] == "<5"
    assert places["230101"]["median_days_to_acknowledge"] == 3.5
    assert places["230102"]["median_days_to_acknowledge"] is None  # two acknowledged: not shown
    assert view["total"] == 10
    assert {s["state"]: s["count"] for s in view["states"]}["received"] == 7
    assert [(v["id"], v["tips"], v["name"]) for v in view["volunteers"]] == [("vol-1", 6, "มะลิ"), ("vol-9", "<5", None)]
    assert view["filed_without_volunteer"] == "<5" and view["filed_by_other_volunteers"] == "<5"  # 0 is hidden too
    text = to_csv(view).decode("utf-8-sig")
    assert "ความลับ" not in text and "place_month,230101,บางพระ (เมืองตราด),Bang Phra (Mueang Trat),2026-11,6" in text


def test_a_coordinator_sees_the_volunteers_of_their_networks_area_only():
    cases = ([_case("230101", volunteer="vol-1")] * 5 + [_case("230101", volunteer="vol-bkk")] * 6
             + [_case("230102", volunteer="vol-old")])
    view = network_view(Repo(cases), _who(), NETWORKS, NOW)
    assert [v["id"] for v in view["volunteers"]] == ["vol-1", "vol-9"]  # not Bangkok's, not one of no known area
    assert [v["tips"] for v in view["volunteers"]] == [5, "<5"]
    assert view["filed_by_other_volunteers"] == 7  # filed here by others: counted, never named
    text = to_csv(view).decode("utf-8-sig")
    assert "vol-bkk" not in text and "กรุงเทพ" not in text and "vol-old" not in text
    assert "volunteer,others,อาสาสมัครนอกเครือข่าย,Volunteers of other areas,tips,7" in text


def test_only_the_networks_coordinators():
    with pytest.raises(Forbidden):
        network_view(Repo([]), _who("supervisor"), NETWORKS, NOW)
    with pytest.raises(NotFound):
        network_view(Repo([]), _who(username="someone-else"), NETWORKS, NOW)
    assert network_view(Repo([]), _who("system_admin", "root"), NETWORKS, NOW)["network"]["code"] == "strong-trat"
