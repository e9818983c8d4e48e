"""What intake refuses, and why, as plain exceptions: raised by the domain and the use cases, answered by each
channel in its own way (web/errors.py maps them to HTTP statuses; the LINE bot turns them into chat replies).

`key` names the message in the catalogue (Thai first, English second) that tells the person why; `fields` holds
per-field problems (already in words), `detail` the values the message needs (a limit, a wait).
"""
from __future__ import annotations


class IntakeError(Exception):
    key = "request.invalid"

    def __init__(self, fields: dict | None = None, **detail):
        super().__init__(self.key)
        self.fields = fields
        self.detail = detail


class ValidationFailed(IntakeError):
    key = "request.validation_failed"


class InvalidIdempotencyKey(IntakeError):
    key = "idempotency.invalid_key"


class IdempotencyConflict(IntakeError):
    """The same Idempotency-Key came with a different request."""
    key = "idempotency.conflict"


class TooManyTips(IntakeError):
    """Anonymous filing from one client is over its limit (detail: retry_after_seconds)."""
    key = "tip.too_many"


class ServiceBusy(IntakeError):
    """No database connection could be had in time (the database is full or away): nothing was stored, the
    request may be sent again (detail: retry_after_seconds)."""
    key = "service.busy"


class ReceiptUnknown(IntakeError):
    """Wrong, unknown, malformed or replaced meanwhile: always the same answer."""
    key = "receipt.unknown"


class TooManyReceiptAttempts(IntakeError):
    """A client that guessed too often is throttled (detail: retry_after_seconds)."""
    key = "receipt.too_many_attempts"


class VolunteerUnauthorized(IntakeError):
    key = "volunteer.unauthorized"


class FilingTicketInvalid(IntakeError):
    """The desk's ticket for filing on someone's behalf is missing, altered, expired, or names a volunteer who is
    no longer registered."""
    key = "filing.ticket_invalid"


class VolunteerIdMismatch(IntakeError):
    key = "volunteer.id_mismatch"


class OutsideVolunteerArea(IntakeError):
    key = "volunteer.outside_area"


class PartnerUnauthorized(IntakeError):
    key = "partner.unauthorized"


class EmptyAttachment(IntakeError):
    key = "attachment.empty"


class AttachmentTooLarge(IntakeError):
    key = "attachment.too_large"


class AttachmentsTooLarge(IntakeError):
    """All the files of one tip together are over the limit."""
    key = "attachment.total_too_large"


class TooManyAttachments(IntakeError):
    key = "attachment.too_many"


class UnsupportedAttachment(IntakeError):
    key = "attachment.unsupported_type"


class UnreadableImage(IntakeError):
    """Not an image Pillow can read, or one too costly to decode (a decompression bomb)."""
    key = "attachment.unreadable_image"


class UnknownOpen311Service(IntakeError):
    key = "open311.unknown_service"


class UnknownOpen311Request(IntakeError):
    """Not a request this partner filed (or none at all)."""
    key = "open311.unknown_request"


class Open311LocationRequired(IntakeError):
    key = "open311.location_required"


class Open311PointIsNotAPlace(IntakeError):
    """Coordinates came without a DOPA code: no package ships the subdistricts' boundaries to place them."""
    key = "open311.point_is_not_a_place"


class EvidenceRefused(IntakeError):
    """The link is forged, expired, for another office or for a file the tip does not have."""
    key = "request.not_found"


class CredentialError(ValueError):
    """A volunteer or partner account cannot be made or changed as asked (said to the operator, in English)."""
