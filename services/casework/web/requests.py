"""What the desk's API and forms accept (marshmallow at the edge; the domain checks the rules)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, pre_load, validate

from services.casework.domain import inbox
from services.casework.domain.lifecycle import RESOLUTIONS, STATES
from services.casework.domain.policy import ROLES
from shared.vocabulary import CATEGORIES


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Query(Schema):
    """Query strings and HTML forms: empty values mean 'not given'; unknown parameters are ignored."""

    class Meta:
        unknown = "exclude"

    @pre_load
    def _drop_empty(self, data, **_):
        return {k: v for k, v in dict(data).items() if v not in ("", None)}


class SignInSchema(_Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    totp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10))


class CaseFilterSchema(_Query):
    status = fields.String(validate=validate.OneOf(STATES))
    category = fields.String(validate=validate.OneOf(tuple(CATEGORIES)))
    province = fields.String(validate=validate.Regexp(r"^\d{2}$"))
    office = fields.String(validate=validate.Length(max=40))
    overdue = fields.Boolean()
    assignee = fields.String(validate=validate.Length(max=64))
    q = fields.String(validate=validate.Length(max=200))  # words of the case's text, or its reference
    show = fields.String(validate=validate.OneOf(inbox.SHOW))  # open | closed | all (a status wins)
    sort = fields.String(validate=validate.OneOf(inbox.SORTS + tuple("-" + k for k in inbox.SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class TransitionSchema(_Strict):
    to = fields.String(required=True, validate=validate.OneOf(STATES))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    resolution = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(tuple(RESOLUTIONS)))
    suggested_office = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    supervisor_override = fields.Boolean(load_default=False)
    # closing: why, in words for the tipster (Thai required when closing, English optional)
    tipster_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    tipster_reason_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ClosureRejectionSchema(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class TransferSchema(_Strict):
    mode = fields.String(load_default="transfer", validate=validate.OneOf(("transfer", "refer")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    suggested_office = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    supervisor_override = fields.Boolean(load_default=False)  # supervisors: back to an office it has left


class TriageDecisionSchema(_Strict):
    office = fields.String(required=True, validate=validate.Length(min=1, max=40))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    supervisor_override = fields.Boolean(load_default=False)


class NoteSchema(_Strict):
    visibility = fields.String(required=True, validate=validate.OneOf(("internal", "tipster_visible")))
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class QuestionSchema(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    text_en = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5000))


class AssignmentSchema(_Strict):
    assignee = fields.String(required=True, allow_none=True, validate=validate.Length(max=64))


class DeadlineExtensionSchema(_Strict):
    deadline = fields.String(load_default="feedback", validate=validate.OneOf(("feedback",)))
    months = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=24))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class StatsFilterSchema(_Query):
    office = fields.String(validate=validate.Length(max=40))
    province = fields.String(validate=validate.Regexp(r"^\d{2}$"))
    opened_from = fields.Date()
    opened_to = fields.Date()


class UserCreateSchema(_Strict):
    username = fields.String(required=True, validate=validate.Length(min=2, max=64))
    office_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    display_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    volunteer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    totp = fields.Boolean(load_default=False)


class BulkActionSchema(_Strict):
    references = fields.List(fields.String(validate=validate.Length(max=40)), required=True,
                             validate=validate.Length(min=1, max=100))
    action = fields.String(required=True, validate=validate.OneOf(("acknowledge", "assign")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    assignee = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
