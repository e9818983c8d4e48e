"""intake: the only service that ever sees who a tipster is. Thin nameko entrypoints over services.intake.app."""
from __future__ import annotations

import functools
import threading

from nameko.dependency_providers import Config
from nameko.timer import timer
from nameko.extensions import DependencyProvider

from sqlalchemy import select
from werkzeug.wrappers import Response

from services.intake import (conversation, crypto, edge, idempotency, open311, openapi, pages, projection, receipts,
                             submission, tipster_notices)
from services.intake.app import PUBLIC, IntakeApp, partner_caller, volunteer_caller
from services.intake.handlers import api
from services.intake.line.service import LineProcessor, line_webhook
from services.intake.models import Base, Tip
from shared import evidence_links
from shared.dependencies import Database, LoggingContext
from shared.logging import get_logger
from shared.operator_actions import RedrivesOnRequest, RetriesDeliveriesOnRequest
from shared.reliable import subscribe
from shared.web import ApiError, json_response

log = get_logger(__name__)


class Intake(DependencyProvider):
    """The plain-Python application (services.intake.app) with its keyring, built once per container."""

    def setup(self):
        self.config = self.container.config["SODSONG"]
        self.keyring = crypto.load(self.config)  # a broken key configuration stops intake from starting
        receipts.load_key(self.config)  # so does a missing or broken receipt key
        self.hasher = receipts.ReceiptHasher(**self.config["intake"]["argon2"])
        self.app = None

    def start(self):
        for dep in self.container.dependencies:
            if isinstance(dep, Database):
                self.app = IntakeApp(dep.service_db, self.hasher, self.keyring, self.config)
        self.stopping = threading.Event()
        self.container.spawn_managed_thread(self._housekeeping, identifier="intake.housekeeping")

    def stop(self):
        self.stopping.set()

    def kill(self):
        self.stop()

    def _housekeeping(self):
        """Hourly: forget idempotent responses (they hold receipts) after 24 h."""
        while not self.stopping.wait(3600.0):
            try:
                idempotency.purge(self.app.db)
            except Exception as exc:  # the next hour tries again
                log.warning("intake.housekeeping_failed", error=type(exc).__name__)

    def get_dependency(self, worker_ctx):
        return self.app


