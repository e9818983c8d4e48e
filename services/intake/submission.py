"""Taking a tip: store it sealed, with its hashed receipt and its files, and emit `tip.received` (and
`tip.attachments_received` when files came with it), all in one transaction. Also: the tipster's later
messages, a new receipt for an old one, and reading sealed tips back (for Open311 and the CLI)."""
from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.intake import receipts
from services.intake.attachments import CleanFile, metadata
from services.intake.crypto import Keyring, is_encrypted_text
from services.intake.models import Attachment, Message, Question, TimelineEntry, Tip
from services.intake.schemas import facts_for_others, reporter_identity
from shared.clock import utcnow
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
    tip_id: str


def aad(table_column: str, row_id: str) -> str:
    return f"{table_column}:{row_id}"


def submit_tip(uow, tip: dict, receipt_mac: str, receipt: str, actor: dict, keyring: Keyring,
               files: list[CleanFile] = (), *, partner_id: str | None = None,
               receipt_shared: bool = False) -> Submitted:
    """`tip` is TipSchema-validated; `receipt_mac` is the receipt's keyed hash (services.intake.receipts)."""
    session: Session = uow.session
    now = utcnow()
    reference = new_reference()
    while session.execute(select(Tip.id).where(Tip.reference == reference)).first():
        reference = new_reference()
    facts = facts_for_others(tip)
    reporter = reporter_identity(tip)
    tip_id = str(uuid.uuid4())
    row = Tip(
        id=tip_id,
        reference=reference,
        receipt_mac=receipt_mac,
        tipster_id="tp_" + secrets.token_hex(8),
        channel=facts["channel"],
        language=facts["language"],
        category=facts["category"],
        province_code=facts["location"]["province_code"],
        facts_json=keyring.encrypt_text(json.dumps(facts, ensure_ascii=False), aad("intake_tips.facts_json", tip_id)),
        reporter_json=(keyring.encrypt_text(json.dumps(reporter, ensure_ascii=False),
                                            aad("intake_tips.reporter_json", tip_id)) if reporter else None),
        submitted_at=now,
        status="submitted",
        status_rank=STATUS_RANK["submitted"],
        updated_at=now,
        volunteer_id=facts.get("volunteer_id"),
        partner_id=partner_id,
        receipt_shared=receipt_shared,
    )
    session.add(row)
    session.flush()
    # the event's schema dumps the event date from a date (facts keep the ISO text for the sealed JSON copy)
    event = uow.emit("tip.received", {**facts, "event_date": tip.get("event_date"), "reference": reference,
                                      "tipster_id": row.tipster_id, "submitted_at": now},
                     correlation_id=reference, actor=actor)
    session.add(TimelineEntry(tip_id=row.id, source_event_id=event.id, status="submitted",
                              label_th=TIPSTER_STATUSES["submitted"]["th"],
                              label_en=TIPSTER_STATUSES["submitted"]["en"], at=now))
    if files:
        stored = store_attachments(session, keyring, row.id, files, now)
        uow.emit("tip.attachments_received", {
            "reference": reference, "tipster_id": row.tipster_id,
            "attachments": [metadata(a) for a in stored], "received_at": now,
        }, correlation_id=reference, causation=event, actor=actor)
    return Submitted(reference, receipt, "submitted", row.id)


def store_attachments(session, keyring: Keyring, tip_id: str, files, now, message_id: str | None = None):
    stored = []
    for f in files:
        att_id = str(uuid.uuid4())
        att = Attachment(
            id=att_id, tip_id=tip_id, message_id=message_id, media_type=f.media_type, size=len(f.data),
            sha256=f.sha256,
            filename_enc=(keyring.encrypt_text(f.filename, aad("intake_attachments.filename_enc", att_id))
                          if f.filename else None),
            content=keyring.encrypt(f.data, aad("intake_attachments.content", att_id)),
            created_at=now,
        )
        session.add(att)
        stored.append(att)
    session.flush()
    return stored


