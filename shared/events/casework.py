"""Events casework produces: a case's life (opened, assigned, notes, questions, deadlines, state changes,
hand-overs, views of the case and its evidence), desk accounts and sign-ins, and what operators do on the operator
page."""
from __future__ import annotations

from datetime import timezone

from marshmallow import fields, validate

from shared.events.catalogue import AgencyRef, Bilingual, Contracts, Payload


class CaseOpened(Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office = fields.Nested(AgencyRef, required=True)
    category = fields.String(required=True)
    province_code = fields.String(required=True)
    status = fields.String(required=True)
    acknowledge_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    feedback_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    opened_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    triage = fields.Boolean(load_default=False)  # in the coordinating office's triage queue, not yet decided
    # the case's version after this change (one more per change of state): a consumer keeps the highest it has
    # seen, so a late or redelivered event never moves the tipster's status back; absent on older events
    case_version = fields.Integer(allow_none=True, load_default=None)


class ClosureForTipster(Payload):
    """Why a case was closed, in words written for the tipster (Thai; English when the office gave it)."""
    resolution = fields.String(required=True)
    resolution_label = fields.Nested(Bilingual, required=True)
    reason_th = fields.String(required=True)
    reason_en = fields.String(allow_none=True, load_default=None)


class CaseStatusChanged(Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    tipster_label = fields.Nested(Bilingual, required=True)
    changed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    # the case's version after this change (see CaseOpened.case_version); absent on older events
    case_version = fields.Integer(allow_none=True, load_default=None)
    # set when to_status is "closed": what the tipster is told about why
    closure = fields.Nested(ClosureForTipster, allow_none=True, load_default=None)
    # the office the case is with after this change (the tipster's status names it); absent on older events
    office = fields.Nested(AgencyRef, allow_none=True, load_default=None)


class CaseClosureRejected(Payload):
    """A supervisor rejected a caseworker's closure proposal; the case stays in the state it is in."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    status = fields.String(required=True)            # the state the case stays in
    proposed_resolution = fields.String(required=True)
    proposed_by = fields.String(required=True)       # desk account id
    reason = fields.String(required=True)            # the supervisor's reason
    rejected_by = fields.String(required=True)       # desk account id
    rejected_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseViewed(Payload):
    """Someone opened a case. Content-free: who, which case, when, and which view."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    viewer_id = fields.String(required=True)     # desk user id
    viewer_role = fields.String(required=True)
    view = fields.String(required=True)          # detail | status | audit
    viewed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class ListedCase(Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)


class CasesListed(Payload):
    """Someone was shown a page of the inbox with a line of each case's text (snippet, accused). Content-free:
    who, which cases, when."""
    viewer_id = fields.String(required=True)     # desk user id
    viewer_role = fields.String(required=True)
    office_code = fields.String(allow_none=True, load_default=None)  # the viewer's office
    view = fields.String(required=True)          # list
    cases = fields.List(fields.Nested(ListedCase), required=True)
    listed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseTransferRequested(Payload):
    """An office hands a case on (transfer: it is not competent; refer: another body must act); routing decides."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    from_office = fields.String(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(("transfer", "refer")))
    reason = fields.String(required=True)
    suggested_office = fields.String(allow_none=True, load_default=None)
    hop = fields.Integer(required=True)          # transfers so far, including this one (loop protection)
    requested_by = fields.String(required=True)  # desk user id
    requested_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    # a supervisor's approval to send the tip back to an office it has already left (routing refuses such a loop
    # otherwise); added later in version 1: older readers ignore it
    supervisor_override = fields.Boolean(load_default=False)


class CaseTriageDecided(Payload):
    """A triage officer at the coordinating office decided which office is competent; routing records it as a
    manual decision and announces it with `tip.routed` (kind "manual")."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)       # the coordinating office whose triage desk decided
    decided_agency = fields.String(required=True)    # code of the office found competent (in the directory)
    reason = fields.String(required=True)            # the officer's reason, shown in tip.routed's reasons
    decided_by = fields.String(required=True)        # desk account id
    decided_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    supervisor_override = fields.Boolean(load_default=False)  # may send the tip back to an office it left


class CaseAssigned(Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    assignee_id = fields.String(required=True)
    caseworker_name = fields.String(required=True)
    category = fields.String(required=True)
    province_code = fields.String(required=True)
    due_by = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    assigned_by = fields.String(required=True)
    assigned_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseNoteAdded(Payload):
    """A note on a case. `text` is carried only for notes meant for the tipster; internal notes stay in casework."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    note_id = fields.String(required=True)
    visibility = fields.String(required=True, validate=validate.OneOf(("internal", "tipster_visible")))
    text = fields.String(allow_none=True, load_default=None)
    added_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseQuestionAsked(Payload):
    """The office asks the tipster something; intake can show it on the receipt's status page."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    text_en = fields.String(allow_none=True, load_default=None)  # the office's English wording, when it wrote one
    asked_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseDeadlineAlert(Payload):
    """A deadline is near (reminder) or passed (breach, escalated to the office's supervisors)."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(("acknowledge", "feedback")))
    due_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    assignee_id = fields.String(allow_none=True, load_default=None)
    caseworker_name = fields.String(allow_none=True, load_default=None)
    escalate_to = fields.String(required=True, validate=validate.OneOf(("assignee", "office", "supervisor")))
    raised_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseDeadlineExtended(Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(("acknowledge", "feedback")))
    previous_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    new_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    extended_by = fields.String(required=True)
    extended_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class EvidenceViewed(Payload):
    """A staff member opened (downloaded) one of a tip's files. Who, which file of which case, when."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    attachment_id = fields.String(required=True)
    viewer_id = fields.String(required=True)      # desk user id
    viewer_role = fields.String(required=True)
    viewed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class AccountChanged(Payload):
    """Desk accounts and sign-ins (ASVS 16.3.1). Never a password, token or TOTP code."""
    user_id = fields.String(required=True)       # "unknown" when a sign-in named no existing account
    office_code = fields.String(allow_none=True, load_default=None)
    role = fields.String(allow_none=True, load_default=None)
    detail = fields.String(allow_none=True, load_default=None)  # e.g. "bad_credentials", "throttled", "totp"
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class StaffContacts(Payload):
    """Where a desk account's own notices go (assignment, deadlines), as the account now is: notify keeps a copy
    (the latest by `at`). Staff addresses, not tipster data: never logged, and the audit chain keeps only the
    payload's hash. `active` is false once the account is disabled (notify then stops telling it). The fields are
    named `staff_*` so that no payload has a field a reporter's identity could go in (tests/unit/shared)."""
    user_id = fields.String(required=True)
    office_code = fields.String(required=True)
    role = fields.String(required=True)
    active = fields.Boolean(required=True)
    staff_email = fields.String(allow_none=True, load_default=None)
    staff_line_id = fields.String(allow_none=True, load_default=None)
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class ReplyTemplateChanged(Payload):
    """An office's reply template was added, changed or deleted, and by whom. Ids and the kind only: never the
    template's words (the desk keeps them; the audit chain says who changed which template when)."""
    template_id = fields.Integer(required=True)
    office_code = fields.String(required=True)
    kind = fields.String(required=True)          # question | note
    user_id = fields.String(required=True)       # desk account id
    role = fields.String(required=True)
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class OperatorAction(Payload):
    """An operator asked for a dead letter to be redriven, or a delivery to be sent again. Ids only: never the
    event's body, a message, an address or a recipient; not even the tip's reference (a tipster notice's
    existence is intake's to keep). The service named in `service` consumes a requested one and acts in its own
    database (shared.operator_actions); casework's page writes no other service's rows."""
    user_id = fields.String(required=True)
    office_code = fields.String(allow_none=True, load_default=None)
    role = fields.String(required=True)
    service = fields.String(required=True)       # whose row: the service of the dead letter, notify or intake
    target_id = fields.String(required=True)     # the dead letter's or the delivery's id
    outcome = fields.String(required=True, validate=validate.OneOf(("requested", "refused")))
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


CASEWORK = Contracts("casework")
CASEWORK.declare("case.opened", CaseOpened)
CASEWORK.declare("case.status_changed", CaseStatusChanged, ("closure.reason_th", "closure.reason_en"))
CASEWORK.declare("case.closure_rejected", CaseClosureRejected, ("reason",))
CASEWORK.declare("case.viewed", CaseViewed)
CASEWORK.declare("cases.listed", CasesListed)
CASEWORK.declare("case.transfer_requested", CaseTransferRequested, ("reason",))
CASEWORK.declare("case.triage_decided", CaseTriageDecided, ("reason",))
CASEWORK.declare("case.assigned", CaseAssigned)
CASEWORK.declare("case.note_added", CaseNoteAdded, ("text",))
CASEWORK.declare("case.question_asked", CaseQuestionAsked, ("text", "text_en"))
CASEWORK.declare("case.deadline_reminder", CaseDeadlineAlert)
CASEWORK.declare("case.deadline_breached", CaseDeadlineAlert)
CASEWORK.declare("case.deadline_extended", CaseDeadlineExtended)
CASEWORK.declare("case.evidence_viewed", EvidenceViewed)
CASEWORK.declare("account.created", AccountChanged)
CASEWORK.declare("account.disabled", AccountChanged)
CASEWORK.declare("account.signed_in", AccountChanged)
CASEWORK.declare("account.signed_out", AccountChanged)
CASEWORK.declare("account.sign_in_failed", AccountChanged)
CASEWORK.declare("account.password_changed", AccountChanged)
CASEWORK.declare("account.password_reset_issued", AccountChanged)
CASEWORK.declare("account.enabled", AccountChanged)
CASEWORK.declare("account.unlocked", AccountChanged)
CASEWORK.declare("account.role_changed", AccountChanged)
CASEWORK.declare("account.totp_enabled", AccountChanged)
CASEWORK.declare("account.contacts_changed", StaffContacts)
CASEWORK.declare("reply_template.created", ReplyTemplateChanged)
CASEWORK.declare("reply_template.changed", ReplyTemplateChanged)
CASEWORK.declare("reply_template.deleted", ReplyTemplateChanged)
# the operator page is casework's: it records what an operator asked another service to do
CASEWORK.declare("ops.dead_letter_redrive_requested", OperatorAction)
CASEWORK.declare("ops.delivery_retry_requested", OperatorAction)
CASEWORK.retention()
