"""Filing on someone's behalf: a short-lived ticket the desk signs for a signed-in staff member or volunteer, which
intake accepts instead of a second credential.

The desk (casework) knows who is signed in; intake alone takes tips and keeps who the tipster is. So the desk never
sees the form: it signs a ticket (HMAC-SHA256 over the ticket's fields, under a key derived from the secret the two
services already share, `evidence.link_key`) and the browser carries it to intake's form, in a hidden field, never
in a URL. Intake checks the signature and the expiry and files the tip as that staff member or volunteer. Nothing
passes between the services but the ticket: no call on the tip's path.

A ticket's scope is its kind: `staff` (an office's staff recording a tip received by phone, letter or in person:
the channel is one of STAFF_CHANNELS) or `volunteer` (the tip carries the volunteer's id and must lie in their
area, which intake checks against its own registry).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from shared import evidence_links
from shared.config import SHARED

KINDS = ("staff", "volunteer")
STAFF_CHANNELS = ("phone", "letter", "walk_in")
_LABEL = b"sodsong-filing-ticket-v1"
_MAX_CHARS = 1024


@dataclass(frozen=True)
class Ticket:
    kind: str  # staff | volunteer
    user: str  # the desk account's id (an audit actor, never a name)
    office: str | None  # staff: the office they work in
    volunteer: str | None  # volunteer: the id intake's registry knows them by
    expires: int  # unix seconds
    desk: str | None = None  # where the desk is (its origin), for the form's "back to the desk" link

    @property
    def channels(self) -> tuple[str, ...]:
        return STAFF_CHANNELS if self.kind == "staff" else ("volunteer",)


def ticket_key(config: dict) -> bytes:
    """A key for tickets alone, derived from the desk↔intake secret (so a file link can never pass as a ticket)."""
    return hmac.new(evidence_links.link_key(config), _LABEL, hashlib.sha256).digest()


def ticket_seconds(config: dict) -> int:
    return int(SHARED.value(config, "evidence.filing_ticket_seconds"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, *, kind: str, user: str, office: str | None = None, volunteer: str | None = None,
         desk: str | None = None, seconds: int = 1800, now: float | None = None) -> str:
    if kind not in KINDS:
        raise ValueError(f"ticket kind: one of {KINDS}")
    if kind == "staff" and not office:
        raise ValueError("a staff ticket names the office")
    if kind == "volunteer" and not volunteer:
        raise ValueError("a volunteer ticket names the volunteer id")
    body = {"k": kind, "u": str(user), "o": office if kind == "staff" else None,
            "v": volunteer if kind == "volunteer" else None,
            "x": int((now if now is not None else time.time()) + seconds), "d": desk or None}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_mac(key, payload)}"


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def verify(key: bytes, token: str | None, now: float | None = None) -> Ticket | None:
    """The ticket, if `token` is one this key signed and it has not expired; else None (never says why)."""
    if not token or len(token) > _MAX_CHARS or token.count(".") != 1:
        return None
    payload, sig = token.split(".")
    try:
        if not hmac.compare_digest(_mac(key, payload), sig):
            return None
        body = json.loads(_unb64(payload))
        ticket = Ticket(kind=body["k"], user=body["u"], office=body["o"], volunteer=body["v"], expires=int(body["x"]),
                        desk=body.get("d"))
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    if ticket.kind not in KINDS or ticket.expires < (now if now is not None else time.time()):
        return None
    if ticket.desk is not None and not str(ticket.desk).startswith(("http://", "https://")):
        return None
    if (ticket.kind == "staff" and not ticket.office) or (ticket.kind == "volunteer" and not ticket.volunteer):
        return None
    return ticket
