"""Volunteers (who file tips for citizens) and Open311 partners (other platforms), with their secrets.

Tokens and API keys are 256-bit random values shown once when created; only their SHA-256 is stored (a slow
hash adds nothing for secrets that cannot be guessed, and a fast one lets a request be checked in one lookup).
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets

from sqlalchemy import select

from services.intake.models import Partner, Tip, Volunteer
from shared import geography
from shared.clock import utcnow

VOLUNTEER_PREFIX = "svt_"
PARTNER_PREFIX = "spk_"
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class AccountError(ValueError):
    pass


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# -- volunteers -----------------------------------------------------------------------------------------------
def add_volunteer(db, volunteer_id: str, network: str, subdistricts: list[str]) -> str:
    """Create a volunteer; returns the token (the only time it exists outside the volunteer's hands)."""
    if not _ID.match(volunteer_id or ""):
        raise AccountError("volunteer id: 1-64 letters, digits, '_', '.' or '-'")
    if not network or len(network) > 120:
        raise AccountError("network: 1-120 characters")
    codes = sorted({c.strip() for c in subdistricts if c.strip()})
    if not codes:
        raise AccountError("at least one subdistrict code is needed")
    unknown = [c for c in codes if not re.fullmatch(r"\d{6}", c) or geography.subdistrict(c) is None]
    if unknown:
        raise AccountError(f"unknown subdistrict codes: {', '.join(unknown)}")
    token = VOLUNTEER_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as uow:
        if uow.session.get(Volunteer, volunteer_id) is not None:
            raise AccountError(f"volunteer {volunteer_id} already exists")
        now = utcnow()
        uow.session.add(Volunteer(id=volunteer_id, network=network, subdistricts_json=json.dumps(codes),
                                  token_hash=_digest(token), created_at=now))
        _announce(uow, "volunteer.registered", volunteer_id, now)
    return token


def _announce(uow, event_type: str, volunteer_id: str, now) -> None:
    """Tell casework (same transaction: outbox) which volunteer ids exist, so only those can get desk accounts."""
    uow.emit(event_type, {"volunteer_id": volunteer_id, "at": now}, correlation_id=f"volunteer:{volunteer_id}",
             actor={"kind": "system", "id": "intake-admin"})


def announce_volunteers(db) -> int:
    """Announce every volunteer again (e.g. those registered before casework kept the list); returns how many."""
    with db.transaction() as uow:
        volunteers = list(uow.session.execute(select(Volunteer).order_by(Volunteer.id)).scalars())
        now = utcnow()
        for v in volunteers:
            _announce(uow, "volunteer.registered" if v.disabled_at is None else "volunteer.disabled", v.id, now)
    return len(volunteers)


def reset_volunteer_token(db, volunteer_id: str) -> str:
    token = VOLUNTEER_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as uow:
        volunteer = uow.session.get(Volunteer, volunteer_id)
        if volunteer is None:
            raise AccountError(f"no volunteer {volunteer_id}")
        volunteer.token_hash = _digest(token)
        volunteer.disabled_at = None
        _announce(uow, "volunteer.registered", volunteer_id, utcnow())
    return token


def disable_volunteer(db, volunteer_id: str) -> None:
    with db.transaction() as uow:
        volunteer = uow.session.get(Volunteer, volunteer_id)
        if volunteer is None:
            raise AccountError(f"no volunteer {volunteer_id}")
        volunteer.disabled_at = utcnow()
        _announce(uow, "volunteer.disabled", volunteer_id, volunteer.disabled_at)


def list_volunteers(db) -> list[dict]:
    with db.reading() as session:
        return [{"id": v.id, "network": v.network, "subdistricts": json.loads(v.subdistricts_json),
                 "created_at": v.created_at.isoformat(), "disabled": v.disabled_at is not None}
                for v in session.execute(select(Volunteer).order_by(Volunteer.id)).scalars()]


def volunteer_for_token(session, token: str | None) -> Volunteer | None:
    if not token or not token.startswith(VOLUNTEER_PREFIX) or len(token) > 200:
        return None
    v = session.execute(select(Volunteer).where(Volunteer.token_hash == _digest(token))).scalar_one_or_none()
    return v if v is not None and v.disabled_at is None else None


def covers(volunteer: Volunteer, location: dict) -> bool:
    """Is the tip's location inside the volunteer's subdistricts (or, for a coarser location, does it contain one)?"""
    codes = json.loads(volunteer.subdistricts_json)
    narrowest = location.get("subdistrict_code") or location.get("district_code") or location["province_code"]
    if location.get("subdistrict_code"):
        return narrowest in codes
    return any(code.startswith(narrowest) for code in codes)


def tips_filed_by(session, volunteer_id: str) -> list[Tip]:
    return list(session.execute(select(Tip).where(Tip.volunteer_id == volunteer_id)
                                .order_by(Tip.submitted_at.desc())).scalars())


# -- partners ---------------------------------------------------------------------------------------------------
def add_partner(db, partner_id: str, name: str) -> str:
    if not _ID.match(partner_id or ""):
        raise AccountError("partner id: 1-64 letters, digits, '_', '.' or '-'")
    if not name or len(name) > 200:
        raise AccountError("name: 1-200 characters")
    key = PARTNER_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as uow:
        if uow.session.get(Partner, partner_id) is not None:
            raise AccountError(f"partner {partner_id} already exists")
        uow.session.add(Partner(id=partner_id, name=name, key_hash=_digest(key), created_at=utcnow()))
    return key


def disable_partner(db, partner_id: str) -> None:
    with db.transaction() as uow:
        partner = uow.session.get(Partner, partner_id)
        if partner is None:
            raise AccountError(f"no partner {partner_id}")
        partner.disabled_at = utcnow()


def list_partners(db) -> list[dict]:
    with db.reading() as session:
        return [{"id": p.id, "name": p.name, "created_at": p.created_at.isoformat(),
                 "disabled": p.disabled_at is not None}
                for p in session.execute(select(Partner).order_by(Partner.id)).scalars()]


def partner_for_key(session, key: str | None) -> Partner | None:
    if not key or not key.startswith(PARTNER_PREFIX) or len(key) > 200:
        return None
    p = session.execute(select(Partner).where(Partner.key_hash == _digest(key))).scalar_one_or_none()
    return p if p is not None and p.disabled_at is None else None
