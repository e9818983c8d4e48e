"""The desk's side of filing on someone's behalf (usecases/filing.py, policy.filing_kind): who gets a ticket, what
it says, and that a volunteer's account needs no office."""
from __future__ import annotations

import pytest

from services.casework.domain import policy
from services.casework.domain.errors import Hidden
from services.casework.usecases import accounts, filing
from shared import filing_tickets

CONFIG = {"evidence": {"link_key": "a-shared-secret-of-at-least-32-characters", "filing_ticket_seconds": 900,
                       "intake_url": "https://tips.example.org"}, "intake": {"http": "127.0.0.1:8000"}}


def _principal(role, office="PACC-R2", volunteer_id=None):
    return policy.Principal(user_id="u-1", username="x", display_name="X", role=role, office_code=office,
                            volunteer_id=volunteer_id)


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "triage_officer"])
def test_staff_get_a_staff_ticket_for_their_office(role):
    issued = filing.issue_ticket(CONFIG, _principal(role), "https://desk.example.org", now=1000)
    ticket = filing_tickets.verify(filing_tickets.ticket_key(CONFIG), issued["ticket"], now=1000)
    assert (ticket.kind, ticket.office, ticket.user, ticket.desk) == ("staff", "PACC-R2", "u-1",
                                                                      "https://desk.example.org")
    assert issued["expires_at"] == 1900 and issued["form_url"] == "https://tips.example.org/assisted"
    assert issued["channels"] == ["phone", "letter", "walk_in"] and issued["header"] == "X-Filing-Ticket"


def test_a_volunteer_gets_a_ticket_naming_their_volunteer_id_and_no_office():
    issued = filing.issue_ticket(CONFIG, _principal("volunteer", office="VOLUNTEER", volunteer_id="vol-1"), now=5)
    ticket = filing_tickets.verify(filing_tickets.ticket_key(CONFIG), issued["ticket"], now=5)
    assert (ticket.kind, ticket.volunteer, ticket.office) == ("volunteer", "vol-1", None)


@pytest.mark.parametrize("principal", [_principal("auditor"), _principal("agency_admin"), _principal("operator"),
                                       _principal("system_admin"), _principal("volunteer", volunteer_id=None)])
def test_every_other_role_has_no_filing_page(principal):
    with pytest.raises(Hidden):
        filing.issue_ticket(CONFIG, principal)


def test_a_volunteer_account_needs_no_office():
    assert accounts.OFFICE_CODE.match(accounts.VOLUNTEER_OFFICE)
