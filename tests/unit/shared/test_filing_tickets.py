"""The desk's tickets for filing on someone's behalf (shared/filing_tickets.py): what they carry, how long they work,
and that nothing but an unaltered ticket signed with the shared key opens intake's form."""
from __future__ import annotations

import base64
import json

import pytest

from shared import filing_tickets as ft

KEY = b"\x11" * 32
CONFIG = {"evidence": {"link_key": "k" * 40, "filing_ticket_seconds": 600}}


def test_a_staff_ticket_names_the_office_and_scopes_the_channels():
    token = ft.sign(KEY, kind="staff", user="u-1", office="PACC-R2", volunteer="ignored", desk="http://desk",
                    seconds=600, now=1000)
    ticket = ft.verify(KEY, token, now=1599)
    assert ticket == ft.Ticket(kind="staff", user="u-1", office="PACC-R2", volunteer=None, expires=1600,
                               desk="http://desk")
    assert ticket.channels == ("phone", "letter", "walk_in")


def test_a_volunteer_ticket_names_the_volunteer_and_only_their_channel():
    ticket = ft.verify(KEY, ft.sign(KEY, kind="volunteer", user="u-2", office="PACC-R2", volunteer="vol-1",
                                    now=1000), now=1000)
    assert (ticket.kind, ticket.volunteer, ticket.office) == ("volunteer", "vol-1", None)
    assert ticket.channels == ("volunteer",)


def test_a_ticket_stops_working_when_it_expires():
    token = ft.sign(KEY, kind="staff", user="u", office="PACC-R2", seconds=60, now=1000)
    assert ft.verify(KEY, token, now=1060) is not None
    assert ft.verify(KEY, token, now=1061) is None


def _reissue(token: str, **changes) -> str:
    """The same ticket with a field changed but the old signature (what a holder could try)."""
    payload, sig = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    raw = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{raw}.{sig}"


@pytest.mark.parametrize("changes", [{"k": "volunteer", "v": "vol-1"}, {"o": "NACC-23"}, {"x": 99999999},
                                     {"u": "someone-else"}])
def test_changing_anything_in_a_ticket_breaks_it(changes):
    token = ft.sign(KEY, kind="staff", user="u", office="PACC-R2", now=1000)
    assert ft.verify(KEY, _reissue(token, **changes), now=1000) is None


@pytest.mark.parametrize("token", [None, "", "abc", "a.b.c", "x" * 2000, ".", "e30.AAAA"])
def test_garbage_is_no_ticket(token):
    assert ft.verify(KEY, token, now=0) is None


def test_another_key_does_not_verify_and_the_key_is_not_the_file_link_key():
    token = ft.sign(KEY, kind="staff", user="u", office="PACC-R2", now=1000)
    assert ft.verify(b"\x12" * 32, token, now=1000) is None
    from shared import evidence_links
    assert ft.ticket_key(CONFIG) != evidence_links.link_key(CONFIG)
    assert ft.ticket_key(CONFIG) == ft.ticket_key(dict(CONFIG))  # both services derive the same key
    assert ft.ticket_seconds(CONFIG) == 600


def test_a_ticket_without_its_scope_is_refused():
    with pytest.raises(ValueError):
        ft.sign(KEY, kind="staff", user="u")
    with pytest.raises(ValueError):
        ft.sign(KEY, kind="volunteer", user="u")
    with pytest.raises(ValueError):
        ft.sign(KEY, kind="operator", user="u", office="X")
