"""Deliveries: record who must be told what, then send with retries, backoff and a dead state.

Recording happens in the consuming transaction (so a redelivered event records nothing new); sending happens
after commit, because an email cannot be rolled back. A delivery stuck in `sending` after a crash is retried:
external sends are at-least-once, and each carries the delivery id as its idempotency key.
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update

from services.notify.models import Delivery
from shared.events import utcnow
from shared.vocabulary import CATEGORIES

STUCK_SENDING = timedelta(minutes=5)


def office_recipients(config: dict, office_code: str) -> list[tuple[str, str]]:
    """(channel name, address) pairs for an office, from the deployment's notify settings."""
    notify = config["notify"]
    contacts = (notify.get("office_contacts") or {}).get(office_code)
    if contacts:
        return [(channel, address) for channel, address in contacts.items()]
    return [(notify["office_channel"], office_code)]


def record_new_case(uow, event, config: dict) -> list[str]:
    p = event.payload
    from shared import geography

    from services.notify.messages import when

    language = config["notify"].get("office_language", "th")
    province = geography.province(p["province_code"])
    context = {
        "reference": p["reference"],
        "category": CATEGORIES[p["category"]][language],
        "province": (getattr(province, f"name_{language}") if province else p["province_code"]),
        "acknowledge_by": when(p["acknowledge_due"], language),
        "desk_url": f"{config['casework']['desk_url'].rstrip('/')}/cases/{p['reference']}",
    }
    ids = []
    now = utcnow()
    for channel, address in office_recipients(config, p["office"]["code"]):
        delivery = Delivery(
            id=str(uuid.uuid4()), event_id=event.id, reference=p["reference"], recipient_kind="office",
            recipient_id=p["office"]["code"], channel=channel, address=address, template="office_new_case",
            language=language, context_json=json.dumps(context, ensure_ascii=False), status="pending",
            attempts=0, next_attempt_at=now, created_at=now, updated_at=now,
        )
        uow.session.add(delivery)
        ids.append(delivery.id)
    return ids


def due_ids(session, now, limit=100) -> list[str]:
    query = select(Delivery.id).where(or_(
        Delivery.status.in_(("pending", "failed")) & (Delivery.next_attempt_at <= now),
        (Delivery.status == "sending") & (Delivery.updated_at <= now - STUCK_SENDING),
    )).order_by(Delivery.next_attempt_at).limit(limit)
    return list(session.execute(query).scalars())


def claim(service_db, delivery_id: str) -> bool:
    """Move one delivery to `sending`; only one instance can win it."""
    now = utcnow()
    with service_db.transaction() as uow:
        result = uow.session.execute(update(Delivery).where(
            Delivery.id == delivery_id,
            or_(Delivery.status.in_(("pending", "failed")),
                (Delivery.status == "sending") & (Delivery.updated_at <= now - STUCK_SENDING)),
        ).values(status="sending", updated_at=now, attempts=Delivery.attempts + 1))
        return result.rowcount == 1


def send(service_db, delivery_id: str, channels: dict, settings: dict, render) -> str:
    """Send a claimed delivery once; returns its new status."""
    from services.notify.channels import OutboundMessage, PermanentDeliveryError

    with service_db.reading() as session:
        d = session.get(Delivery, delivery_id)
        session.expunge(d)
    attempts = d.attempts
    channel = channels.get(d.channel)
    error = None
    provider_id = None
    permanent = False
    try:
        if channel is None:
            raise PermanentDeliveryError(f"channel {d.channel!r} is not configured")
        subject, text, html = render(d.template, d.language, json.loads(d.context_json))
        message = OutboundMessage(recipient=d.address, language=d.language, subject=subject, text=text,
                                  html=html, idempotency_key=d.id)
        provider_id = channel.send(message)
    except PermanentDeliveryError as exc:
        error, permanent = f"permanent: {exc}"[:1000], True
    except Exception as exc:  # transient by default: timeouts, refused connections, 5xx
        error = f"{type(exc).__name__}: {exc}"[:1000]
    return _settle(service_db, delivery_id, attempts, error, permanent, provider_id, settings)


def _settle(service_db, delivery_id, attempts, error, permanent, provider_id, settings) -> str:
    now = utcnow()
    max_attempts = int(settings["max_attempts"])
    backoff = settings["backoff_seconds"]
    with service_db.transaction() as uow:
        d = uow.session.get(Delivery, delivery_id)
        if error is None:
            d.status, d.sent_at, d.provider_id, d.last_error = "sent", now, provider_id, None
        elif permanent or attempts >= max_attempts:
            d.status, d.last_error = "dead", error
        else:
            d.status, d.last_error = "failed", error
            d.next_attempt_at = now + timedelta(seconds=float(backoff[min(attempts - 1, len(backoff) - 1)]))
        d.updated_at = now
        if d.status in ("sent", "dead"):
            uow.emit("notification.sent" if d.status == "sent" else "notification.failed", {
                "delivery_id": d.id, "reference": d.reference, "recipient_kind": d.recipient_kind,
                "recipient_id": d.recipient_id, "channel": d.channel, "status": d.status, "attempts": d.attempts,
            }, correlation_id=d.reference or d.id)
        return d.status


def retry_now(service_db, delivery_id: str) -> bool:
    """Operator: send a failed or dead delivery again at once."""
    with service_db.transaction() as uow:
        result = uow.session.execute(update(Delivery).where(
            Delivery.id == delivery_id, Delivery.status.in_(("failed", "dead"))
        ).values(status="pending", next_attempt_at=utcnow(), attempts=0, updated_at=utcnow()))
        return result.rowcount == 1
