"""intake: the only service that ever sees who a tipster is."""
from __future__ import annotations

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from services.intake import projection, receipts, submission
from services.intake.models import Base
from services.intake.schemas import TipSchema
from shared import i18n
from shared.dependencies import Database, LoggingContext
from shared.reliable import subscribe
from shared.web import ApiError, api, json_response, read_json


class Receipts(DependencyProvider):
    def setup(self):
        self.hasher = receipts.ReceiptHasher(**self.container.config["SODSONG"]["intake"]["argon2"])

    def get_dependency(self, worker_ctx):
        return self.hasher


class Service:
    name = "intake"

    db = Database(Base.metadata)
    log = LoggingContext()
    receipts = Receipts()
    config = Config()

    @api("POST", "/api/v1/tips")
    def submit(self, request):
        limit = int(self.config["SODSONG"]["intake"]["max_body_bytes"])
        try:
            tip = TipSchema().load(read_json(request, limit))
        except ValidationError as exc:
            raise ApiError(400, "request.validation_failed", fields=i18n.field_errors(exc.messages))
        receipt = receipts.new_receipt()
        receipt_hash = self.receipts.hash(receipt)
        actor = {"kind": "tipster", "id": "anonymous"}
        with self.db.transaction() as uow:
            done = submission.submit_tip(uow, tip, receipt_hash, receipt, actor)
        self.log.info("tip.accepted", correlation_id=done.reference, category=tip["category"])
        return json_response(201, {"reference": done.reference, "receipt": done.receipt, "status": done.status})

    @api("GET", "/api/v1/tips/status")
    def status(self, request):
        receipt = receipts.normalise(request.headers.get("X-Receipt"))
        if receipt is None:
            raise ApiError(404, "receipt.unknown")
        with self.db.reading() as session:
            tip = submission.find_by_receipt(session, receipt, self.receipts)
            if tip is None:
                raise ApiError(404, "receipt.unknown")
            return json_response(200, projection.status_view(session, tip))

    @api("GET", "/health")
    def health(self, request):
        return json_response(200, {"service": "intake", "status": "ok"})

    @subscribe("tip.routed")
    def on_tip_routed(self, event):
        self.db.consume(event, projection.on_tip_routed)

    @subscribe("case.opened")
    def on_case_opened(self, event):
        self.db.consume(event, projection.on_case_opened)

    @subscribe("case.status_changed")
    def on_case_status_changed(self, event):
        self.db.consume(event, projection.on_case_status_changed)

