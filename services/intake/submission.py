"""Taking a tip: store it with its hashed receipt and emit `tip.received`, in one transaction."""
from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake import receipts
from services.intake.models import TimelineEntry, Tip
from services.intake.schemas import facts_for_others
from shared.events import utcnow
from shared.vocabulary import TIPSTER_STATUSES

# Crockford base32 without look-alikes: references are read aloud over the phone.
_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

STATUS_RANK = {"submitted": 0, "triage": 1, "routed": 1, "received": 2, "acknowledged": 3,
               "under_review": 4, "investigating": 5, "transferred": 5, "closed": 9}


def new_reference() -> str:
    body = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"SS-{body[:4]}-{body[4:]}"


@dataclass(frozen=True)
class Submitted:
    reference: str
    receipt: str
    status: str


def submit_tip(uow, tip: dict, receipt_hash: str, receipt: str, actor: dict) -> Submitted:
    """`tip` is TipSchema-validated; the receipt was hashed beforehand (hashing is slow, transactions are not)."""
    session: Session = uow.session
    now = utcnow()
    reference = new_reference()
    while session.execute(select(Tip.id).where(Tip.reference == reference)).first():
        reference = new_reference()
    facts = facts_for_others(tip)
    reporter = tip.get("reporter") or {}
    identified = not reporter.get("anonymous", True) or any(
        reporter.get(k) for k in ("name", "phone", "email", "line_user_id"))
    row = Tip(
        id=str(uuid.uuid4()),
        reference=reference,
        receipt_locator=receipts.locator(receipt),
        receipt_hash=receipt_hash,
        tipster_id="tp_" + secrets.token_hex(8),
        channel=facts["channel"],
        language=facts["language"],
        category=facts["category"],
        province_code=facts["location"]["province_code"],
        facts_json=json.dumps(facts, ensure_ascii=False),
        reporter_json=json.dumps(reporter, ensure_ascii=False) if identified else None,
        submitted_at=now,
        status="submitted",
        status_rank=STATUS_RANK["submitted"],
        updated_at=now,
    )
    session.add(row)
    event = uow.emit("tip.received", {**facts, "reference": reference, "tipster_id": row.tipster_id,
                                      "submitted_at": now}, correlation_id=reference, actor=actor)
    session.add(TimelineEntry(tip_id=row.id, source_event_id=event.id, status="submitted",
                              label_th=TIPSTER_STATUSES["submitted"]["th"],
                              label_en=TIPSTER_STATUSES["submitted"]["en"], at=now))
    return Submitted(reference, receipt, "submitted")


def find_by_receipt(session: Session, receipt: str, hasher: receipts.ReceiptHasher) -> Tip | None:
    candidates = session.execute(
        select(Tip).where(Tip.receipt_locator == receipts.locator(receipt))).scalars().all()
    for tip in candidates:
        if hasher.verify(tip.receipt_hash, receipt):
            return tip
    return None
