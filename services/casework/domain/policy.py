"""Who may see and do what on the desk — the one place where access is decided.

Plain Python: every use case finds a case through `case_scope()` (usecases/access.py `find_case()`; the
repository turns a Scope into SQL) and lists cases through it; nothing else queries cases on a user's behalf.
A case outside the caller's scope is *not found* (404), exactly like a reference that does not exist, so a
foreign office's case never hints that it exists. A case inside the scope but an action the role may not take
is 403.

Scopes:
    caseworker       cases of their office that are not in triage
    supervisor       every case of their office
    triage_officer   triage cases (triage=True) whose office is their (coordinating) office
    volunteer        cases of tips they filed (the volunteer id in the case's facts), status view only
    auditor          cases of their agency (offices sharing the code prefix), content-free view only
    agency_admin     no case; the users of their agency; statistics of their agency
    operator         no case, no content; queues, dead letters, outbox lag and deliveries (the operator page)
    system_admin     no case; all users; statistics of every office; the operator page

The operator page (`/ops`, `/api/v1/ops` and its forms) is `ops_access()`'s: for every role but operator and
system_admin it does not exist at all (`Hidden`: answered exactly like a URL the desk does not have).
"""
from __future__ import annotations

from dataclasses import dataclass

from services.casework.domain.errors import Forbidden, Hidden, NotFound  # noqa: F401 - policy's answers
from services.casework.domain.lifecycle import agency_of

ROLES = ("caseworker", "supervisor", "triage_officer", "agency_admin", "operator", "auditor", "volunteer",
         "system_admin")

# What a role may do to a case it can see.
ACTIONS: dict[str, frozenset[str]] = {
    "caseworker": frozenset({"read", "transition", "note", "question", "assign_self", "transfer"}),
    "supervisor": frozenset({"read", "transition", "note", "question", "assign", "assign_self", "transfer",
                             "decide_closure",
                             "extend_deadline", "access_log"}),
    "triage_officer": frozenset({"read", "transition", "note", "question", "assign_self", "transfer"}),
    "volunteer": frozenset({"read"}),
    "auditor": frozenset({"read", "access_log"}),
    "agency_admin": frozenset(),
    "operator": frozenset(),
    "system_admin": frozenset(),
}

# Which view of a case a role reads: full (facts, notes, questions), status (what the tipster sees), audit
# (states, times and actors; never facts, reasons, notes or questions).
VIEWS = {"caseworker": "detail", "supervisor": "detail", "triage_officer": "detail", "volunteer": "status",
         "auditor": "audit"}

STATS_ROLES = frozenset({"caseworker", "supervisor", "triage_officer", "auditor", "agency_admin", "system_admin"})
OPS_ROLES = frozenset({"operator", "system_admin"})
# Roles an agency admin may give (never operator or system_admin, which are the platform's).
AGENCY_GRANTABLE = frozenset({"caseworker", "supervisor", "triage_officer", "auditor", "agency_admin",
                              "volunteer"})


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    display_name: str
    role: str
    office_code: str
    volunteer_id: str | None = None

    @property
    def agency(self) -> str:
        return agency_of(self.office_code)

    @property
    def actor(self) -> dict:
        return {"kind": "volunteer" if self.role == "volunteer" else "user", "id": self.user_id}


@dataclass(frozen=True)
class Scope:
    """Which rows a principal reaches, as plain values (the repository turns it into SQL, a fake into Python).

    `everything`: no limit; `office`: that office only; `agency`: offices sharing the code prefix;
    `triage`: only cases with this triage flag; `volunteer_id`: cases filed under it. `nothing`: none at all."""
    nothing: bool = False
    everything: bool = False
    office: str | None = None
    agency: str | None = None
    triage: bool | None = None
    volunteer_id: str | None = None

    def admits(self, office_code: str, triage: bool = False, volunteer_id: str | None = None) -> bool:
        """The same condition in plain Python (for one row in hand)."""
        if self.nothing:
            return False
        if self.everything:
            return True
        if self.volunteer_id is not None:
            return volunteer_id == self.volunteer_id
        if self.office is not None and office_code != self.office:
            return False
        if self.agency is not None and agency_of(office_code) != self.agency:
            return False
        return self.triage is None or bool(triage) is self.triage


NOTHING = Scope(nothing=True)


def case_scope(principal: Principal) -> Scope:
    """The cases `principal` can see at all (NOTHING for roles that see none)."""
    role = principal.role
    if role == "caseworker":
        return Scope(office=principal.office_code, triage=False)
    if role == "supervisor":
        return Scope(office=principal.office_code)
    if role == "triage_officer":
        return Scope(office=principal.office_code, triage=True)
    if role == "volunteer":
        return Scope(volunteer_id=principal.volunteer_id) if principal.volunteer_id else NOTHING
    if role == "auditor":
        return Scope(agency=principal.agency)
    return NOTHING


# Who may file a tip on someone's behalf (the desk signs them a ticket for intake's form: shared/filing_tickets.py):
# an office's staff record tips received by phone, letter or in person; a volunteer files for a citizen.
STAFF_FILING_ROLES = frozenset({"caseworker", "supervisor", "triage_officer"})


def filing_kind(principal: Principal) -> str:
    """`staff` or `volunteer`: the ticket this principal may be given; Hidden for every other role (the filing
    page does not exist for them)."""
    if principal.role in STAFF_FILING_ROLES:
        return "staff"
    if principal.role == "volunteer" and principal.volunteer_id:
        return "volunteer"
    raise Hidden()


def stats_scope(principal: Principal) -> Scope:
    """The cases counted in `principal`'s statistics; Forbidden for roles without any."""
    if principal.role not in STATS_ROLES:
        raise Forbidden()
    if principal.role == "system_admin":
        return Scope(everything=True)
    if principal.role in ("agency_admin", "auditor"):
        return Scope(agency=principal.agency)
    return case_scope(principal)


def user_scope(principal: Principal) -> Scope:
    """The accounts `principal` administers; Forbidden for roles that administer nobody."""
    if principal.role == "system_admin":
        return Scope(everything=True)
    if principal.role == "agency_admin":
        return Scope(agency=principal.agency)
    raise Forbidden()


def check_action(principal: Principal, action: str) -> None:
    """A case the caller can see, and an action on it: Forbidden unless the role may take it."""
    if action not in ACTIONS.get(principal.role, frozenset()):
        raise Forbidden()


def ops_access(principal: Principal) -> None:
    """The operator page (queues, dead letters, outbox lag, deliveries; never a case or its content)."""
    if principal.role not in OPS_ROLES:
        raise Hidden()


def view_of(principal: Principal) -> str:
    return VIEWS[principal.role]


def may(principal: Principal, action: str) -> bool:
    return action in ACTIONS.get(principal.role, frozenset())


# -- users -------------------------------------------------------------------------------------------------
def may_grant(principal: Principal, role: str, office_code: str) -> bool:
    if principal.role == "system_admin":
        return True
    if principal.role == "agency_admin":
        return role in AGENCY_GRANTABLE and agency_of(office_code) == principal.agency
    return False


def assignable(principal: Principal, case, assignee) -> bool:
    """A supervisor assigns anyone active of the case's office who works cases; others may only take it."""
    if assignee.disabled or assignee.office_code != case.office_code:
        return False
    if assignee.role not in ("caseworker", "supervisor", "triage_officer"):
        return False
    if case.triage and assignee.role == "caseworker":
        return False
    if not case.triage and assignee.role == "triage_officer":
        return False
    if may(principal, "assign"):
        return True
    return may(principal, "assign_self") and assignee.id == principal.user_id and case.assignee_id is None
