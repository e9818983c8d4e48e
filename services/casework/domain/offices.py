"""The offices a desk account may belong to: casework's copy of routing's office directory.

Routing owns the directory; casework ships a copy of its office codes and names (data/offices.json, made by
`python -m sodsong.office_directory` and kept in step by a unit test), because the set of offices is fixed by the
release (a deployment's override file may rename an office or move provinces, never add one). An account in an
office routing does not know would receive no case, so creating one or moving one there is refused.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

OFFICES_PATH = Path(__file__).resolve().parent.parent / "data" / "offices.json"
# the platform's own accounts (operators, system admins) belong to no agency's office but to this one
PLATFORM_OFFICE = "SODSONG"
PLATFORM_ROLES = frozenset({"operator", "system_admin"})


@dataclass(frozen=True)
class Office:
    code: str
    name_th: str
    name_en: str

    @property
    def agency(self) -> str:
        return self.code.split("-", 1)[0]


@cache
def directory() -> dict[str, Office]:
    data = json.loads(OFFICES_PATH.read_text(encoding="utf-8"))
    return {o["code"]: Office(o["code"], o["name_th"], o["name_en"]) for o in data["offices"]}


def known(code: str | None) -> Office | None:
    return directory().get(str(code or "").strip().upper())


def allowed(code: str | None, role: str) -> str | None:
    """The office code an account of `role` may have (in its own spelling), or None: an office in the directory,
    or the platform's office for the platform's roles."""
    office = known(code)
    if office is not None:
        return office.code
    if role in PLATFORM_ROLES and str(code or "").strip().upper() == PLATFORM_OFFICE:
        return PLATFORM_OFFICE
    return None


def choices(agency: str | None = None) -> list[Office]:
    """The offices to choose from (of one agency when given), in the directory's order."""
    return [o for o in directory().values() if agency is None or o.agency == agency]
