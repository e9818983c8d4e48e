"""Who is filing, and what each kind of caller may do: the public (anonymous), a volunteer (with a token, within
their subdistricts), an Open311 partner (with a key). Plain rules; the credentials themselves are in
usecases/credentials.py."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.intake.domain.errors import (OutsideVolunteerArea, ValidationFailed, VolunteerIdMismatch,
                                           VolunteerUnauthorized)
from shared import i18n


@dataclass(frozen=True)
class Caller:
    """Who is filing: the public (anonymous), a volunteer (with token), or an Open311 partner (with key)."""
    scope: str
    actor: dict
    volunteer: Any = None  # the Volunteer row (id, subdistricts_json), when a volunteer files
    partner_id: str | None = None
    default_channel: str = "web"
    reserved_channels: tuple = field(default=("volunteer", "open311"))

    @property
    def shares_receipt(self) -> bool:
        return self.volunteer is not None or self.partner_id is not None

    @property
    def counted(self) -> bool:
        """Anonymous filing is limited per client; volunteers and partners file with their own credentials."""
        return self.volunteer is None and self.partner_id is None


PUBLIC = Caller(scope="public", actor={"kind": "tipster", "id": "anonymous"})


def volunteer_caller(volunteer) -> Caller:
    return Caller(scope=f"volunteer:{volunteer.id}", actor={"kind": "volunteer", "id": volunteer.id},
                  volunteer=volunteer, default_channel="volunteer", reserved_channels=("open311",))


def partner_caller(partner_id: str) -> Caller:
    return Caller(scope=f"partner:{partner_id}", actor={"kind": "partner", "id": partner_id},
                  partner_id=partner_id, default_channel="open311", reserved_channels=("volunteer",))


def covers(volunteer, location: dict) -> bool:
    """Is the tip's location inside the volunteer's subdistricts (or, for a coarser location, does it contain one)?"""
    codes = json.loads(volunteer.subdistricts_json)
    narrowest = location.get("subdistrict_code") or location.get("district_code") or location["province_code"]
    if location.get("subdistrict_code"):
        return narrowest in codes
    return any(code.startswith(narrowest) for code in codes)


def check_caller(tip: dict, caller: Caller) -> None:
    """May this caller file this (validated) tip? A volunteer's tip is stamped with the volunteer's id."""
    if tip["channel"] in caller.reserved_channels:
        if tip["channel"] == "volunteer" and caller.volunteer is None:
            raise VolunteerUnauthorized()
        raise ValidationFailed(fields={"channel": [i18n.message("field.not_one_of")]})
    if caller.volunteer is None:
        if tip.get("volunteer_id"):
            raise VolunteerUnauthorized()
        return
    if tip.get("volunteer_id") not in (None, caller.volunteer.id):
        raise VolunteerIdMismatch()
    tip["volunteer_id"] = caller.volunteer.id
    if not covers(caller.volunteer, tip["location"]):
        raise OutsideVolunteerArea()
