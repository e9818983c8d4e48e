"""Intake's application: the use cases the HTTP API, the web pages, Open311 and the LINE bot all call.

Nothing here knows about nameko or HTTP requests; the caller passes parsed input and the client's address
(used only for the per-client limits, as a keyed hash). Refusals are domain exceptions (domain/errors.py); each
channel answers them in its own way (web/errors.py for HTTP). Data is reached through the repository, in a unit
of work (`uow.repo`, `uow.emit`) or a read (`db.repository(session)`).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import time

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from services.intake import receipts
from services.intake.crypto import Keyring
from services.intake.domain import attachments, filing_limit, idempotency, receipt_guard
from services.intake.domain.callers import PUBLIC, Caller, check_caller, staff_caller, volunteer_caller
from services.intake.domain.errors import (FilingTicketInvalid, PartnerUnauthorized, ReceiptUnknown, ValidationFailed,
                                           VolunteerUnauthorized)
from services.intake.domain.tip import MessageSchema, TipSchema
from services.intake.usecases import conversation, credentials, projection, statistics, submission
from services.intake.usecases import idempotency as replies
from shared import filing_tickets, i18n
from shared.clock import utcnow
from shared.logging import get_logger

log = get_logger(__name__)


def validation_error(exc: ValidationError) -> ValidationFailed:
    return ValidationFailed(fields=i18n.field_errors(exc.messages))


_TIP_SCHEMA = TipSchema()  # made once: a schema holds no state between loads

class IntakeApp:
    def __init__(self, db, hasher: receipts.ReceiptHasher, keyring: Keyring, config: dict):
        self.db = db
        self.hasher = hasher
        self.keyring = keyring
        self.limits = attachments.limits(config)
        self.max_json_bytes = int(config["intake"]["max_body_bytes"])
        self.receipt_key = receipts.load_key(config)
        self.config = config
        self.guard = receipt_guard.ReceiptGuard(receipt_guard.settings(config))
        self.filing = filing_limit.FilingLimiter(filing_limit.settings(config))
        self._old_receipts = None  # receipts from before keyed hashes remain (checked now and then)
        self._old_receipts_checked = 0.0
        self._statistics: tuple[float, dict] | None = None  # (when worked out, the public statistics)

    @contextlib.contextmanager
    def reading(self):
        """The repository over a read-only session."""
        with self.db.reading() as session:
            yield self.db.repository(session)

    # -- filing ----------------------------------------------------------------------------------------------
    def file_tip(self, data: dict, uploads=(), *, caller: Caller = PUBLIC,
                 idempotency_key: str | None = None, client: str | None = None) -> tuple[int, dict, bool]:
        """(status, body, replayed). Validates everything before storing anything. Anonymous filing is limited
        per client (`client`, the address: services.intake.domain.filing_limit); a replay never counts."""
        if caller.counted:
            self.filing.check(client)
        data = dict(data)
        data.setdefault("channel", caller.default_channel)
        try:
            tip = _TIP_SCHEMA.load(data)
        except ValidationError as exc:
            raise validation_error(exc)
        check_caller(tip, caller)
        files = attachments.clean(list(uploads), self.limits)
        fp = khash = None
        if idempotency_key is not None:
            fp = idempotency.fingerprint(data, [hashlib.sha256(u.data).hexdigest() for u in uploads])
            khash = idempotency.key_hash(caller.scope, idempotency_key)
            replayed = self._replay(khash, fp)
            if replayed is not None:
                return (*replayed, True)
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
                    replies.remember(uow, self.keyring, khash, fp, 201, body)
        except IntegrityError:
            replayed = self._replay(khash, fp) if khash is not None else None  # a concurrent twin won the race
            if replayed is None:
                raise
            return (*replayed, True)
        if caller.counted:
            self.filing.filed(client)
        log.info("tip.accepted", correlation_id=done.reference, category=tip["category"], channel=tip["channel"],
                 attachments=len(files))
        return 201, body, False

    def _replay(self, khash: str, fp: str) -> tuple[int, dict] | None:
        """The first answer to this key (IdempotencyConflict for another request), or None."""
        with self.reading() as repo:
            stored = replies.lookup(repo, self.keyring, khash)
        return idempotency.replay(stored, fp) if stored is not None else None

    # -- the tipster, with a receipt -----------------------------------------------------------------------------
    def tip_for_receipt(self, raw_receipt: str | None, client: str | None):
        """The tip this receipt opens (detached from its session), counted by the receipt guard."""
        with self.reading() as repo:
            return self._tip_for_receipt(repo, raw_receipt, client)

    def _tip_for_receipt(self, repo, raw_receipt: str | None, client: str | None):
        attempt = self.guard.admit(client)
        receipt = receipts.normalise(raw_receipt)
        tip = None
        if receipt:
            old = self._has_old_receipts(repo)
            tip = submission.find_by_receipt(repo, receipt, self.receipt_key, self.hasher if old else None)
        if tip is None:
            raise self.guard.failed(attempt)
        repo.detach(tip)  # stays readable after the read-only session ends
        if tip.receipt_mac is None:  # an old receipt that just worked: from now on found by its keyed hash
            repo.end_read()  # end the read before writing (SQLite: one writer at a time)
            with self.db.transaction() as uow:
                submission.upgrade_receipt(uow, tip, receipt, self.receipt_key)
            tip.receipt_mac = self.receipt_key.mac(receipt)
            self._old_receipts_checked = 0.0
        return tip

    def _has_old_receipts(self, repo) -> bool:
        """Whether receipts from before keyed hashes remain (asked at most once a minute; once none remain,
        none can come back, so the answer is then kept)."""
        if self._old_receipts is False:
            return False
        now = time.monotonic()
        if self._old_receipts is None or now - self._old_receipts_checked > 60:
            self._old_receipts = repo.has_old_receipts()
            self._old_receipts_checked = now
        return self._old_receipts

    def public_statistics(self) -> dict:
        """The public statistics (usecases/statistics.py), worked out at most once a minute per instance: the page
        needs no sign-in, so a flood of requests costs one query a minute."""
        now = time.monotonic()
        cached = self._statistics
        if cached is None or now - cached[0] > 60:
            with self.reading() as repo:
                cached = self._statistics = (now, statistics.public_statistics(repo.statistics_rows(), utcnow()))
        return cached[1]

    def status(self, raw_receipt: str | None, client: str | None) -> dict:
        with self.reading() as repo:
            tip = self._tip_for_receipt(repo, raw_receipt, client)
            return self.tipster_view(repo, tip)

    def tipster_view(self, repo, tip) -> dict:
        """What the tipster sees with the receipt: the status and the whole thread with the office."""
        view = projection.status_view(repo, tip, self.keyring)
        view["messages"] = conversation.thread(repo, self.keyring, tip)
        return view

    def add_message(self, raw_receipt: str | None, client: str | None, data: dict, uploads=()) -> dict:
        with self.reading() as repo:
            tip = self._tip_for_receipt(repo, raw_receipt, client)
            stored_bytes = repo.stored_bytes(tip.id)
            question_ids = repo.question_ids(tip.id)
        try:
            message = MessageSchema().load(data)
        except ValidationError as exc:
            raise validation_error(exc)
        if not message["text"].strip() and not uploads:
            raise ValidationFailed(fields={"text": [i18n.message("message.empty")]})
        if message["in_reply_to"] is not None and message["in_reply_to"] not in question_ids:
            raise ValidationFailed(fields={"in_reply_to": [i18n.message("message.unknown_question")]})
        remaining = dict(self.limits, max_tip_bytes=max(0, int(self.limits["max_tip_bytes"]) - int(stored_bytes)))
        files = attachments.clean(list(uploads), remaining)
        with self.db.transaction() as uow:
            result = submission.add_message(uow, self.keyring, tip, message["text"], message["in_reply_to"], files,
                                            actor={"kind": "tipster", "id": tip.tipster_id})
        log.info("tip.message_added", correlation_id=tip.reference, attachments=len(files))
        return result

    def new_receipt(self, raw_receipt: str | None, client: str | None) -> dict:
        tip = self.tip_for_receipt(raw_receipt, client)
        fresh = receipts.new_receipt()
        with self.db.transaction() as uow:
            replaced = submission.replace_receipt(uow, tip, tip.receipt_mac, self.receipt_key.mac(fresh))
        if not replaced:
            raise ReceiptUnknown()
        log.info("tip.receipt_replaced", correlation_id=tip.reference)
        return {"reference": tip.reference, "receipt": fresh, "message": i18n.message("receipt.replaced")}

    # -- volunteers and partners -----------------------------------------------------------------------------------
    def volunteer(self, authorization: str | None):
        token = None
        if authorization and authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        with self.reading() as repo:
            volunteer = credentials.volunteer_for_token(repo, token)
            if volunteer is not None:
                repo.detach(volunteer)
        if volunteer is None:
            raise VolunteerUnauthorized()
        return volunteer

    def ticket_caller(self, token: str | None) -> Caller:
        """Who files with the desk's ticket (shared/filing_tickets.py): a staff member for their office, or a
        volunteer still active in intake's own registry (their area comes from it, never from the ticket)."""
        ticket = filing_tickets.verify(filing_tickets.ticket_key(self.config), token)
        if ticket is None:
            raise FilingTicketInvalid()
        if ticket.kind == "staff":
            return staff_caller(str(ticket.office), ticket.user)
        with self.reading() as repo:
            volunteer = repo.volunteer(ticket.volunteer)
            if volunteer is not None:
                repo.detach(volunteer)
        if volunteer is None or volunteer.disabled_at is not None:
            raise FilingTicketInvalid()
        return volunteer_caller(volunteer)

    def volunteer_tips(self, volunteer) -> dict:
        with self.reading() as repo:
            tips = repo.tips_filed_by_volunteer(volunteer.id)
            return {"volunteer_id": volunteer.id, "tips": [projection.volunteer_view(t) for t in tips]}

    def partner(self, api_key: str | None) -> str:
        """The Open311 partner this API key belongs to (its id)."""
        with self.reading() as repo:
            partner = credentials.partner_for_key(repo, api_key)
            if partner is None:
                raise PartnerUnauthorized()
            return partner.id

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
