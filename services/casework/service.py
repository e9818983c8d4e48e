"""casework: the agency caseworkers' desk — one inbox per office, a JSON API and web pages over it.

The nameko shell only: each entrypoint hands its event to a use case (usecases/), or its request to the HTTP
edge (web/routes.py for the JSON API, web/pages.py for the pages; the operator page is web/operator.py).
"""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.casework import deadlines, metrics
from services.casework import retention as casework_retention
from services.casework.models import Base
from services.casework.repository import CaseworkRepository
from services.casework.usecases import routing_decisions, tipster_messages, volunteers
from services.casework.web import filing, pages, routes
from services.casework.web.account_pages import AccountPages
from services.casework.web.auth import Desk
from services.casework.web.entrypoints import desk_api, desk_page
from services.casework.web.operator import OperatorPages
from shared import retention as retention_jobs
from shared.clock import utcnow
from shared.dependencies import Database, LoggingContext
from shared.group_commit import by_reference, each_in_turn
from shared.jobs import cluster_job
from shared.operator_actions import RedrivesOnRequest
from shared.reliable import subscribe
from shared.retention import retention_job


class Service(OperatorPages, AccountPages, RedrivesOnRequest):  # entrypoints in web/operator.py, web/account_pages.py
    name = "casework"

    db = Database(Base.metadata, blind_index=True, repository=CaseworkRepository, gauges=metrics.refresh)
    log = LoggingContext()
    config = Config()
    desk = Desk()

    # == events ==================================================================================================
    @subscribe("tip.routed")
    def on_tip_routed(self, event):
        deadline_config = self.config["SODSONG"]["casework"].get("deadlines", {})
        # in one transaction with the decisions other workers hold now (shared.group_commit), each as alone
        self.db.consume_together(event, each_in_turn(
            lambda uow, ev: routing_decisions.open_case(uow, ev, deadline_config), by_reference))

    @subscribe("tip.transfer_refused")
    def on_transfer_refused(self, event):
        self.db.consume(event, routing_decisions.transfer_refused)

    @subscribe("tip.duplicates_found")
    def on_duplicates_found(self, event):
        # in one transaction with those other workers hold now, in the order they came (the first of equal pairs
        # is kept, as one after the other)
        self.db.consume_together(event, each_in_turn(routing_decisions.duplicates_found))

    @subscribe("tip.message_added")
    def on_tipster_message(self, event):
        self.db.consume(event, tipster_messages.message_added)

    @subscribe("tip.attachments_received")
    def on_tipster_attachments(self, event):
        self.db.consume(event, tipster_messages.attachments_received)

    @subscribe("volunteer.registered", "volunteer.disabled")
    def on_volunteer_changed(self, event):
        self.db.consume(event, volunteers.volunteer_changed)

    @subscribe("tip.feedback_recorded")
    def on_feedback_recorded(self, event):
        self.db.consume(event, tipster_messages.feedback_recorded)

    # == timers ==================================================================================================
    @cluster_job(deadlines.SWEEP_LEASE, every="casework.sweep_seconds", lease_seconds="casework.sweep_lease_seconds")
    def sweep_deadlines(self):
        result = deadlines.sweep(self.db, self.config["SODSONG"]["casework"]["deadlines"], now=utcnow(),
                                 holder=self.desk.instance)
        if result.reminders or result.breaches:
            self.log.info("deadlines.swept", reminders=len(result.reminders), breaches=len(result.breaches))

    @retention_job
    def retention(self):
        """Deletes what is kept no longer (shared.retention), each deletion audited."""
        config = self.config["SODSONG"]
        retention_jobs.run(self.db, self.name, config, casework_retention.steps(config))

    # == the JSON API (web/routes.py) ============================================================================
    @desk_api("GET", "/health")
    def health(self, request):
        return routes.health(self.desk, request)

    @desk_api("POST", "/api/v1/session")
    def api_sign_in(self, request):
        return routes.sign_in(self.desk, request)

    @desk_api("DELETE", "/api/v1/session")
    def api_sign_out(self, request):
        return routes.sign_out(self.desk, request)

    @desk_api("GET", "/api/v1/session")
    def api_whoami(self, request):
        return routes.whoami(self.desk, request)

    @desk_api("POST", "/api/v1/session/password")
    def api_change_password(self, request):
        return routes.change_password(self.desk, request)

    @desk_api("POST", "/api/v1/password-reset")
    def api_redeem_reset(self, request):
        return routes.redeem_reset(self.desk, request)

    @desk_api("POST", "/api/v1/filing-tickets")
    def api_filing_ticket(self, request):
        return filing.api_ticket(self.desk, request)

    @desk_api("GET", "/api/v1/cases")
    def api_cases(self, request):
        return routes.cases(self.desk, request)

    @desk_api("GET", "/api/v1/cases.csv")
    def api_cases_csv(self, request):
        return routes.cases_csv(self.desk, request)

    @desk_api("GET", "/api/v1/cases/<reference>")
    def api_case(self, request, reference):
        return routes.case(self.desk, request, reference)

    @desk_api("GET", "/api/v1/cases/<reference>/attachments/<attachment_id>")
    def api_attachment(self, request, reference, attachment_id):
        return routes.attachment(self.desk, request, reference, attachment_id)

    @desk_api("POST", "/api/v1/cases/<reference>/transitions")
    def api_transition(self, request, reference):
        return routes.transition(self.desk, request, reference)

    @desk_api("POST", "/api/v1/cases/<reference>/closure-rejection")
    def api_reject_closure(self, request, reference):
        return routes.reject_closure(self.desk, request, reference)

    @desk_api("GET", "/api/v1/handovers")
    def api_handovers(self, request):
        return routes.handovers(self.desk, request)

    @desk_api("POST", "/api/v1/cases/<reference>/transfer")
    def api_transfer(self, request, reference):
        return routes.transfer(self.desk, request, reference)

    @desk_api("POST", "/api/v1/cases/<reference>/triage-decision")
    def api_triage_decision(self, request, reference):
        return routes.triage_decision(self.desk, request, reference)

    @desk_api("POST", "/api/v1/cases/<reference>/notes")
    def api_note(self, request, reference):
        return routes.note(self.desk, request, reference)

    @desk_api("POST", "/api/v1/cases/<reference>/questions")
    def api_question(self, request, reference):
        return routes.question(self.desk, request, reference)

    @desk_api("POST", "/api/v1/cases/<reference>/assignment")
    def api_assign(self, request, reference):
        return routes.assign(self.desk, request, reference)

    @desk_api("POST", "/api/v1/cases/<reference>/deadlines")
    def api_extend(self, request, reference):
        return routes.extend(self.desk, request, reference)

    @desk_api("GET", "/api/v1/cases/<reference>/access-log")
    def api_access_log(self, request, reference):
        return routes.access_log(self.desk, request, reference)

    @desk_api("GET", "/api/v1/access-log")
    def api_access_entries(self, request):
        return routes.access_entries(self.desk, request)

    @desk_page("GET", "/access-log")
    def page_access_log(self, request):
        return pages.access_log(self.desk, request)

    @desk_api("GET", "/api/v1/stats")
    def api_stats(self, request):
        return routes.stats(self.desk, request)

    @desk_api("GET", "/api/v1/stats.csv")
    def api_stats_csv(self, request):
        return routes.stats_csv(self.desk, request)

    @desk_api("GET", "/api/v1/users")
    def api_users(self, request):
        return routes.users(self.desk, request)

    @desk_api("POST", "/api/v1/users")
    def api_create_user(self, request):
        return routes.create_user(self.desk, request)

    @desk_api("POST", "/api/v1/users/<username>/password-reset")
    def api_reset_password(self, request, username):
        return routes.reset_password(self.desk, request, username)

    @desk_api("POST", "/api/v1/users/<username>/disable")
    def api_disable_user(self, request, username):
        return routes.disable_user(self.desk, request, username)

    # == web pages (web/pages.py) ================================================================================
    @desk_page("GET", "/static/desk.css")
    def page_css(self, request):
        return pages.css(self.desk, request)

    @desk_page("GET", "/favicon.ico")
    def page_favicon(self, request):
        return pages.favicon(self.desk, request)

    @desk_page("GET", "/")
    def page_home(self, request):
        return pages.home(self.desk, request)

    @desk_page("GET", "/file")
    def page_file(self, request):
        return filing.page(self.desk, request)

    @desk_page("GET", "/language")
    def page_language(self, request):
        return pages.language(self.desk, request)

    @desk_page("GET", "/login")
    def page_login(self, request):
        return pages.login(self.desk, request)

    @desk_page("POST", "/login")
    def page_sign_in(self, request):
        return pages.sign_in(self.desk, request)

    @desk_page("GET", "/password")
    def page_password(self, request):
        return pages.password(self.desk, request)

    @desk_page("POST", "/password")
    def page_password_post(self, request):
        return pages.change_password(self.desk, request)

    @desk_page("GET", "/password-reset")
    def page_reset(self, request):
        return pages.password_reset(self.desk, request)

    @desk_page("POST", "/password-reset")
    def page_reset_post(self, request):
        return pages.redeem_reset(self.desk, request)

    @desk_page("POST", "/logout")
    def page_sign_out(self, request):
        return pages.sign_out(self.desk, request)

    @desk_page("GET", "/cases")
    def page_inbox(self, request):
        return pages.inbox(self.desk, request)

    @desk_page("GET", "/cases.csv")
    def page_cases_csv(self, request):
        return pages.cases_csv(self.desk, request)

    @desk_page("POST", "/cases/bulk")
    def page_bulk(self, request):
        return pages.bulk(self.desk, request)

    @desk_page("POST", "/cases/views")
    def page_save_view(self, request):
        return pages.save_view(self.desk, request)

    @desk_page("POST", "/cases/views/<view_id>/delete")
    def page_delete_view(self, request, view_id):
        return pages.delete_view(self.desk, request, view_id)

    @desk_page("GET", "/cases/<reference>")
    def page_case(self, request, reference):
        return pages.case(self.desk, request, reference)

    @desk_page("GET", "/cases/<reference>/attachments/<attachment_id>")
    def page_attachment(self, request, reference, attachment_id):
        return pages.attachment(self.desk, request, reference, attachment_id)

    @desk_page("POST", "/cases/<reference>/transition")
    def page_transition(self, request, reference):
        return pages.transition(self.desk, request, reference)

    @desk_page("POST", "/cases/<reference>/closure-rejection")
    def page_reject_closure(self, request, reference):
        return pages.reject_closure(self.desk, request, reference)

    @desk_page("GET", "/handovers")
    def page_handovers(self, request):
        return pages.handovers(self.desk, request)

    @desk_page("POST", "/cases/<reference>/triage-decision")
    def page_triage_decision(self, request, reference):
        return pages.triage_decision(self.desk, request, reference)

    @desk_page("POST", "/cases/<reference>/notes")
    def page_note(self, request, reference):
        return pages.note(self.desk, request, reference)

    @desk_page("POST", "/cases/<reference>/questions")
    def page_question(self, request, reference):
        return pages.question(self.desk, request, reference)

    @desk_page("POST", "/cases/<reference>/assignment")
    def page_assign(self, request, reference):
        return pages.assign(self.desk, request, reference)

    @desk_page("POST", "/cases/<reference>/deadlines")
    def page_extend(self, request, reference):
        return pages.extend(self.desk, request, reference)

    @desk_page("GET", "/templates")
    def page_templates(self, request):
        return pages.templates(self.desk, request)

    @desk_page("POST", "/templates")
    def page_template_create(self, request):
        return pages.save_template(self.desk, request)

    @desk_page("POST", "/templates/<template_id>")
    def page_template_update(self, request, template_id):
        return pages.save_template(self.desk, request, template_id)

    @desk_page("POST", "/templates/<template_id>/delete")
    def page_template_delete(self, request, template_id):
        return pages.delete_template(self.desk, request, template_id)

    @desk_page("GET", "/stats")
    def page_stats(self, request):
        return pages.stats(self.desk, request)

    @desk_api("GET", "/api/v1/network")
    def api_network(self, request):
        return routes.network(self.desk, request)

    @desk_api("GET", "/api/v1/network.csv")
    def api_network_csv(self, request):
        return routes.network_csv(self.desk, request)

    @desk_page("GET", "/network")
    def page_network(self, request):
        return pages.network(self.desk, request)

    @desk_page("GET", "/network.csv")
    def page_network_csv(self, request):
        return pages.network_csv(self.desk, request)

    @desk_page("GET", "/network.json")
    def page_network_json(self, request):
        return pages.network_json(self.desk, request)

    @desk_page("GET", "/stats.csv")
    def page_stats_csv(self, request):
        return pages.stats_csv(self.desk, request)
