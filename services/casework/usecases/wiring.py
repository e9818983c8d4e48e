"""The desk's use cases, each wired once: its unit of work (a transaction, or a read-only repository for pure
queries), the clock and the desk's settings. The JSON API (web/routes.py) and the pages (web/pages.py) both
call these methods, so a use case is never put together twice."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

from services.casework.domain import policy
from services.casework.usecases import (
    access_log,
    accounts,
    case_actions,
    case_reading,
    evidence,
    inbox,
    network,
    reply_templates,
    statistics,
)
from services.casework.usecases.case_reading import DeskSettings
from shared.clock import utcnow


@dataclass
class DeskUseCases:
    db: object                      # the service's database (transaction(), reading(), repository)
    settings: DeskSettings
    account_settings: dict
    passwords: accounts.Passwords
    config: dict                    # the whole SODSONG configuration (evidence links are signed with it)

    @contextlib.contextmanager
    def _reading(self):
        """A repository for queries only (nothing it does is committed)."""
        with self.db.reading() as session:
            yield self.db.repository(session)

    # -- cases -----------------------------------------------------------------------------------------------
    def list_cases(self, principal: policy.Principal, filters: dict) -> dict:
        if principal.role not in policy.VIEWS:
            raise policy.Forbidden()
        now = utcnow()
        with self._reading() as repo:  # the query outside the write transaction (SQLite has one writer)
            listing, shown = case_reading.list_cases(repo, principal, filters, now, self.settings)
        if shown:
            with self.db.transaction() as uow:
                case_reading.record_listing(uow, principal, shown, now)
        return listing

    def saved_views(self, principal: policy.Principal) -> list[dict]:
        with self._reading() as repo:
            return inbox.list_views(repo, principal)

    def save_view(self, principal: policy.Principal, name: str | None, params: dict) -> dict:
        with self.db.transaction() as uow:
            return inbox.save_view(uow, principal, name, params, utcnow())

    def delete_view(self, principal: policy.Principal, view_id: int) -> None:
        with self.db.transaction() as uow:
            inbox.delete_view(uow, principal, view_id)

    def bulk(self, principal: policy.Principal, references, *, action: str, reason: str | None,
             assignee: str | None) -> dict:
        """Several cases at once, each through its own use case and transaction (usecases/inbox.py)."""
        def run_one(reference, action, reason, assignee):
            if action == "acknowledge":
                return self.transition(principal, reference, to="acknowledged", reason=reason)
            return self.assign(principal, reference, assignee=assignee)
        return inbox.bulk(run_one, references, action=action, reason=reason, assignee=assignee)

    def export_cases(self, principal: policy.Principal, filters: dict) -> str:
        with self.db.transaction() as uow:
            return inbox.export(uow, principal, filters, utcnow(), self.settings)

    def assignable_users(self, principal: policy.Principal) -> list[dict]:
        """Who the caller may assign cases to (for the inbox's picker): active accounts of its office."""
        with self._reading() as repo:
            return [{"username": u.username, "display_name": u.display_name}
                    for u in repo.users_in_scope(policy.Scope(office=principal.office_code))
                    if not u.disabled and u.role in ("caseworker", "supervisor", "triage_officer")]

    def read_case(self, principal: policy.Principal, reference: str) -> dict:
        with self.db.transaction() as uow:
            return case_reading.read_case(uow, principal, reference, utcnow(), self.settings)

    def access_log(self, principal: policy.Principal, reference: str) -> dict:
        with self._reading() as repo:
            return case_reading.access_log(repo, principal, reference)

    def access_entries(self, principal: policy.Principal, *, reference: str | None = None,
                       username: str | None = None) -> dict:
        """The access log with names, over the caller's cases (supervisors, auditors)."""
        with self._reading() as repo:
            return access_log.access_log(repo, principal, reference=reference, username=username)

    def handovers(self, principal: policy.Principal) -> dict:
        with self._reading() as repo:
            return case_reading.list_handovers(repo, principal, self.settings)

    def open_evidence(self, principal: policy.Principal, reference: str, attachment_id: str) -> str:
        """A tip's file: recorded as viewed; the URL of intake's short-lived signed link."""
        with self.db.transaction() as uow:
            return evidence.open_file(uow, principal, reference, attachment_id, utcnow(), self.config)

    def transition(self, principal: policy.Principal, reference: str, *, to: str, reason: str | None,
                   resolution: str | None = None, suggested_office: str | None = None,
                   supervisor_override: bool = False, tipster_reason: str | None = None,
                   tipster_reason_en: str | None = None) -> dict:
        with self.db.transaction() as uow:
            return case_actions.transition(
                uow, principal, reference, to=to, reason=reason, resolution=resolution,
                suggested_office=suggested_office, now=utcnow(), settings=self.settings,
                supervisor_override=supervisor_override, tipster_reason=tipster_reason,
                tipster_reason_en=tipster_reason_en)

    def reject_closure(self, principal: policy.Principal, reference: str, *, reason: str | None) -> dict:
        with self.db.transaction() as uow:
            return case_actions.reject_closure(uow, principal, reference, reason=reason, now=utcnow())

    def handover(self, principal: policy.Principal, reference: str, *, mode: str, reason: str | None,
                 suggested_office: str | None = None, supervisor_override: bool = False) -> dict:
        with self.db.transaction() as uow:
            return case_actions.handover(uow, principal, reference, mode=mode, reason=reason,
                                         suggested_office=suggested_office, now=utcnow(),
                                         supervisor_override=supervisor_override)

    def decide_triage(self, principal: policy.Principal, reference: str, *, office: str, reason: str | None,
                      supervisor_override: bool = False) -> dict:
        with self.db.transaction() as uow:
            return case_actions.decide_triage(uow, principal, reference, office=office, reason=reason,
                                              now=utcnow(), supervisor_override=supervisor_override)

    def add_note(self, principal: policy.Principal, reference: str, *, visibility: str, text: str | None) -> dict:
        with self.db.transaction() as uow:
            return case_actions.add_note(uow, principal, reference, visibility=visibility, text=text, now=utcnow())

    def ask_question(self, principal: policy.Principal, reference: str, *, text: str | None,
                     text_en: str | None = None) -> dict:
        with self.db.transaction() as uow:
            return case_actions.ask_question(uow, principal, reference, text=text, text_en=text_en, now=utcnow())

    def assign(self, principal: policy.Principal, reference: str, *, assignee: str | None) -> dict:
        with self.db.transaction() as uow:
            return case_actions.assign(uow, principal, reference, assignee=assignee, now=utcnow())

    def extend_feedback(self, principal: policy.Principal, reference: str, *, months: int,
                        reason: str | None) -> dict:
        with self.db.transaction() as uow:
            return case_actions.extend_feedback(uow, principal, reference, months=months, reason=reason,
                                                now=utcnow(), settings=self.settings)

    # -- reply templates -------------------------------------------------------------------------------------
    def case_templates(self, principal: policy.Principal, office_code: str) -> dict[str, list[dict]]:
        """The templates of a case's office, for whoever may write to its tipster (the case is read already)."""
        if not (policy.may(principal, "question") or policy.may(principal, "note")):
            return {"question": [], "note": []}
        with self._reading() as repo:
            return reply_templates.for_office(repo, office_code)

    def templates(self, principal: policy.Principal) -> list[dict]:
        with self._reading() as repo:
            return reply_templates.list_templates(repo, principal)

    def save_template(self, principal: policy.Principal, fields: dict, template_id: int | None = None) -> dict:
        with self.db.transaction() as uow:
            return reply_templates.save(uow, principal, fields, utcnow(), template_id)

    def delete_template(self, principal: policy.Principal, template_id: int) -> None:
        with self.db.transaction() as uow:
            reply_templates.delete(uow, principal, template_id, utcnow())

    # -- statistics ------------------------------------------------------------------------------------------
    def statistics(self, principal: policy.Principal, filters: dict) -> dict:
        with self._reading() as repo:
            return statistics.statistics(repo, principal, utcnow(), filters)

    def network(self, principal: policy.Principal, network_code: str | None = None) -> dict:
        """The coordinators' view of their network's area (counts only, small ones suppressed)."""
        with self._reading() as repo:
            return network.network_view(repo, principal, self.account_settings.get("networks") or {}, utcnow(),
                                        network_code, state_labels=self.settings.state_labels)

    # -- accounts --------------------------------------------------------------------------------------------
    def sign_out(self, token: str | None, principal: policy.Principal | None) -> bool:
        return accounts.sign_out(self.db, token, principal)

    def change_password(self, principal: policy.Principal, *, current: str, new: str,
                        keep_token: str | None) -> int:
        """The user's own change; every other session of the account ends (how many)."""
        return accounts.change_password(self.db, self.passwords, principal, current=current, new=new,
                                        keep_token=keep_token)

    def users(self, principal: policy.Principal) -> list[dict]:
        with self._reading() as repo:
            return accounts.list_accounts(repo, principal)

    def create_user(self, principal: policy.Principal, fields: dict) -> dict:
        with self.db.transaction() as uow:
            return accounts.create_account(uow, self.passwords, principal, fields)

    def reset_password(self, principal: policy.Principal, username: str) -> tuple[str, str, object]:
        with self.db.transaction() as uow:
            return accounts.reset_account(uow, principal, username, cfg=self.account_settings)

    def disable_user(self, principal: policy.Principal, username: str) -> tuple[str, int]:
        with self.db.transaction() as uow:
            return accounts.disable_administered(uow, principal, username)

    def enable_user(self, principal: policy.Principal, username: str) -> str:
        with self.db.transaction() as uow:
            return accounts.enable_account(uow, principal, username)

    def unlock_user(self, principal: policy.Principal, username: str) -> str:
        with self.db.transaction() as uow:
            return accounts.unlock_account(uow, principal, username)

    def change_user(self, principal: policy.Principal, username: str, *, role: str, office_code: str) -> dict:
        with self.db.transaction() as uow:
            return accounts.change_account(uow, principal, username, role=role, office_code=office_code)

    def user(self, principal: policy.Principal, username: str) -> dict:
        with self._reading() as repo:
            return accounts.account_view(accounts.find_account(repo, principal, username))

    def set_contacts(self, principal: policy.Principal, username: str | None, *, email, line_user_id) -> dict:
        with self.db.transaction() as uow:
            return accounts.set_contacts(uow, principal, username, email=email, line_user_id=line_user_id)

    def my_account(self, principal: policy.Principal) -> dict:
        with self._reading() as repo:
            return accounts.my_account(repo, principal)

    def start_totp(self, principal: policy.Principal) -> dict:
        with self.db.transaction() as uow:
            return accounts.start_totp(uow, principal)

    def pending_totp(self, principal: policy.Principal) -> dict | None:
        with self._reading() as repo:
            return accounts.pending_totp(repo, principal)

    def confirm_totp(self, principal: policy.Principal, code: str) -> None:
        with self.db.transaction() as uow:
            accounts.confirm_totp(uow, principal, code)

    def unlocked_at(self, username: str):
        """When an administrator last unlocked this username (None if never or unknown)."""
        with self._reading() as repo:
            user = repo.user_by_username(str(username or "").strip().lower()[:64])
            return accounts.aware(user.unlocked_at) if user is not None and user.unlocked_at else None
