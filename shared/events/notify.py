"""Events notify produces: the outcome of each delivery (to an office, a tipster, a desk user or an operator)."""
from __future__ import annotations

from marshmallow import fields

from shared.events.catalogue import Contracts, Payload


class NotificationRecorded(Payload):
    delivery_id = fields.String(required=True)
    reference = fields.String(allow_none=True, load_default=None)
    recipient_kind = fields.String(required=True)  # office | tipster | user | operator
    recipient_id = fields.String(required=True)    # office code or pseudonymous id, never an address
    channel = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)


NOTIFY = Contracts("notify")
NOTIFY.declare("notification.sent", NotificationRecorded)
NOTIFY.declare("notification.failed", NotificationRecorded)
NOTIFY.retention()
