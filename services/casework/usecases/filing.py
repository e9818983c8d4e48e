"""Filing a tip on someone's behalf, as far as the desk goes: it knows who is signed in, so it signs them a
short-lived ticket (shared/filing_tickets.py) that intake's form accepts. The desk never sees the tip nor who the
tipster is: the browser posts the form straight to intake, which alone keeps them."""
from __future__ import annotations

import time

from services.casework.domain import policy
from shared import evidence_links, filing_tickets


def issue_ticket(config: dict, principal: policy.Principal, desk_origin: str | None = None,
                 now: float | None = None) -> dict:
    """The ticket for `principal` (Hidden for roles that may not file) and where to use it."""
    kind = policy.filing_kind(principal)
    now = time.time() if now is None else now
    seconds = filing_tickets.ticket_seconds(config)
    ticket = filing_tickets.sign(filing_tickets.ticket_key(config), kind=kind, user=principal.user_id,
                                 office=principal.office_code if kind == "staff" else None,
                                 volunteer=principal.volunteer_id if kind == "volunteer" else None,
                                 desk=desk_origin, seconds=seconds, now=now)
    intake = evidence_links.intake_url(config)
    return {"kind": kind, "ticket": ticket, "expires_at": int(now) + seconds, "intake_url": intake,
            "form_url": f"{intake}/assisted", "submit_url": f"{intake}/api/v1/tips",
            "header": "X-Filing-Ticket",
            "channels": list(filing_tickets.STAFF_CHANNELS if kind == "staff" else ("volunteer",))}
