"""What an operator asks of a service, carried out by that service in its own database.

Casework's operator page does not write other services' rows: it records the operator's request as an event
(`ops.dead_letter_redrive_requested`, `ops.delivery_retry_requested`, produced by casework, chained by audit like
every event), and the service the request names consumes it and acts on its own data:

    class Service(RedrivesOnRequest): ...                       # every service: its dead letters
    class Service(RedrivesOnRequest, RetriesDeliveriesOnRequest):  # notify, intake: also their delivery ledger
        def delivery_ledger(self): return <the ledger Table>

A request another service is named in, or one the page refused, is ignored. Acting twice is harmless: a letter
that is no longer dead, or a delivery no longer failed or dead, is left as it is.
"""
from __future__ import annotations

from shared import deadletters
from shared.events import Event
from shared.notifications import ledger
from shared.reliable import subscribe

REDRIVE_REQUESTED = "ops.dead_letter_redrive_requested"
RETRY_REQUESTED = "ops.delivery_retry_requested"


def addressed_to(event: Event, service: str) -> bool:
    return event.payload["service"] == service and event.payload["outcome"] == "requested"


class RedrivesOnRequest:
    """Mixed into every service: redrive one of its dead letters when an operator asked for it."""

    @subscribe(REDRIVE_REQUESTED)
    def on_redrive_requested(self, event):
        if not addressed_to(event, self.name):
            return
        letters = self.db.service_db.tables.dead_letters
        self.db.consume(event, lambda uow, ev: deadletters.request_redrive(
            uow.session, letters, int(ev.payload["target_id"])))


class RetriesDeliveriesOnRequest:
    """Mixed into the services with a delivery ledger: send a failed or dead delivery again when asked."""

    def delivery_ledger(self):  # pragma: no cover - each service names its own table
        raise NotImplementedError

    @subscribe(RETRY_REQUESTED)
    def on_delivery_retry_requested(self, event):
        if not addressed_to(event, self.name):
            return
        table = self.delivery_ledger()
        self.db.consume(event, lambda uow, ev: ledger.retry_in(uow.session, table, ev.payload["target_id"]))