class Service(RedrivesOnRequest, RetriesDeliveriesOnRequest):
    name = "intake"

    db = Database(Base.metadata)
    log = LoggingContext()
    intake = Intake()
    config = Config()
    notices = tipster_notices.NoticeSender(
        reporter_factory=lambda cfg: functools.partial(submission.reporter_of, crypto.load(cfg)),
        volunteer_factory=tipster_notices.volunteer_contacts)
    line = LineProcessor()

    def delivery_ledger(self):
        return tipster_notices.default_table()

    @staticmethod
    def max_request_bytes(config: dict) -> int:
        """The largest body the HTTP server reads for intake: a tip's files, its fields, multipart framing."""
        from services.intake import attachments

        limit = attachments.limits(config)
        return int(limit["max_tip_bytes"]) + int(config["intake"]["max_body_bytes"]) + 64 * 1024

    # -- the tip API ----------------------------------------------------------------------------------------
    @api("POST", "/api/v1/tips")
    def submit(self, request):
        self._same_site(request)
        caller = PUBLIC
        if request.headers.get("Authorization"):
            caller = volunteer_caller(self.intake.volunteer(request.headers.get("Authorization")))
        data, uploads = edge.json_or_multipart(request, "tip", self._max_json(), self.intake.limits)
        key = idempotency.parse_key(request.headers.get(idempotency.HEADER))
        status, body, replayed = self.intake.file_tip(data, uploads, caller=caller, idempotency_key=key,
                                                      client=self._client(request))
        return json_response(status, body, {"Idempotent-Replayed": "true"} if replayed else None)

    @api("GET", "/api/v1/tips/status")
    def status(self, request):
        view = self.intake.status(request.headers.get("X-Receipt"), self._client(request))
        return json_response(200, view)

    @api("POST", "/api/v1/tips/messages")
    def add_message(self, request):
        self._same_site(request)
        client = self._client(request)
        data, uploads = edge.json_or_multipart(request, "message", self._max_json(), self.intake.limits)
        result = self.intake.add_message(request.headers.get("X-Receipt"), client, data, uploads)
        return json_response(201, result)

    @api("POST", "/api/v1/tips/receipt")
    def new_receipt(self, request):
        self._same_site(request)
        return json_response(201, self.intake.new_receipt(request.headers.get("X-Receipt"), self._client(request)))

    @api("GET", "/api/v1/volunteer/tips")
    def volunteer_tips(self, request):
        volunteer = self.intake.volunteer(request.headers.get("Authorization"))
        return json_response(200, self.intake.volunteer_tips(volunteer))

    @api("GET", "/api/v1/openapi.json")
    def openapi_document(self, request):
        return json_response(200, openapi.document(), {"Cache-Control": "no-cache"})

    @api("GET", "/health")
    def health(self, request):
        return json_response(200, {"service": "intake", "status": "ok"})

    # -- LINE Official Account webhook (services.intake.line) ---------------------------------------------------
    @api("POST", "/line/webhook")
    def line_webhook(self, request):
        return line_webhook(self.line, request, self._max_json())

    # -- a tip's files, for the office, through a link the desk signed (shared/evidence_links.py) ---------------
    @api("GET", "/evidence/<string:reference>/<string:attachment_id>")
    def evidence(self, request, reference, attachment_id):
        try:
            attachment, data = conversation.serve(self.db, self.intake.keyring,
                                                  evidence_links.link_key(self.config["SODSONG"]), reference,
                                                  attachment_id, request.args)
        except conversation.EvidenceRefused:
            raise ApiError(404, "request.not_found")
        return conversation.download(attachment, data)

    # -- Open311 GeoReport v2 -----------------------------------------------------------------------------------
    @api("GET", "/open311/v2/services.json")
    def open311_services(self, request):
        return json_response(200, open311.services())

    @api("GET", "/open311/v2/services/<string:code>.json")
    def open311_service(self, request, code):
        return self._open311(lambda: open311.service_definition(code))

    @api("POST", "/open311/v2/requests.json")
    def open311_post(self, request):
        def post():
            if (request.mimetype or "").lower() != "application/x-www-form-urlencoded":
                raise ApiError(415, "request.wrong_content_type")
            if request.content_length is not None and request.content_length > self._max_json():
                raise ApiError(413, "request.too_large")
            request.max_content_length = self._max_json()
            request.max_form_memory_size = self._max_json()
            form = request.form
            partner = self._partner(form.get("api_key"))
            tip = open311.tip_from_form(form)
            key = idempotency.parse_key(request.headers.get(idempotency.HEADER))
            _, body, _ = self.intake.file_tip(tip, caller=partner_caller(partner), idempotency_key=key)
            return open311.post_response(body)
        return self._open311(post)

    @api("GET", "/open311/v2/requests.json")
    def open311_list(self, request):
        def listing():
            partner = self._partner(request.args.get("api_key"))
            with self.db.reading() as session:
                return open311.list_requests(session, self.intake.keyring, partner, request.args)
        return self._open311(listing)

    @api("GET", "/open311/v2/requests/<string:request_id>.json")
    def open311_get(self, request, request_id):
        def one():
            partner = self._partner(request.args.get("api_key"))
            with self.db.reading() as session:
                return open311.one_request(session, self.intake.keyring, partner, request_id)
        return self._open311(one)

    # -- public web pages (no JavaScript needed) -------------------------------------------------------------------
    @api("GET", "/")
    def page_report(self, request):
        return pages.report_form(self.intake, request)

    @api("POST", "/report")
    def page_report_post(self, request):
        return pages.report_post(self.intake, request, self._max_json(), self._client(request))

    @api("POST", "/report/proof")
    def page_proof(self, request):
        return pages.proof(self.intake, request)

    @api("GET", "/status")
    def page_status(self, request):
        return pages.status_form(self.intake, request)

    @api("POST", "/status")
    def page_status_post(self, request):
        return pages.status_post(self.intake, request, self._client(request))

    @api("POST", "/status/message")
    def page_message_post(self, request):
        return pages.message_post(self.intake, request, self._client(request), self._max_json())

    @api("POST", "/status/receipt")
    def page_receipt_post(self, request):
        return pages.new_receipt_post(self.intake, request, self._client(request))

    @api("GET", "/favicon.ico")
    def page_favicon(self, request):
        from werkzeug.wrappers import Response

        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    @api("GET", "/static/intake.css")
    def page_css(self, request):
        return pages.stylesheet()

    @api("GET", "/favicon.ico")
    def page_favicon(self, request):
        # browsers ask for it on every page; nothing to show, and no 404 in the tipster's console
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    # -- events -----------------------------------------------------------------------------------------------------
    @subscribe("tip.routed")
    def on_tip_routed(self, event):
        self.db.consume(event, projection.on_tip_routed)

    @subscribe("case.opened")
    def on_case_opened(self, event):
        if self.db.consume(event, self._then_notify(projection.on_case_opened)):
            self.notices.wakeup.set()

    @subscribe("case.status_changed")
    def on_case_status_changed(self, event):
        apply = functools.partial(projection.on_case_status_changed, keyring=self.intake.keyring)
        if self.db.consume(event, self._then_notify(apply)):
            self.notices.wakeup.set()

    @subscribe("case.note_added")
    def on_case_note_added(self, event):
        if event.payload.get("visibility") != "tipster_visible":
            return  # internal notes stay with their office (and carry no text)
        apply = functools.partial(conversation.on_note_added, keyring=self.intake.keyring)
        if self.db.consume(event, self._then_notify(apply)):
            self.notices.wakeup.set()

    @subscribe("case.question_asked")
    def on_case_question_asked(self, event):
        keyring = self.intake.keyring
        apply = functools.partial(projection.on_question_asked, keyring=keyring)
        if self.db.consume(event, self._then_notify(apply)):
            self.notices.wakeup.set()

    def _then_notify(self, apply):
        """The projection update, then (same transaction) the content-free notices it calls for."""
        def effect(uow, event):
            apply(uow, event)
            tip = uow.session.execute(select(Tip).where(Tip.reference == event.payload["reference"])).scalar_one()
            tipster_notices.record_tipster_notice(uow, tip, event, self.config["SODSONG"],
                                                  reporter=self.notices.reporter,
                                                  volunteer_contact=self.notices.volunteer_contact)
        return effect

    # -- helpers ------------------------------------------------------------------------------------------------------
    def _max_json(self) -> int:
        return int(self.config["SODSONG"]["intake"]["max_body_bytes"])

    def _client(self, request):
        return edge.client_address(request, self.intake.clients)

    def _same_site(self, request):
        if edge.cross_site(request, self.config["SODSONG"]):
            raise ApiError(403, "request.cross_site")

    def _partner(self, api_key) -> str:
        from services.intake import accounts

        with self.db.reading() as session:
            partner = accounts.partner_for_key(session, api_key)
            if partner is None:
                raise ApiError(403, "partner.unauthorized")
            return partner.id

    @staticmethod
    def _open311(produce, status: int = 200):
        try:
            return json_response(status, produce())
        except ApiError as exc:
            body = open311.error_body(exc.status, exc.key, exc.fields)
            return json_response(exc.status, body)

    @timer(interval=60)
    def retention(self):
        """The leased retention job (shared.retention): deletes what is kept no longer, each deletion audited."""
        from shared import retention
        from services.intake import retention as intake_retention

        config = self.config["SODSONG"]
        retention.on_timer(self.db, self.name, config, intake_retention.steps(config))
