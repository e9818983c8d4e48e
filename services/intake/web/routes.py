"""intake's HTTP routes (JSON API, Open311, the evidence links, the LINE webhook): each turns a request into a call
of the application (usecases/application.py) and its answer into a response. Refusals are answered by
web/entrypoint.py through web/errors.py; the HTML pages are web/pages.py."""
from __future__ import annotations

from werkzeug.wrappers import Response

from services.intake.domain import idempotency
from services.intake.domain.callers import PUBLIC, partner_caller, volunteer_caller
from services.intake.domain.errors import IntakeError
from services.intake.line.service import line_webhook
from services.intake.usecases import conversation, open311 as open311_queries
from services.intake.web import assisted, open311, openapi, pages, requests
from services.intake.web.errors import as_api_error
from shared import evidence_links
from shared.web import SECURITY_HEADERS, ApiError, json_response

FILING_TICKET_HEADER = "X-Filing-Ticket"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
              "application/pdf": "pdf", "text/plain": "txt"}


class IntakeWeb:
    """The HTTP edge over one IntakeApp, built once per container."""

    def __init__(self, app, config: dict):
        self.app = app
        self.config = config
        self.clients = requests.client_settings(config)
        self.max_json = int(config["intake"]["max_body_bytes"])

    def client(self, request) -> str | None:
        return requests.client_address(request, self.clients)

    def same_site(self, request) -> None:
        if requests.cross_site(request, self.config):
            raise ApiError(403, "request.cross_site")

    def body(self, request, part: str):
        return requests.json_or_multipart(request, part, self.max_json, self.app.limits)

    # -- the tip API ----------------------------------------------------------------------------------------------
    def submit(self, request) -> Response:
        self.same_site(request)
        caller = PUBLIC
        if request.headers.get(FILING_TICKET_HEADER):  # staff or a volunteer filing for someone (the desk's ticket)
            caller = self.app.ticket_caller(request.headers.get(FILING_TICKET_HEADER))
        elif request.headers.get("Authorization"):
            caller = volunteer_caller(self.app.volunteer(request.headers.get("Authorization")))
        data, uploads = self.body(request, "tip")
        key = idempotency.parse_key(request.headers.get(idempotency.HEADER))
        status, body, replayed = self.app.file_tip(data, uploads, caller=caller, idempotency_key=key,
                                                   client=self.client(request))
        return json_response(status, body, {"Idempotent-Replayed": "true"} if replayed else None)

    def status(self, request) -> Response:
        return json_response(200, self.app.status(request.headers.get("X-Receipt"), self.client(request)))

    def add_message(self, request) -> Response:
        self.same_site(request)
        client = self.client(request)
        data, uploads = self.body(request, "message")
        return json_response(201, self.app.add_message(request.headers.get("X-Receipt"), client, data, uploads))

    def new_receipt(self, request) -> Response:
        self.same_site(request)
        return json_response(201, self.app.new_receipt(request.headers.get("X-Receipt"), self.client(request)))

    def volunteer_tips(self, request) -> Response:
        volunteer = self.app.volunteer(request.headers.get("Authorization"))
        return json_response(200, self.app.volunteer_tips(volunteer))

    @staticmethod
    def openapi_document(request) -> Response:
        return json_response(200, openapi.document(), {"Cache-Control": "no-cache"})

    # -- a tip's files, for the office, through a link the desk signed (shared/evidence_links.py) -------------------
    def evidence(self, request, reference: str, attachment_id: str) -> Response:
        attachment, data = conversation.serve(self.app.db, self.app.keyring, evidence_links.link_key(self.config),
                                              reference, attachment_id, request.args)
        return download(attachment, data)

    # -- LINE Official Account webhook (services.intake.line) -------------------------------------------------------
    def line_webhook(self, processor, request) -> Response:
        return line_webhook(processor, request, self.max_json)

    # -- Open311 GeoReport v2 ---------------------------------------------------------------------------------------
    @staticmethod
    def open311_services(request) -> Response:
        return json_response(200, open311.services())

    def open311_service(self, request, code: str) -> Response:
        return answer_open311(lambda: open311.service_definition(code))

    def open311_post(self, request) -> Response:
        def post():
            if (request.mimetype or "").lower() != "application/x-www-form-urlencoded":
                raise ApiError(415, "request.wrong_content_type")
            if request.content_length is not None and request.content_length > self.max_json:
                raise ApiError(413, "request.too_large")
            request.max_content_length = self.max_json
            request.max_form_memory_size = self.max_json
            form = request.form
            partner = self.app.partner(form.get("api_key"))
            tip = open311.tip_from_form(form)
            key = idempotency.parse_key(request.headers.get(idempotency.HEADER))
            _, body, _ = self.app.file_tip(tip, caller=partner_caller(partner), idempotency_key=key)
            return open311.post_response(body)
        return answer_open311(post)

    def open311_list(self, request) -> Response:
        def listing():
            partner = self.app.partner(request.args.get("api_key"))
            with self.app.reading() as repo:
                return open311_queries.list_requests(repo, self.app.keyring, partner, request.args)
        return answer_open311(listing)

    def open311_get(self, request, request_id: str) -> Response:
        def one():
            partner = self.app.partner(request.args.get("api_key"))
            with self.app.reading() as repo:
                return open311_queries.one_request(repo, self.app.keyring, partner, request_id)
        return answer_open311(one)

    # -- public web pages (no JavaScript needed) --------------------------------------------------------------------
    def page_report_post(self, request) -> Response:
        return pages.report_post(self.app, request, self.max_json, self.client(request))

    def page_status_post(self, request) -> Response:
        return pages.status_post(self.app, request, self.client(request))

    def page_message_post(self, request) -> Response:
        return pages.message_post(self.app, request, self.client(request), self.max_json)

    def page_receipt_post(self, request) -> Response:
        return pages.new_receipt_post(self.app, request, self.client(request))

    # -- filing on someone's behalf (staff, volunteers), with the desk's ticket -------------------------------------
    def page_assisted(self, request) -> Response:
        return assisted.open_form(self.app, request)

    def page_assisted_post(self, request) -> Response:
        return assisted.file_post(self.app, request, self.max_json)


def answer_open311(produce, status: int = 200) -> Response:
    """Open311 answers refusals in its own error format (a list of {code, description})."""
    try:
        return json_response(status, produce())
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        return json_response(exc.status, open311.error_body(exc.status, exc.key, exc.fields))


def download(attachment, data: bytes) -> Response:
    """A file as a download, never rendered in the browser: attachment disposition, nosniff, a sandboxing CSP."""
    ext = EXTENSIONS.get(attachment.media_type) or attachment.media_type.rpartition("/")[2][:8] or "bin"
    headers = dict(SECURITY_HEADERS)
    headers.update({
        "Content-Disposition": f'attachment; filename="sodsong-{attachment.id[:8]}.{ext}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "X-Sodsong-SHA256": attachment.sha256,
    })
    return Response(data, status=200, mimetype=attachment.media_type, headers=headers)


def no_favicon(request) -> Response:
    # browsers ask for it on every page; nothing to show, and no 404 in the tipster's console
    return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})
