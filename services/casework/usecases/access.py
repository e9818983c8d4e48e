"""How a use case reaches a case on a caller's behalf: only through the caller's policy scope."""
from __future__ import annotations

from services.casework.domain import policy
from services.casework.domain.errors import NotFound


def find_case(repo, principal: policy.Principal, reference: str, action: str = "read", *, for_update=False):
    """The case, if `principal` can see it (else NotFound, exactly like a reference that does not exist) and may
    take `action` on it (else Forbidden)."""
    case = repo.case_in_scope(reference, policy.case_scope(principal), for_update=for_update)
    if case is None:
        raise NotFound()
    policy.check_action(principal, action)
    return case
