"""intake: the only service that ever sees who a tipster is. The nameko shell: dependencies and entrypoints, each
calling the HTTP edge (web/) or a use case (usecases/)."""
from __future__ import annotations

import functools

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from services.intake import crypto, receipts, tipster_notices
from services.intake import retention as intake_retention
from services.intake.line.service import LineProcessor
from services.intake.models import Base
from services.intake.repository import IntakeRepository
from services.intake.usecases import conversation, idempotency, projection, submission
from services.intake.usecases.application import IntakeApp
from services.intake.database_busy import BusyAwareDatabase
from services.intake.web import assisted, pages, routes, statistics
from services.intake.web.entrypoint import api
from services.intake.web.requests import max_request_bytes
from shared import retention
from shared.dependencies import Database, LoggingContext
from shared.group_commit import by_reference, each_in_turn
from shared.jobs import cluster_job
from shared.operator_actions import RedrivesOnRequest, RetriesDeliveriesOnRequest
from shared.reliable import subscribe
from shared.retention import retention_job
from shared.web import json_response


class Intake(DependencyProvider):
    """The application (usecases/application.py) with its keyring and its HTTP edge (web/routes.py), built once
    per container."""

    def setup(self):
        self.config = self.container.config["SODSONG"]
        self.keyring = crypto.load(self.config)  # a broken key configuration stops intake from starting
        receipts.load_key(self.config)  # so does a missing or broken receipt key
        self.hasher = receipts.ReceiptHasher(**self.config["intake"]["argon2"])
        self.app = self.web = None

    def start(self):
        for dep in self.container.dependencies:
            if isinstance(dep, Database):
                self.app = IntakeApp(BusyAwareDatabase(dep.service_db), self.hasher, self.keyring, self.config)
                self.web = routes.IntakeWeb(self.app, self.config)

    def get_dependency(self, worker_ctx):
        return self.web


