"""The one table from intake's domain exceptions (domain/errors.py) to HTTP: each refusal's status and message key.

The key is the exception's own (`exc.key`, shared with the LINE bot's replies); the body is shared.web's bilingual
error body, with the exception's fields and detail (a Retry-After for the 429s).
"""
from __future__ import annotations

from services.intake.domain import errors
from shared.web import ApiError

HTTP_STATUS: dict[type[errors.IntakeError], int] = {
    errors.ValidationFailed: 400,
    errors.InvalidIdempotencyKey: 400,
    errors.EmptyAttachment: 400,
    errors.Open311LocationRequired: 400,
    errors.Open311PointIsNotAPlace: 400,
    errors.VolunteerUnauthorized: 401,
    errors.FilingTicketInvalid: 401,
    errors.VolunteerIdMismatch: 403,
    errors.OutsideVolunteerArea: 403,
    errors.PartnerUnauthorized: 403,
    errors.ReceiptUnknown: 404,
    errors.EvidenceRefused: 404,
    errors.UnknownOpen311Service: 404,
    errors.UnknownOpen311Request: 404,
    errors.IdempotencyConflict: 409,
    errors.AttachmentTooLarge: 413,
    errors.AttachmentsTooLarge: 413,
    errors.TooManyAttachments: 413,
    errors.UnsupportedAttachment: 415,
    errors.UnreadableImage: 415,
    errors.TooManyTips: 429,
    errors.TooManyReceiptAttempts: 429,
    errors.ServiceBusy: 503,
}


def status_of(exc: errors.IntakeError) -> int:
    return HTTP_STATUS[type(exc)]


def as_api_error(exc: Exception) -> ApiError | None:
    """The HTTP answer to a refusal (an ApiError passes as it is); None for anything else."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, errors.IntakeError):
        return ApiError(status_of(exc), exc.key, exc.fields, **exc.detail)
    return None
