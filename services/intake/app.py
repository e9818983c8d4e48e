"""Intake's use cases as plain Python: what the HTTP entrypoints, the web pages and Open311 all call.

Nothing here knows about nameko or HTTP requests; the caller passes parsed input and the client's address
(used only for the receipt guard, as a keyed hash).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.intake import (accounts, attachments, conversation, filing, guard, idempotency, projection,
                             receipts, submission)
from services.intake.crypto import Keyring
from services.intake.edge import client_settings as edge_clients
from services.intake.models import Attachment, Question
from services.intake.schemas import MessageSchema, TipSchema
from shared import i18n
from shared.clock import iso_utc
from shared.logging import get_logger
from shared.web import ApiError

log = get_logger(__name__)


@dataclass(frozen=True)
class Caller:
    """Who is filing: the public (anonymous), a volunteer (with token), or an Open311 partner (with key)."""
    scope: str
    actor: dict
    volunteer: object | None = None
    partner_id: str | None = None
    default_channel: str = "web"
    reserved_channels: tuple = field(default=("volunteer", "open311"))

    @property
    def shares_receipt(self) -> bool:
        return self.volunteer is not None or self.partner_id is not None


PUBLIC = Caller(scope="public", actor={"kind": "tipster", "id": "anonymous"})


def volunteer_caller(volunteer) -> Caller:
    return Caller(scope=f"volunteer:{volunteer.id}", actor={"kind": "volunteer", "id": volunteer.id},
                  volunteer=volunteer, default_channel="volunteer", reserved_channels=("open311",))


def partner_caller(partner_id: str) -> Caller:
    return Caller(scope=f"partner:{partner_id}", actor={"kind": "partner", "id": partner_id},
                  partner_id=partner_id, default_channel="open311", reserved_channels=("volunteer",))


def validation_error(exc: ValidationError) -> ApiError:
    return ApiError(400, "request.validation_failed", fields=i18n.field_errors(exc.messages))


class IntakeApp:
    def __init__(self, db, hasher: receipts.ReceiptHasher, keyring: Keyring, config: dict):
        self.db = db
        self.hasher = hasher
        self.keyring = keyring
        self.limits = attachments.limits(config)
        self.max_json_bytes = int(config["intake"]["max_body_bytes"])
        self.receipt_key = receipts.load_key(config)
        self.clients = edge_clients(config)
        self.config = config
        self.guard = guard.ReceiptGuard(guard.settings(config))
        self.filing = filing.FilingLimiter(filing.settings(config))
        self._old_receipts = None  # receipts from before keyed hashes remain (checked now and then)
        self._old_receipts_checked = 0.0

    # -- filing ----------------------------------------------------------------------------------------------
    def file_tip(self, data: dict, uploads=(), *, caller: Caller = PUBLIC,
                 idempotency_key: str | None = None, client: str | None = None) -> tuple[int, dict, bool]:
        """(status, body, replayed). Validates everything before storing anything. Anonymous filing is limited
        per client (`client`, the address: services.intake.filing); a replay never counts."""
        limited = caller.volunteer is None and caller.partner_id is None
        if limited:
            self.filing.check(client)
        data = dict(data)
        data.setdefault("channel", caller.default_channel)
        try:
            tip = TipSchema().load(data)
        except ValidationError as exc:
            raise validation_error(exc)
        self._check_caller(tip, caller)
        files = attachments.clean(list(uploads), self.limits)
        fp = khash = None
        if idempotency_key is not None:
            fp = idempotency.fingerprint(data, [hashlib.sha256(u.data).hexdigest() for u in uploads])
            khash = idempotency.key_hash(caller.scope, idempotency_key)
            with self.db.reading() as session:
                stored = idempotency.lookup(session, self.keyring, khash)
            if stored is not None:
                status, body = idempotency.replay(stored, fp)
                return status, body, True
        receipt = receipts.new_receipt()
        receipt_mac = self.receipt_key.mac(receipt)
        try:
            with self.db.transaction() as uow:
                done = submission.submit_tip(uow, tip, receipt_mac, receipt, caller.actor, self.keyring, files,
                                             partner_id=caller.partner_id, receipt_shared=caller.shares_receipt)
                body = {"reference": done.reference, "receipt": done.receipt, "status": done.status}
                if caller.shares_receipt:
                    body["receipt_change_recommended"] = True
                if khash is not None:
                    idempotency.remember(uow.session, self.keyring, khash, fp, 201, body)
        except IntegrityError:
            if khash is None:
                raise
            with self.db.reading() as session:  # a concurrent request with the same key won the race
                stored = idempotency.lookup(session, self.keyring, khash)
            if stored is None:
                raise
            status, body = idempotency.replay(stored, fp)
            return status, body, True
        if limited:
            self.filing.filed(client)
        log.info("tip.accepted", correlation_id=done.reference, category=tip["category"], channel=tip["channel"],
                 attachments=len(files))
        return 201, body, False

    def _check_caller(self, tip: dict, caller: Caller) -> None:
        if tip["channel"] in caller.reserved_channels:
            if tip["channel"] == "volunteer" and caller.volunteer is None:
                raise ApiError(401, "volunteer.unauthorized")
            raise ApiError(400, "request.validation_failed", fields={"channel": [i18n.message("field.not_one_of")]})
        if caller.volunteer is None:
            if tip.get("volunteer_id"):
                raise ApiError(401, "volunteer.unauthorized")
            return
        if tip.get("volunteer_id") not in (None, caller.volunteer.id):
            raise ApiError(403, "volunteer.id_mismatch")
        tip["volunteer_id"] = caller.volunteer.id
        if not accounts.covers(caller.volunteer, tip["location"]):
            raise ApiError(403, "volunteer.outside_area")

    # -- the tipster, with a receipt -----------------------------------------------------------------------------
    def _tip_for_receipt(self, session, raw_receipt: str | None, client: str | None):
        attempt = self.guard.admit(client)
        receipt = receipts.normalise(raw_receipt)
        tip = None
        if receipt:
            old = self._has_old_receipts(session)
            tip = submission.find_by_receipt(session, receipt, self.receipt_key, self.hasher if old else None)
        if tip is None:
            raise self.guard.failed(attempt)
        session.expunge(tip)  # stays readable after the read-only session ends
        if tip.receipt_mac is None:  # an old receipt that just worked: from now on found by its keyed hash
            session.rollback()  # end the read before writing (SQLite: one writer at a time)
            with self.db.transaction() as uow:
                submission.upgrade_receipt(uow, tip, receipt, self.receipt_key)
            tip.receipt_mac = self.receipt_key.mac(receipt)
            self._old_receipts_checked = 0.0
        return tip, receipt

    def _has_old_receipts(self, session) -> bool:
        """Whether receipts from before keyed hashes remain (asked at most once a minute; once none remain,
        none can come back, so the answer is then kept)."""
        if self._old_receipts is False:
            return False
        now = time.monotonic()
        if self._old_receipts is None or now - self._old_receipts_checked > 60:
            self._old_receipts = submission.has_old_receipts(session)
            self._old_receipts_checked = now
        return self._old_receipts

    def status(self, raw_receipt: str | None, client: str | None) -> dict:
        with self.db.reading() as session:
            tip, _ = self._tip_for_receipt(session, raw_receipt, client)
            view = projection.status_view(session, tip, self.keyring)
            view["messages"] = conversation.thread(session, self.keyring, tip)
            return view

    def add_message(self, raw_receipt: str | None, client: str | None, data: dict, uploads=()) -> dict:
        with self.db.reading() as session:
            tip, _ = self._tip_for_receipt(session, raw_receipt, client)
            stored_bytes = session.execute(select(func.coalesce(func.sum(Attachment.size), 0))
                                           .where(Attachment.tip_id == tip.id)).scalar()
            question_ids = set(session.execute(select(Question.id).where(Question.tip_id == tip.id)).scalars())
        try:
            message = MessageSchema().load(data)
        except ValidationError as exc:
            raise validation_error(exc)
        if not message["text"].strip() and not uploads:
            raise ApiError(400, "request.validation_failed", fields={"text": [i18n.message("message.empty")]})
        if message["in_reply_to"] is not None and message["in_reply_to"] not in question_ids:
            raise ApiError(400, "request.validation_failed",
                           fields={"in_reply_to": [i18n.message("message.unknown_question")]})
        remaining = dict(self.limits, max_tip_bytes=max(0, int(self.limits["max_tip_bytes"]) - int(stored_bytes)))
        files = attachments.clean(list(uploads), remaining)
        with self.db.transaction() as uow:
            result = submission.add_message(uow, self.keyring, tip, message["text"], message["in_reply_to"], files,
                                            actor={"kind": "tipster", "id": tip.tipster_id})
        log.info("tip.message_added", correlation_id=tip.reference, attachments=len(files))
        return result

    def new_receipt(self, raw_receipt: str | None, client: str | None) -> dict:
        with self.db.reading() as session:
            tip, _ = self._tip_for_receipt(session, raw_receipt, client)
        fresh = receipts.new_receipt()
        with self.db.transaction() as uow:
            replaced = submission.replace_receipt(uow, tip, tip.receipt_mac, self.receipt_key.mac(fresh))
        if not replaced:
            raise ApiError(404, "receipt.unknown")
        log.info("tip.receipt_replaced", correlation_id=tip.reference)
        return {"reference": tip.reference, "receipt": fresh, "message": i18n.message("receipt.replaced")}

    # -- volunteers ----------------------------------------------------------------------------------------------
    def volunteer(self, authorization: str | None):
        token = None
        if authorization and authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        with self.db.reading() as session:
            volunteer = accounts.volunteer_for_token(session, token)
            if volunteer is not None:
                session.expunge(volunteer)
        if volunteer is None:
            raise ApiError(401, "volunteer.unauthorized")
        return volunteer

    def volunteer_tips(self, volunteer) -> dict:
        with self.db.reading() as session:
            tips = accounts.tips_filed_by(session, volunteer.id)
            return {"volunteer_id": volunteer.id, "tips": [projection.volunteer_view(t) for t in tips]}

    # -- proof of filing (no content, no receipt) ------------------------------------------------------------------
    def proof_code(self, reference: str, submitted_at: str, kid: str | None = None) -> str:
        kid = kid or self.keyring.current
        mac = hmac.new(self.keyring.derive("proof-of-filing", kid), f"{reference}|{submitted_at}".encode(),
                       hashlib.sha256).hexdigest()[:20].upper()
        return f"{kid}-{mac}"

    def proof_is_valid(self, reference: str, submitted_at: str, code: str) -> bool:
        kid, _, _ = (code or "").rpartition("-")
        if kid not in self.keyring.keys:
            return False
        return hmac.compare_digest(self.proof_code(reference, submitted_at, kid), code)


def iso(value) -> str:
    return iso_utc(value)
