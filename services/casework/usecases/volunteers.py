"""intake's volunteer registry, as far as the desk needs it: which volunteer ids may be bound to an account, and
where each works (a network's coordinator sees the volunteers of the network's area only)."""
from __future__ import annotations

import json

from services.casework.domain.errors import DeskAccountError
from shared.clock import aware_utc


def volunteer_changed(uow, event) -> None:
    """`volunteer.registered` / `volunteer.disabled` (idempotent; an older event never wins)."""
    payload = event.payload
    at = payload["at"]
    active = event.type == "volunteer.registered"
    area = payload.get("subdistricts")
    area_json = json.dumps(sorted(area)) if area is not None else None
    row = uow.repo.volunteer(payload["volunteer_id"], for_update=True)
    if row is None:
        uow.repo.add_volunteer(volunteer_id=payload["volunteer_id"], active=active, changed_at=at,
                               subdistricts_json=area_json)
    elif aware_utc(row.changed_at) <= at:
        row.active, row.changed_at = active, at
        if area_json is not None:  # an older event without the area leaves the known one
            row.subdistricts_json = area_json


def check_registered(uow, volunteer_id: str) -> None:
    """A volunteer id may be bound to an account only while intake's registry has it active."""
    registered = uow.repo.volunteer(volunteer_id)
    if registered is None or not registered.active:
        raise DeskAccountError("user.volunteer_unknown")
