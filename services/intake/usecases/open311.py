"""Open311 GeoReport v2: what a partner may read back of the requests it filed (never anything the tipster added
later, never who they are). The HTTP side (form, errors, service list): web/open311.py."""
from __future__ import annotations

from datetime import datetime, timedelta

from services.intake.crypto import Keyring
from services.intake.domain.errors import UnknownOpen311Request, ValidationFailed
from services.intake.models import Tip
from services.intake.usecases import submission
from shared import i18n
from shared.clock import aware_utc, iso_utc, utcnow
from shared.vocabulary import CATEGORIES, TIPSTER_STATUSES

MAX_LIST = 1000


def request_view(keyring: Keyring, tip: Tip) -> dict:
    """A request as the partner sees it: only what it sent, its status and the office responsible."""
    facts = submission.facts_of(keyring, tip)
    location = facts.get("location") or {}
    agency = None
    if tip.agency_code:
        agency = f"{tip.agency_name_th} / {tip.agency_name_en}"
    label = TIPSTER_STATUSES.get(tip.status)
    return {
        "service_request_id": tip.reference,
        "status": "closed" if tip.status == "closed" else "open",
        "status_notes": f"{label['th']} / {label['en']}" if label else None,
        "service_name": CATEGORIES[tip.category]["th"],
        "service_code": tip.category,
        "description": facts.get("description"),
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": iso_utc(tip.submitted_at),
        "updated_datetime": iso_utc(tip.updated_at),
        "expected_datetime": None,
        "address": location.get("place"),
        "address_id": location.get("subdistrict_code") or location.get("district_code")
        or location.get("province_code"),
        "zipcode": None,
        "lat": _coordinate(location.get("lat")),   # as kept (domain/coordinates.py), never finer
        "long": _coordinate(location.get("long")),
        "media_url": facts.get("media_url"),
    }


def _coordinate(kept: str | None) -> float | None:
    return float(kept) if kept else None


def one_request(repo, keyring: Keyring, partner_id: str, reference: str) -> list[dict]:
    tip = repo.partner_tip(partner_id, reference)
    if tip is None:
        raise UnknownOpen311Request()
    return [request_view(keyring, tip)]


def list_requests(repo, keyring: Keyring, partner_id: str, args) -> list[dict]:
    """GET requests.json: by `service_request_id` (a list), else filed in a period of at most 90 days (default the
    last 90), of some `service_code`s; `status` open or closed."""
    query: dict = {}
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        query["references"] = ids[:MAX_LIST]
    else:
        now = utcnow()
        start = _when(args.get("start_date"), "start_date")
        end = _when(args.get("end_date"), "end_date")
        end = end or now
        start = start or end - timedelta(days=90)
        if start > end or end - start > timedelta(days=90):
            raise ValidationFailed(fields={"start_date": [i18n.message("field.range")]})
        query["submitted_between"] = (start, end)
        if args.get("service_code"):
            query["categories"] = [c for c in args["service_code"].split(",") if c]
    statuses = [s.strip() for s in (args.get("status") or "").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise ValidationFailed(fields={"status": [i18n.message("field.not_one_of")]})
    if statuses in (["open"], ["closed"]):
        query["closed"] = statuses == ["closed"]
    return [request_view(keyring, t) for t in repo.partner_tips(partner_id, limit=MAX_LIST, **query)]


def _when(raw: str | None, name: str):
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(fields={name: [i18n.message("field.invalid")]})
    return aware_utc(value)
