"""The OpenAPI 3 document of intake's API, generated from the marshmallow schemas (apispec): the tip model
(domain/tip.py) for requests, the response schemas below (documentation only)."""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from services.intake.domain import tip
from services.intake.domain.attachments import ACCEPTED
from shared.vocabulary import TIPSTER_STATUSES

class Bilingual(Schema):
    th = fields.String(required=True)
    en = fields.String(required=True)


class TipCreated(Schema):
    reference = fields.String(required=True, metadata={"example": "SS-7KQ2-M9XD"})
    receipt = fields.String(required=True, metadata={
        "description": "16 digits, shown once: the only way to follow the tip. Never sent again except to a "
                       "retry with the same Idempotency-Key within 24 hours"})
    status = fields.String(required=True, validate=validate.OneOf(list(TIPSTER_STATUSES)))
    receipt_change_recommended = fields.Boolean(metadata={
        "description": "Present when someone other than the tipster (a volunteer, a partner) saw the receipt"})


class Agency(Schema):
    code = fields.String()
    name_th = fields.String()
    name_en = fields.String()


class ClosureReason(Schema):
    th = fields.String()
    en = fields.String(allow_none=True)


class Closure(Schema):
    resolution = fields.String(metadata={"description": "The outcome's code, e.g. unsubstantiated"})
    resolution_label = fields.Nested(Bilingual)
    reason = fields.Nested(ClosureReason, metadata={"description": "Why, as the office wrote it for the tipster"})


class TimelineItem(Schema):
    status = fields.String()
    label = fields.Nested(Bilingual)
    at = fields.String(metadata={"format": "date-time"})


class QuestionView(Schema):
    question_id = fields.String()
    text = fields.String()
    text_en = fields.String(allow_none=True)
    asked_at = fields.String(metadata={"format": "date-time"})
    answered = fields.Boolean()


class ThreadFile(Schema):
    id = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    filename = fields.String(allow_none=True)


class ThreadItem(Schema):
    from_ = fields.String(data_key="from", validate=validate.OneOf(["office", "tipster"]))
    kind = fields.String(validate=validate.OneOf(["files", "message", "answer", "question", "note"]))
    text = fields.String()
    at = fields.String(metadata={"format": "date-time"})
    in_reply_to = fields.String(allow_none=True)
    question_id = fields.String()
    answered = fields.Boolean()
    attachments = fields.List(fields.Nested(ThreadFile))


class StatusView(Schema):
    reference = fields.String()
    status = fields.String()
    status_label = fields.Nested(Bilingual, allow_none=True)
    agency = fields.Nested(Agency, allow_none=True)
    closure = fields.Nested(Closure, allow_none=True, metadata={"description": "Set while the case is closed"})
    timeline = fields.List(fields.Nested(TimelineItem))
    questions = fields.List(fields.Nested(QuestionView))
    messages_sent = fields.Integer()
    receipt_change_recommended = fields.Boolean()
    messages = fields.List(fields.Nested(ThreadItem), metadata={
        "description": "The whole conversation, oldest first: the tipster's files and messages, the office's "
                       "questions and its notes for the tipster (never an internal note)"})


class MessageAccepted(Schema):
    message_id = fields.String()
    attachments = fields.Integer()
    status = fields.String()


class ReceiptReplaced(Schema):
    reference = fields.String()
    receipt = fields.String()
    message = fields.Nested(Bilingual)


class VolunteerTip(Schema):
    reference = fields.String()
    status = fields.String()
    status_label = fields.Nested(Bilingual)
    agency = fields.Nested(Agency, allow_none=True)
    submitted_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})


class VolunteerTips(Schema):
    volunteer_id = fields.String()
    tips = fields.List(fields.Nested(VolunteerTip))


class FieldMessage(Schema):
    th = fields.String()
    en = fields.String()


class Error(Schema):
    error = fields.Dict(metadata={"description": "{code, message: {th, en}}"})
    field_errors = fields.Dict(data_key="fields", keys=fields.String(),
                               values=fields.List(fields.Nested(FieldMessage)), metadata={"description": "dotted field path -> messages in Thai and English"})


ERRORS = {
    400: "Bad input: `error` says what, `fields` which field, both in Thai and English",
    401: "Missing or wrong volunteer token, or a filing ticket that is altered or expired",
    403: "Not allowed (volunteer outside their area, partner key wrong), or sent by another site's page",
    404: "Unknown (or malformed) receipt: the same answer either way",
    409: "Idempotency-Key reused with a different request",
    413: "Body or attachment over the limit",
    415: "Wrong content type, or an attachment type that is not accepted",
    429: "Too many wrong receipts, or anonymous tips, from this client: wait `Retry-After` seconds and retry",
    503: "Too many uploads at once: wait `Retry-After` seconds and retry (nothing was stored)",
}

RECEIPT_HEADER = {"name": "X-Receipt", "in": "header", "required": True,
                  "description": "The 16-digit receipt (spaces and dashes allowed). Never put it in a URL.",
                  "schema": {"type": "string", "maxLength": 64}}


def _errors(*codes):
    return {str(c): {"description": ERRORS[c], "content": {"application/json": {"schema": "Error"}}}
            for c in codes}


