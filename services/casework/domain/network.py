"""Volunteer networks and their areas, as the coordinators' view needs them (plain Python).

A network is configured in `casework.networks`: its names, its area (a list of DOPA codes — subdistricts of 6
digits, districts of 4 whose every subdistrict is then in, or whole provinces of 2) and the usernames of its
coordinators. A coordinator sees the network's counts only (services/casework/usecases/network.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import geothai

from services.casework.domain.errors import Forbidden

UNSPECIFIED = "unspecified"  # a tip in the area's districts that names no subdistrict


@dataclass(frozen=True)
class Network:
    code: str
    name_th: str
    name_en: str
    areas: tuple[str, ...]
    coordinators: tuple[str, ...]

    @property
    def provinces(self) -> tuple[str, ...]:
        return tuple(sorted({code[:2] for code in self.areas}))

    def subdistricts(self) -> list[str]:
        """Every subdistrict of the area, in code order."""
        out: set[str] = set()
        for code in self.areas:
            if len(code) == 6:
                out.add(code)
            elif len(code) == 4:
                out.update(s.code for s in geothai.subdistricts(code))
            elif len(code) == 2:
                for district in geothai.districts(code):
                    out.update(s.code for s in geothai.subdistricts(district.code))
        return sorted(out)

    def place_of(self, location: dict) -> str | None:
        """Where in the area a tip's location lies: its subdistrict, UNSPECIFIED (in the area, no subdistrict
        given), or None (outside the area)."""
        province = str(location.get("province_code") or "")
        district = str(location.get("district_code") or "")
        subdistrict = str(location.get("subdistrict_code") or "")
        if subdistrict and (subdistrict in self.areas or subdistrict[:4] in self.areas
                            or subdistrict[:2] in self.areas):
            return subdistrict
        if not subdistrict and ((district and (district in self.areas or district[:2] in self.areas))
                                or province in self.areas):
            return UNSPECIFIED
        return None


def networks(config: dict) -> list[Network]:
    """`casework.networks` as Networks: {code: {name_th, name_en, areas: [...], coordinators: [...]}}."""
    out = []
    for code, spec in sorted((config or {}).items()):
        spec = spec or {}
        out.append(Network(code=str(code), name_th=str(spec.get("name_th") or code),
                           name_en=str(spec.get("name_en") or code),
                           areas=tuple(str(a) for a in spec.get("areas") or ()),
                           coordinators=tuple(str(u).lower() for u in spec.get("coordinators") or ())))
    return out


def networks_of(principal, config: dict) -> list[Network]:
    """The networks a coordinator coordinates (a system administrator: all); Forbidden for everyone else."""
    if principal.role == "system_admin":
        return networks(config)
    if principal.role != "coordinator":
        raise Forbidden()
    return [n for n in networks(config) if principal.username in n.coordinators]
