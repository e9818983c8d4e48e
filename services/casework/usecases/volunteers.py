"""intake's volunteer registry, as far as the desk needs it: which volunteer ids may be bound to an account."""
from __future__ import annotations

from services.casework.domain.errors import DeskAccountError
from shared.clock import aware_utc


def volunteer_changed(uow, event) -> None:
    """`volunteer.registered` / `volunteer.disabled` (idempotent; an older event never wins)."""
    payload = event.payload
    at = payload["at"]
    active = event.type == "volunteer.registered"
    row = uow.repo.volunteer(payload["volunteer_id"], for_update=True)
    if row is None:
        uow.repo.add_volunteer(volunteer_id=payload["volunteer_id"], active=active, changed_at=at)
    elif aware_utc(row.changed_at) <= at:
        row.active, row.changed_at = active, at


def check_registered(uow, volunteer_id: str) -> None:
    """A volunteer id may be bound to an account only while intake's registry has it active."""
    registered = uow.repo.volunteer(volunteer_id)
    if registered is None or not registered.active:
        raise DeskAccountError("user.volunteer_unknown")
