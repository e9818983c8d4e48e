"""Who may see and do what on the desk — the one place where access is decided.

Every endpoint (JSON API and web pages) finds a case through `find_case()` and lists cases through
`case_scope()`; nothing else queries cases on a user's behalf. A case outside the caller's scope is
*not found* (404), exactly like a reference that does not exist, so a foreign office's case never hints
that it exists. A case inside the scope but an action the role may not take is 403.

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

from sqlalchemy import and_, false, or_, select

from services.casework.domain.lifecycle import agency_of
from services.casework.models import Case, User

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
USER_ADMIN_ROLES = frozenset({"agency_admin", "system_admin"})
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


class NotFound(Exception):
    """The case does not exist *for this caller*."""


class Forbidden(Exception):
    """The caller may see this but not do this."""


class Hidden(NotFound):
    """A page that does not exist *for this caller*: answered like any unknown URL, not with the desk's 404."""


def _agency_clause(column, agency: str):
    escaped = agency.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(column == agency, column.like(f"{escaped}-%", escape="\\"))


def case_scope(principal: Principal):
    """SQL condition for the cases `principal` can see at all (false() for roles that see none)."""
    role = principal.role
    if role == "caseworker":
        return and_(Case.office_code == principal.office_code, Case.triage.is_(False))
    if role == "supervisor":
        return Case.office_code == principal.office_code
    if role == "triage_officer":
        return and_(Case.office_code == principal.office_code, Case.triage.is_(True))
    if role == "volunteer":
        if not principal.volunteer_id:
            return false()
        return Case.volunteer_id == principal.volunteer_id
    if role == "auditor":
        return _agency_clause(Case.office_code, principal.agency)
    return false()


def stats_scope(principal: Principal):
    """SQL condition for the cases counted in `principal`'s statistics; Forbidden for roles without any."""
    if principal.role not in STATS_ROLES:
        raise Forbidden()
    if principal.role == "system_admin":
        return Case.id.is_not(None)
    if principal.role in ("agency_admin", "auditor"):
        return _agency_clause(Case.office_code, principal.agency)
    return case_scope(principal)


def find_case(session, principal: Principal, reference: str, action: str = "read", *, for_update=False) -> Case:
    """The case, if `principal` can see it (else NotFound) and may take `action` on it (else Forbidden)."""
    query = select(Case).where(Case.reference == str(reference)[:40], case_scope(principal))
    if for_update:
        query = query.with_for_update()
    case = session.execute(query).scalar_one_or_none()
    if case is None:
        raise NotFound()
    if action not in ACTIONS.get(principal.role, frozenset()):
        raise Forbidden()
    return case


def ops_access(principal: Principal) -> None:
    """The operator page (queues, dead letters, outbox lag, deliveries; never a case or its content)."""
    if principal.role not in OPS_ROLES:
        raise Hidden()


def view_of(principal: Principal) -> str:
    return VIEWS[principal.role]


def may(principal: Principal, action: str) -> bool:
    return action in ACTIONS.get(principal.role, frozenset())


# -- users -------------------------------------------------------------------------------------------------
def user_scope(principal: Principal):
    if principal.role == "system_admin":
        return User.id.is_not(None)
    if principal.role == "agency_admin":
        return _agency_clause(User.office_code, principal.agency)
    raise Forbidden()


def may_grant(principal: Principal, role: str, office_code: str) -> bool:
    if principal.role == "system_admin":
        return True
    if principal.role == "agency_admin":
        return role in AGENCY_GRANTABLE and agency_of(office_code) == principal.agency
    return False


def find_user(session, principal: Principal, username: str) -> User:
    """A user `principal` administers (NotFound otherwise, so foreign accounts are not revealed)."""
    user = session.execute(select(User).where(User.username == str(username)[:64], user_scope(principal))
                           ).scalar_one_or_none()
    if user is None:
        raise NotFound()
    return user


def assignable(session, principal: Principal, case: Case, assignee: User) -> bool:
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