def _multipart(json_part: str, schema_name: str) -> dict:
    return {"schema": {
        "type": "object",
        "required": [json_part],
        "properties": {
            json_part: {"type": "string", "description": f"The {schema_name} as JSON (see the JSON body)"},
            "attachments": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "Files; typed by content. Accepted: " + ", ".join(sorted(ACCEPTED))},
        },
    }, "encoding": {json_part: {"contentType": "application/json"}}}


@lru_cache(maxsize=1)
def document() -> dict:
    spec = APISpec(
        title="Sodsong intake",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Tips in, receipts out. Every error message is in Thai and English. "
                             "The reporter's identity never leaves intake."},
    )
    for name, schema in [("Tip", tip.TipSchema), ("Message", tip.MessageSchema),
                         ("TipCreated", TipCreated), ("StatusView", StatusView),
                         ("MessageAccepted", MessageAccepted), ("ReceiptReplaced", ReceiptReplaced),
                         ("VolunteerTips", VolunteerTips), ("Error", Error)]:
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme("volunteerToken", {"type": "http", "scheme": "bearer",
                                                       "description": "A volunteer's token (sodsong volunteers add)"})
    spec.components.security_scheme("filingTicket", {
        "type": "apiKey", "in": "header", "name": "X-Filing-Ticket",
        "description": "The desk's short-lived ticket for filing on someone's behalf (casework's POST "
                       "/api/v1/filing-tickets): staff record channel phone, letter or walk_in; a volunteer's tip "
                       "carries their id"})

    spec.path(path="/api/v1/tips", operations={"post": {
        "summary": "File a tip (JSON, or multipart with files)",
        "parameters": [
            {"name": "Idempotency-Key", "in": "header", "required": False,
             "description": "A retry with the same key and body within 24 h gets the first response back",
             "schema": {"type": "string", "minLength": 1, "maxLength": 255}},
        ],
        "security": [{}, {"volunteerToken": []}, {"filingTicket": []}],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": "Tip"},
            "multipart/form-data": _multipart("tip", "tip"),
        }},
        "responses": {"201": {"description": "Filed: the receipt is shown this once",
                              "content": {"application/json": {"schema": "TipCreated"}}},
                      **_errors(400, 401, 403, 409, 413, 415, 429, 503)},
    }})
    spec.path(path="/api/v1/tips/status", operations={"get": {
        "summary": "Where the tip stands, the office's questions (with the receipt)",
        "parameters": [RECEIPT_HEADER],
        "responses": {"200": {"description": "Status", "content": {"application/json": {"schema": "StatusView"}}},
                      **_errors(404, 429)},
    }})
    spec.path(path="/api/v1/tips/messages", operations={"post": {
        "summary": "Answer a question or add information (with the receipt)",
        "parameters": [RECEIPT_HEADER],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": "Message"},
            "multipart/form-data": _multipart("message", "message"),
        }},
        "responses": {"201": {"description": "Sent to the office",
                              "content": {"application/json": {"schema": "MessageAccepted"}}},
                      **_errors(400, 404, 413, 415, 429)},
    }})
    spec.path(path="/api/v1/tips/receipt", operations={"post": {
        "summary": "Replace the receipt (the old one stops working)",
        "parameters": [RECEIPT_HEADER],
        "responses": {"201": {"description": "The new receipt, shown this once",
                              "content": {"application/json": {"schema": "ReceiptReplaced"}}},
                      **_errors(404, 429)},
    }})
    spec.path(path="/api/v1/volunteer/tips", operations={"get": {
        "summary": "The tips this volunteer filed: status only",
        "security": [{"volunteerToken": []}],
        "responses": {"200": {"description": "Tips", "content": {"application/json": {"schema": "VolunteerTips"}}},
                      **_errors(401)},
    }})
    spec.path(path="/evidence/{reference}/{attachment_id}", operations={"get": {
        "summary": "A tip's file, for the office, through a short-lived link the desk signed (a download)",
        "description": "Casework answers a caseworker's GET /api/v1/cases/{reference}/attachments/{id} with a 302 "
                       "to this URL; the signature covers reference, file, office, user and expiry. Forged, "
                       "expired or foreign links get 404.",
        "parameters": [
            {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "string"}},
            *({"name": n, "in": "query", "required": True, "schema": {"type": "string"}}
              for n in ("office", "user", "exp", "sig")),
        ],
        "responses": {"200": {"description": "The file (Content-Disposition: attachment)",
                              "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}},
                      **_errors(404)},
    }})
    spec.path(path="/line/webhook", operations={"post": {
        "summary": "LINE Messaging API webhook (called by LINE for the Official Account, not by people)",
        "description": "X-Line-Signature (Base64 HMAC-SHA256 of the raw body under the channel secret) is checked "
                       "before anything else; events are stored once per webhookEventId and answered in LINE. "
                       "404 when intake.line is not configured.",
        "parameters": [{"name": "X-Line-Signature", "in": "header", "required": True,
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"destination": {"type": "string"},
                                             "events": {"type": "array", "items": {"type": "object"}}}}}}},
        "responses": {"200": {"description": "Taken (answered asynchronously in LINE)",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      **_errors(401, 404, 413)},
    }})
    spec.path(path="/open311/v2/services.json", operations={"get": {
        "summary": "Open311 GeoReport v2: the categories",
        "responses": {"200": {"description": "Services", "content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "object"}}}}}},
    }})
    return spec.to_dict()
