"""Who is filing, and what each kind of caller may do: the public (anonymous), a volunteer (with a token or the
desk's filing ticket, within their subdistricts), an office's staff recording a tip received by phone, letter or
in person (with the desk's filing ticket), an Open311 partner (with a key). Plain rules; the credentials
themselves are in usecases/credentials.py and shared/filing_tickets.py."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.intake.domain.errors import (OutsideVolunteerArea, ValidationFailed, VolunteerIdMismatch,
                                           VolunteerUnauthorized)
from shared import i18n


STAFF_CHANNELS = ("phone", "letter", "walk_in")  # what staff record; shared/filing_tickets.py says the same
# Channels that say who filed: only that kind of caller may use them.
RESERVED_CHANNELS = ("volunteer", "open311", "phone", "letter")


@dataclass(frozen=True)
class Caller:
    """Who is filing: the public (anonymous), a volunteer, staff on someone's behalf, or an Open311 partner."""
    scope: str
    actor: dict
    volunteer: Any = None  # the Volunteer row (id, subdistricts_json), when a volunteer files
    partner_id: str | None = None
    staff_office: str | None = None  # the office of the staff member recording a tip for a caller
    default_channel: str = "web"
    reserved_channels: tuple = field(default=RESERVED_CHANNELS)
    allowed_channels: tuple | None = None  # when set, the only channels this caller may record

    @property
    def shares_receipt(self) -> bool:
        """Someone other than the tipster has seen the receipt (the tipster is told to get a new one)."""
        return self.volunteer is not None or self.partner_id is not None or self.staff_office is not None

    @property
    def counted(self) -> bool:
        """Anonymous filing is limited per client; volunteers, staff and partners file with their own credentials."""
        return self.volunteer is None and self.partner_id is None and self.staff_office is None


PUBLIC = Caller(scope="public", actor={"kind": "tipster", "id": "anonymous"})


def volunteer_caller(volunteer) -> Caller:
    return Caller(scope=f"volunteer:{volunteer.id}", actor={"kind": "volunteer", "id": volunteer.id},
                  volunteer=volunteer, default_channel="volunteer", reserved_channels=("open311", "phone", "letter"))


def staff_caller(office: str, user_id: str) -> Caller:
    """An office's staff member recording a tip received by phone, letter or in person (the desk's ticket)."""
    return Caller(scope=f"staff:{user_id}", actor={"kind": "user", "id": user_id}, staff_office=office,
                  default_channel="phone", reserved_channels=("volunteer", "open311"),
                  allowed_channels=STAFF_CHANNELS)


def partner_caller(partner_id: str) -> Caller:
    return Caller(scope=f"partner:{partner_id}", actor={"kind": "partner", "id": partner_id},
                  partner_id=partner_id, default_channel="open311", reserved_channels=("volunteer", "phone", "letter"))


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
    if caller.allowed_channels is not None and tip["channel"] not in caller.allowed_channels:
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