def find_by_receipt(session: Session, receipt: str, key: receipts.ReceiptKey,
                    hasher: receipts.ReceiptHasher | None = None) -> Tip | None:
    """The tip whose receipt this is: one lookup by keyed hash. With `hasher` (only while receipts from before
    keyed hashes remain), a miss is then checked against those, at the cost of one argon2id verification
    whether or not the locator exists."""
    tip = session.execute(select(Tip).where(Tip.receipt_mac == key.mac(receipt))).scalar_one_or_none()
    if tip is not None or hasher is None:
        return tip
    candidates = session.execute(select(Tip).where(Tip.receipt_mac.is_(None),
                                                   Tip.receipt_locator == receipts.locator(receipt))
                                 ).scalars().all()
    found = None
    for candidate in candidates or [None]:  # no candidate: the same work against a decoy
        if hasher.verify(candidate.receipt_hash if candidate is not None else None, receipt) and found is None:
            found = candidate
    return found


def upgrade_receipt(uow, tip: Tip, receipt: str, key: receipts.ReceiptKey) -> None:
    """A receipt from before keyed hashes has just worked: store its keyed hash, forget the locator and argon2id
    hash (compare-and-set: a concurrent new receipt wins)."""
    uow.session.execute(update(Tip).where(Tip.id == tip.id, Tip.receipt_mac.is_(None),
                                          Tip.receipt_hash == tip.receipt_hash)
                        .values(receipt_mac=key.mac(receipt), receipt_locator=None, receipt_hash=None))


def has_old_receipts(session: Session) -> bool:
    return session.execute(select(Tip.id).where(Tip.receipt_mac.is_(None)).limit(1)).first() is not None


def add_message(uow, keyring: Keyring, tip: Tip, text: str, in_reply_to: str | None, files, actor: dict,
                message_id: str | None = None) -> dict:
    """Store what the tipster added (sealed) and send its content, without identity, to casework.

    `message_id`: a caller that may run twice for one message (the LINE bot) passes an id of its own, so the
    second insert fails instead of adding the message again."""
    session = uow.session
    now = utcnow()
    message_id = message_id or str(uuid.uuid4())
    session.add(Message(id=message_id, tip_id=tip.id, in_reply_to=in_reply_to, created_at=now,
                        text_enc=keyring.encrypt_text(text, aad("intake_messages.text_enc", message_id))))
    session.flush()
    stored = store_attachments(session, keyring, tip.id, files, now, message_id=message_id) if files else []
    if in_reply_to:
        session.execute(update(Question).where(Question.id == in_reply_to, Question.tip_id == tip.id,
                                               Question.answered_at.is_(None)).values(answered_at=now))
    uow.emit("tip.message_added", {
        "reference": tip.reference, "tipster_id": tip.tipster_id, "message_id": message_id,
        "in_reply_to": in_reply_to, "text": text, "attachments": [metadata(a) for a in stored], "added_at": now,
    }, correlation_id=tip.reference, actor=actor)
    return {"message_id": message_id, "attachments": len(stored), "status": "sent"}


def replace_receipt(uow, tip: Tip, old_mac: str, new_mac: str) -> bool:
    """Swap the receipt; False if it was changed meanwhile (two requests raced): the caller answers 404."""
    now = utcnow()
    result = uow.session.execute(update(Tip).where(Tip.id == tip.id, Tip.receipt_mac == old_mac).values(
        receipt_mac=new_mac, receipt_locator=None, receipt_hash=None, receipt_shared=False))
    if result.rowcount != 1:
        return False
    uow.emit("tip.receipt_replaced", {"reference": tip.reference, "replaced_at": now},
             correlation_id=tip.reference, actor={"kind": "tipster", "id": tip.tipster_id})
    return True


def facts_of(keyring: Keyring, tip: Tip) -> dict:
    value = tip.facts_json
    if is_encrypted_text(value):
        value = keyring.decrypt_text(value, aad("intake_tips.facts_json", tip.id))
    return json.loads(value)


def reporter_of(keyring: Keyring, tip: Tip) -> dict | None:
    value = tip.reporter_json
    if value is None:
        return None
    if is_encrypted_text(value):
        value = keyring.decrypt_text(value, aad("intake_tips.reporter_json", tip.id))
    return json.loads(value)
