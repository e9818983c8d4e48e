"""Taking a tip: store it sealed, with its hashed receipt and its files, and emit `tip.received` (and
`tip.attachments_received` when files came with it), all in one unit of work (`uow.repo`, `uow.emit`). Also: the
tipster's later messages, a new receipt for an old one, and reading sealed tips back (for Open311 and the CLI)."""
from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from services.intake import receipts
from services.intake.crypto import Keyring, is_encrypted_text
from services.intake.domain.attachments import CleanFile, metadata
from services.intake.domain.status import STATUS_RANK
from services.intake.domain.tip import facts_for_others, new_reference, reporter_identity
from services.intake.models import Attachment, Message, TimelineEntry, Tip
from shared.clock import utcnow
from shared.vocabulary import TIPSTER_STATUSES


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
    repo = uow.repo
    now = utcnow()
    facts = facts_for_others(tip)
    reporter = reporter_identity(tip)
    tip_id = str(uuid.uuid4())
    row = Tip(
        id=tip_id,
        reference=new_reference(),
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
    while not repo.add_tip(row):  # the reference was taken (rare): draw another
        row.reference = new_reference()
    reference = row.reference
    # the event's schema dumps the event date from a date (facts keep the ISO text for the sealed JSON copy)
    event = uow.emit("tip.received", {**facts, "event_date": tip.get("event_date"), "reference": reference,
                                      "tipster_id": row.tipster_id, "submitted_at": now},
                     correlation_id=reference, actor=actor)
    repo.add_timeline(TimelineEntry(tip_id=row.id, source_event_id=event.id, status="submitted",
                                    label_th=TIPSTER_STATUSES["submitted"]["th"],
                                    label_en=TIPSTER_STATUSES["submitted"]["en"], at=now))
    if files:
        stored = store_attachments(repo, keyring, row.id, files, now)
        uow.emit("tip.attachments_received", {
            "reference": reference, "tipster_id": row.tipster_id,
            "attachments": [metadata(a) for a in stored], "received_at": now,
        }, correlation_id=reference, causation=event, actor=actor)
    return Submitted(reference, receipt, "submitted", row.id)


def store_attachments(repo, keyring: Keyring, tip_id: str, files, now, message_id: str | None = None):
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
        stored.append(att)
    repo.add(*stored)
    return stored


def find_by_receipt(repo, receipt: str, key: receipts.ReceiptKey,
                    hasher: receipts.ReceiptHasher | None = None) -> Tip | None:
    """The tip whose receipt this is: one lookup by keyed hash. With `hasher` (only while receipts from before
    keyed hashes remain), a miss is then checked against those, at the cost of one argon2id verification
    whether or not the locator exists."""
    tip = repo.tip_by_receipt_mac(key.mac(receipt))
    if tip is not None or hasher is None:
        return tip
    candidates = repo.tips_with_old_receipt(receipts.locator(receipt))
    found = None
    for candidate in candidates or [None]:  # no candidate: the same work against a decoy
        if hasher.verify(candidate.receipt_hash if candidate is not None else None, receipt) and found is None:
            found = candidate
    return found


def upgrade_receipt(uow, tip: Tip, receipt: str, key: receipts.ReceiptKey) -> None:
    """A receipt from before keyed hashes has just worked: store its keyed hash, forget the locator and argon2id
    hash (compare-and-set: a concurrent new receipt wins)."""
    uow.repo.upgrade_receipt(tip.id, tip.receipt_hash, key.mac(receipt))


def add_message(uow, keyring: Keyring, tip: Tip, text: str, in_reply_to: str | None, files, actor: dict,
                message_id: str | None = None) -> dict:
    """Store what the tipster added (sealed) and send its content, without identity, to casework.

    `message_id`: a caller that may run twice for one message (the LINE bot) passes an id of its own, so the
    second insert fails instead of adding the message again."""
    repo = uow.repo
    now = utcnow()
    message_id = message_id or str(uuid.uuid4())
    repo.add(Message(id=message_id, tip_id=tip.id, in_reply_to=in_reply_to, created_at=now,
                     text_enc=keyring.encrypt_text(text, aad("intake_messages.text_enc", message_id))))
    stored = store_attachments(repo, keyring, tip.id, files, now, message_id=message_id) if files else []
    if in_reply_to:
        repo.mark_answered(in_reply_to, tip.id, now)
    uow.emit("tip.message_added", {
        "reference": tip.reference, "tipster_id": tip.tipster_id, "message_id": message_id,
        "in_reply_to": in_reply_to, "text": text, "attachments": [metadata(a) for a in stored], "added_at": now,
    }, correlation_id=tip.reference, actor=actor)
    return {"message_id": message_id, "attachments": len(stored), "status": "sent"}


def replace_receipt(uow, tip: Tip, old_mac: str, new_mac: str) -> bool:
    """Swap the receipt; False if it was changed meanwhile (two requests raced): the caller answers 404."""
    now = utcnow()
    if not uow.repo.replace_receipt(tip.id, old_mac, new_mac):
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
