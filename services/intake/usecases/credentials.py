"""Volunteers (who file tips for citizens) and Open311 partners (other platforms), with their secrets: made,
reset and disabled by operators (`sodsong intake volunteers|partners`), and found by the token or key a request
carries.

Tokens and API keys are 256-bit random values shown once when created; only their SHA-256 is stored (a slow
hash adds nothing for secrets that cannot be guessed, and a fast one lets a request be checked in one lookup).
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets

from services.intake.domain.errors import CredentialError
from services.intake.models import Partner, Volunteer
from shared import geography
from shared.clock import utcnow

VOLUNTEER_PREFIX = "svt_"
PARTNER_PREFIX = "spk_"
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _existing(find, kind: str, account_id: str):
    account = find(account_id)
    if account is None:
        raise CredentialError(f"no {kind} {account_id}")
    return account


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# -- volunteers -----------------------------------------------------------------------------------------------
def add_volunteer(db, volunteer_id: str, network: str, subdistricts: list[str]) -> str:
    """Create a volunteer; returns the token (the only time it exists outside the volunteer's hands)."""
    if not _ID.match(volunteer_id or ""):
        raise CredentialError("volunteer id: 1-64 letters, digits, '_', '.' or '-'")
    if not network or len(network) > 120:
        raise CredentialError("network: 1-120 characters")
    codes = sorted({c.strip() for c in subdistricts if c.strip()})
    if not codes:
        raise CredentialError("at least one subdistrict code is needed")
    unknown = [c for c in codes if not re.fullmatch(r"\d{6}", c) or geography.subdistrict(c) is None]
    if unknown:
        raise CredentialError(f"unknown subdistrict codes: {', '.join(unknown)}")
    token = VOLUNTEER_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as uow:
        if uow.repo.volunteer(volunteer_id) is not None:
            raise CredentialError(f"volunteer {volunteer_id} already exists")
        now = utcnow()
        uow.repo.add(Volunteer(id=volunteer_id, network=network, subdistricts_json=json.dumps(codes),
                               token_hash=_digest(token), created_at=now))
        _announce(uow, "volunteer.registered", volunteer_id, now, codes)
    return token


def _announce(uow, event_type: str, volunteer_id: str, now, subdistricts: list[str]) -> None:
    """Tell casework (same transaction: outbox) which volunteer ids exist, so only those can get desk accounts,
    and where each works (their network's coordinator sees them, no other)."""
    uow.emit(event_type, {"volunteer_id": volunteer_id, "at": now, "subdistricts": list(subdistricts)},
             correlation_id=f"volunteer:{volunteer_id}", actor={"kind": "system", "id": "intake-admin"})


def announce_volunteers(db) -> int:
    """Announce every volunteer again (e.g. those registered before casework kept the list); returns how many."""
    with db.transaction() as uow:
        volunteers = uow.repo.volunteers()
        now = utcnow()
        for v in volunteers:
            _announce(uow, "volunteer.registered" if v.disabled_at is None else "volunteer.disabled", v.id, now,
                      json.loads(v.subdistricts_json))
    return len(volunteers)


def reset_volunteer_token(db, volunteer_id: str) -> str:
    token = VOLUNTEER_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as uow:
        volunteer = _existing(uow.repo.volunteer, "volunteer", volunteer_id)
        volunteer.token_hash = _digest(token)
        volunteer.disabled_at = None
        _announce(uow, "volunteer.registered", volunteer_id, utcnow(), json.loads(volunteer.subdistricts_json))
    return token


def disable_volunteer(db, volunteer_id: str) -> None:
    with db.transaction() as uow:
        volunteer = _existing(uow.repo.volunteer, "volunteer", volunteer_id)
        volunteer.disabled_at = utcnow()
        _announce(uow, "volunteer.disabled", volunteer_id, volunteer.disabled_at,
                  json.loads(volunteer.subdistricts_json))


def list_volunteers(db) -> list[dict]:
    with db.reading() as session:
        return [{"id": v.id, "network": v.network, "subdistricts": json.loads(v.subdistricts_json),
                 "created_at": v.created_at.isoformat(), "disabled": v.disabled_at is not None}
                for v in db.repository(session).volunteers()]


def volunteer_for_token(repo, token: str | None) -> Volunteer | None:
    return _active_holder(token, VOLUNTEER_PREFIX, repo.volunteer_by_token_hash)


# -- partners ---------------------------------------------------------------------------------------------------
def add_partner(db, partner_id: str, name: str) -> str:
    if not _ID.match(partner_id or ""):
        raise CredentialError("partner id: 1-64 letters, digits, '_', '.' or '-'")
    if not name or len(name) > 200:
        raise CredentialError("name: 1-200 characters")
    key = PARTNER_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as uow:
        if uow.repo.partner(partner_id) is not None:
            raise CredentialError(f"partner {partner_id} already exists")
        uow.repo.add(Partner(id=partner_id, name=name, key_hash=_digest(key), created_at=utcnow()))
    return key


def disable_partner(db, partner_id: str) -> None:
    with db.transaction() as uow:
        _existing(uow.repo.partner, "partner", partner_id).disabled_at = utcnow()


def list_partners(db) -> list[dict]:
    with db.reading() as session:
        return [{"id": p.id, "name": p.name, "created_at": p.created_at.isoformat(),
                 "disabled": p.disabled_at is not None}
                for p in db.repository(session).partners()]


def partner_for_key(repo, key: str | None) -> Partner | None:
    return _active_holder(key, PARTNER_PREFIX, repo.partner_by_key_hash)


def _active_holder(secret: str | None, prefix: str, by_hash):
    """The volunteer or partner a well-formed token or key belongs to, unless they are disabled."""
    if not secret or not secret.startswith(prefix) or len(secret) > 200:
        return None
    holder = by_hash(_digest(secret))
    return holder if holder is not None and holder.disabled_at is None else None