class Service(RedrivesOnRequest, RetriesDeliveriesOnRequest):
    name = "intake"

    db = Database(Base.metadata, repository=IntakeRepository)
    log = LoggingContext()
    intake = Intake()
    config = Config()
    notices = tipster_notices.NoticeSender(
        reporter_factory=lambda cfg: functools.partial(submission.reporter_of, crypto.load(cfg)),
        volunteer_factory=tipster_notices.volunteer_contacts)
    line = LineProcessor()

    def delivery_ledger(self):
        return tipster_notices.default_table()

    max_request_bytes = staticmethod(max_request_bytes)

    # -- the tip API (web/routes.py) ------------------------------------------------------------------------------
    @api("POST", "/api/v1/tips")
    def submit(self, request):
        return self.intake.submit(request)

    @api("GET", "/api/v1/tips/status")
    def status(self, request):
        return self.intake.status(request)

    @api("POST", "/api/v1/tips/messages")
    def add_message(self, request):
        return self.intake.add_message(request)

    @api("POST", "/api/v1/tips/receipt")
    def new_receipt(self, request):
        return self.intake.new_receipt(request)

    @api("GET", "/api/v1/volunteer/tips")
    def volunteer_tips(self, request):
        return self.intake.volunteer_tips(request)

    @api("GET", "/api/v1/openapi.json")
    def openapi_document(self, request):
        return self.intake.openapi_document(request)

    @api("GET", "/health")
    def health(self, request):
        return json_response(200, {"service": "intake", "status": "ok"})

    @api("POST", "/line/webhook")
    def line_webhook(self, request):
        return self.intake.line_webhook(self.line, request)

    @api("GET", "/evidence/<string:reference>/<string:attachment_id>")
    def evidence(self, request, reference, attachment_id):
        return self.intake.evidence(request, reference, attachment_id)

    # -- Open311 GeoReport v2 -------------------------------------------------------------------------------------
    @api("GET", "/open311/v2/discovery.<any(xml, json):fmt>")
    def open311_discovery(self, request, fmt):
        return self.intake.open311_discovery(request, fmt)

    @api("GET", "/open311/v2/services.<any(xml, json):fmt>")
    def open311_services(self, request, fmt):
        return self.intake.open311_services(request, fmt)

    @api("GET", "/open311/v2/services/<string:code>.<any(xml, json):fmt>")
    def open311_service(self, request, code, fmt):
        return self.intake.open311_service(request, code, fmt)

    @api("POST", "/open311/v2/requests.<any(xml, json):fmt>")
    def open311_post(self, request, fmt):
        return self.intake.open311_post(request, fmt)

    @api("GET", "/open311/v2/requests.<any(xml, json):fmt>")
    def open311_list(self, request, fmt):
        return self.intake.open311_list(request, fmt)

    @api("GET", "/open311/v2/requests/<string:request_id>.<any(xml, json):fmt>")
    def open311_get(self, request, request_id, fmt):
        return self.intake.open311_get(request, request_id, fmt)

    # the same routes without a suffix answer in XML, GeoReport v2's required format
    @api("GET", "/open311/v2/discovery")
    def open311_discovery_xml(self, request):
        return self.intake.open311_discovery(request, "xml")

    @api("GET", "/open311/v2/services")
    def open311_services_xml(self, request):
        return self.intake.open311_services(request, "xml")

    @api("GET", "/open311/v2/services/<string:code>")
    def open311_service_xml(self, request, code):
        return self.intake.open311_service(request, code, "xml")

    @api("POST", "/open311/v2/requests")
    def open311_post_xml(self, request):
        return self.intake.open311_post(request, "xml")

    @api("GET", "/open311/v2/requests")
    def open311_list_xml(self, request):
        return self.intake.open311_list(request, "xml")

    @api("GET", "/open311/v2/requests/<string:request_id>")
    def open311_get_xml(self, request, request_id):
        return self.intake.open311_get(request, request_id, "xml")

    # -- public web pages (web/pages.py; no JavaScript needed) ----------------------------------------------------
    @api("GET", "/")
    def page_report(self, request):
        return pages.report_form(self.intake.app, request)

    @api("POST", "/report")
    def page_report_post(self, request):
        return self.intake.page_report_post(request)

    @api("POST", "/report/proof")
    def page_proof(self, request):
        return pages.proof(self.intake.app, request)

    @api("POST", "/assisted")
    def page_assisted(self, request):
        return self.intake.page_assisted(request)

    @api("POST", "/assisted/report")
    def page_assisted_post(self, request):
        return self.intake.page_assisted_post(request)

    @api("GET", "/assisted/print.js")
    def page_print_script(self, request):
        return assisted.print_script(request)

    @api("GET", "/status")
    def page_status(self, request):
        return pages.status_form(self.intake.app, request)

    @api("POST", "/status")
    def page_status_post(self, request):
        return self.intake.page_status_post(request)

    @api("POST", "/status/message")
    def page_message_post(self, request):
        return self.intake.page_message_post(request)

    @api("POST", "/status/receipt")
    def page_receipt_post(self, request):
        return self.intake.page_receipt_post(request)

    @api("POST", "/report/receipt")
    def page_receipt_again(self, request):
        return pages.receipt_again(self.intake.app, request)

    @api("POST", "/status/receipt/again")
    def page_new_receipt_again(self, request):
        return pages.receipt_again(self.intake.app, request)

    @api("GET", "/report/places")
    def page_places(self, request):
        return pages.places(request)

    @api("GET", "/about")
    def page_trust(self, request):
        return pages.trust(self.intake.app, request)

    @api("GET", "/static/intake.js")
    def page_js(self, request):
        return pages.script()

    @api("GET", "/statistics")
    def page_statistics(self, request):
        return statistics.page(self.intake.app, request)

    @api("GET", "/api/v1/statistics")
    def statistics_json(self, request):
        return statistics.as_json(self.intake.app, request)

    @api("GET", "/api/v1/statistics.csv")
    def statistics_csv(self, request):
        return statistics.as_csv(self.intake.app, request)

    @api("GET", "/static/intake.css")
    def page_css(self, request):
        return pages.stylesheet()

    @api("GET", "/favicon.ico")
    def page_favicon(self, request):
        return routes.no_favicon(request)

    # -- events -----------------------------------------------------------------------------------------------------
    @subscribe("tip.routed")
    def on_tip_routed(self, event):
        # both projections in one transaction with the events other workers hold now (shared.group_commit), each
        # applied as alone; the tips are locked in the order of their references, whichever handler locks them
        self.db.consume_together(event, each_in_turn(projection.on_tip_routed, by_reference))

    @subscribe("case.opened")
    def on_case_opened(self, event):
        if self.db.consume_together(event, each_in_turn(self._then_notify(projection.on_case_opened), by_reference)):
            self.notices.wakeup.set()

    @subscribe("case.status_changed")
    def on_case_status_changed(self, event):
        apply = functools.partial(projection.on_case_status_changed, keyring=self.intake.app.keyring)
        if self.db.consume(event, self._then_notify(apply)):
            self.notices.wakeup.set()

    @subscribe("case.note_added")
    def on_case_note_added(self, event):
        if event.payload.get("visibility") != "tipster_visible":
            return  # internal notes stay with their office (and carry no text)
        apply = functools.partial(conversation.on_note_added, keyring=self.intake.app.keyring)
        if self.db.consume(event, self._then_notify(apply)):
            self.notices.wakeup.set()

    @subscribe("case.question_asked")
    def on_case_question_asked(self, event):
        apply = functools.partial(projection.on_question_asked, keyring=self.intake.app.keyring)
        if self.db.consume(event, self._then_notify(apply)):
            self.notices.wakeup.set()

    def _then_notify(self, apply):
        """The projection update, then (same transaction) the content-free notices it calls for, with the tip row
        the update returned (locked and current; looked up only when the update returns none)."""
        def effect(uow, event):
            tip = apply(uow, event)
            if tip is None:
                tip = uow.repo.tip_by_reference(event.payload["reference"])
            tipster_notices.record_tipster_notice(uow, tip, event, self.config["SODSONG"],
                                                  reporter=self.notices.reporter,
                                                  volunteer_contact=self.notices.volunteer_contact)
        return effect

    @retention_job
    def retention(self):
        """Deletes what is kept no longer (shared.retention), each deletion audited."""
        config = self.config["SODSONG"]
        retention.run(self.db, self.name, config, intake_retention.steps(config))

    @cluster_job("intake.idempotency_purge", every=3600)
    def purge_idempotent_responses(self):
        """Forget idempotent responses (they hold receipts) once they expire (24 h)."""
        idempotency.purge(self.db)

    @cluster_job("intake.line_housekeeping", every=LineProcessor.housekeeping_every)
    def line_housekeeping(self):
        """Delete idle LINE drafts (and their files), stray files and old event ids."""
        self.line.housekeeping()
