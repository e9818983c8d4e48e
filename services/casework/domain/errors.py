"""Casework's domain exceptions. Each carries a message key (shared.i18n) and its details; the HTTP edge maps
them to statuses in one table (services/casework/web/errors.py)."""
from __future__ import annotations


class CaseworkError(Exception):
    """A rule of the desk said no; `key` says which (a message key), `detail` what the answer may show."""

    def __init__(self, key: str, **detail):
        super().__init__(key)
        self.key = key
        self.detail = detail


class TransitionError(CaseworkError, ValueError):
    """Not an allowed change to a case: a lifecycle transition, a hand-over, a note, an extension (key says why)."""


class DeskAccountError(CaseworkError, ValueError):
    """A desk account's rule said no: sign-in, password policy, reset codes, user creation (key says why)."""


class NotFound(Exception):
    """The case (or user) does not exist *for this caller*."""


class Forbidden(Exception):
    """The caller may see this but not do this."""


class Hidden(NotFound):
    """A page that does not exist *for this caller*: answered like any unknown URL, not with the desk's 404."""
