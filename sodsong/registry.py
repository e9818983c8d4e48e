"""The services Sodsong is made of, named once: what each one is, where its parts live, what it consumes.

This is the one place that knows every service. `shared/` knows none of them: the composition root (this package)
hands what shared needs down to it — the consumer queues to `shared.topology`, each service's metadata and
migrations to `shared.migrations`, its database to `shared.dependencies.service_db_for`.

Entries name their parts as import paths, resolved on demand, so `sodsong run --service intake` imports intake
and nothing of the other four. The consumers are written out here (not read from the service classes) for the
same reason: a process running one service still declares every queue, so an event published before its consumer
ever ran waits for it. tests/unit/test_registry.py checks them against the service classes.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from shared import config as config_mod
from shared import migrations
from shared.db import ServiceDatabase
from shared.dependencies import service_db_for as _service_db_for
from shared.topology import Subscription

ROOT = Path(__file__).resolve().parent.parent


def resolve(path: str):
    """`package.module:attribute` -> the attribute; `package.module` -> the module."""
    module, _, attribute = path.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attribute) if attribute else found


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    consumes: dict[str, tuple[str, ...]]       # handler method -> event types (its queue: sodsong.<name>.<method>)
    blind_index: bool = False                   # searches sealed text (shared.blind_index)
    # click commands (name -> import path) mounted on `sodsong`, `sodsong ops`, `sodsong backup`, `sodsong restore`
    cli: dict[str, str] = field(default_factory=dict)
    cli_ops: dict[str, str] = field(default_factory=dict)
    cli_backup: dict[str, str] = field(default_factory=dict)
    cli_restore: dict[str, str] = field(default_factory=dict)
    retention: str | None = None                # callable(config) -> retention steps (shared.retention)
    repository: str | None = None               # callable(session) -> the service's repository (`uow.repo`)
    # callable(db, config, *, check, batch, reindex) -> (extra result fields, stale values): what the service
    # re-seals itself after `sodsong keys rotate` re-sealed its sealed columns
    after_reseal_hook: str | None = None

    @property
    def package(self) -> str:
        return f"services.{self.name}"

    @property
    def migrations_dir(self) -> Path:
        return ROOT / "services" / self.name / "migrations"

    def service_class(self):
        return resolve(f"{self.package}.service:Service")

    def metadata(self):
        return resolve(f"{self.package}.models:Base").metadata

    def subscriptions(self) -> list[Subscription]:
        return [Subscription(self.name, method, types) for method, types in sorted(self.consumes.items())]

    def retention_steps(self, config: dict) -> tuple:
        return tuple(resolve(self.retention)(config)) if self.retention else ()

    def after_reseal(self, db, config: dict, **options) -> tuple[dict, int]:
        return resolve(self.after_reseal_hook)(db, config, **options) if self.after_reseal_hook else ({}, 0)


_OPERATOR_REDRIVE = {"on_redrive_requested": ("ops.dead_letter_redrive_requested",)}

SERVICES: dict[str, ServiceEntry] = {e.name: e for e in (
    ServiceEntry(
        "intake",
        consumes={
            "on_case_note_added": ("case.note_added",),
            "on_case_opened": ("case.opened",),
            "on_case_question_asked": ("case.question_asked",),
            "on_case_status_changed": ("case.status_changed",),
            "on_tip_routed": ("tip.routed",),
            "on_delivery_retry_requested": ("ops.delivery_retry_requested",),
            **_OPERATOR_REDRIVE,
        },
        cli={"volunteers": "services.intake.cli:volunteers", "intake": "services.intake.cli:intake",
             "line": "services.intake.line.cli:line"},
        cli_backup={"keys": "services.intake.cli:export_keys"},
        cli_restore={"keys": "services.intake.cli:import_keys"},
        retention="services.intake.retention:steps",
        after_reseal_hook="services.intake.cli:after_reseal",
        repository="services.intake.repository:IntakeRepository",
    ),
    ServiceEntry(
        "routing",
        consumes={
            "on_tip_received": ("tip.received",),
            "on_transfer_requested": ("case.transfer_requested",),
            "on_triage_decided": ("case.triage_decided",),
            **_OPERATOR_REDRIVE,
        },
        cli={"routing": "services.routing.cli:routing"},
        repository="services.routing.repository:RoutingRepository",
    ),
    ServiceEntry(
        "casework",
        consumes={
            "on_duplicates_found": ("tip.duplicates_found",),
            "on_feedback_recorded": ("tip.feedback_recorded",),
            "on_tip_routed": ("tip.routed",),
            "on_tipster_attachments": ("tip.attachments_received",),
            "on_tipster_message": ("tip.message_added",),
            "on_transfer_refused": ("tip.transfer_refused",),
            "on_volunteer_changed": ("volunteer.registered", "volunteer.disabled"),
            **_OPERATOR_REDRIVE,
        },
        blind_index=True,
        cli={"users": "services.casework.cli:users"},
        cli_ops={"cases": "services.casework.cli:cases"},
        retention="services.casework.retention:steps",
        after_reseal_hook="services.casework.cli:after_reseal",
        repository="services.casework.repository:CaseworkRepository",
    ),
    ServiceEntry(
        "notify",
        consumes={
            "on_account_contacts": ("account.contacts_changed",),
            "on_case_assigned": ("case.assigned",),
            "on_case_deadline": ("case.deadline_reminder", "case.deadline_breached"),
            "on_case_opened": ("case.opened",),
            "on_delivery_retry_requested": ("ops.delivery_retry_requested",),
            **_OPERATOR_REDRIVE,
        },
        cli_ops={"notifications": "services.notify.cli:notifications"},
        repository="services.notify.repository:NotifyRepository",
        retention="services.notify.retention:steps",
    ),
    ServiceEntry(
        "audit",
        consumes={"record": ("#",), **_OPERATOR_REDRIVE},
        cli={"audit": "services.audit.cli:audit"},
        repository="services.audit.repository:AuditRepository",
    ),
)}

assert tuple(SERVICES) == config_mod.SERVICES, "the registry and shared.config.SERVICES name the same services"


def entry(name: str) -> ServiceEntry:
    return SERVICES[name]


def subscriptions(names=None) -> list[Subscription]:
    """Every consumer queue of the services named (default: all), in service order."""
    return [sub for name in (names or SERVICES) for sub in SERVICES[name].subscriptions()]


def commands(kind: str) -> dict[str, str]:
    """The services' click commands for one place (`cli`, `cli_ops`, `cli_backup`, `cli_restore`): name -> path."""
    found: dict[str, str] = {}
    for e in SERVICES.values():
        found.update(getattr(e, kind))
    return found


def migrate(service: str, db_url: str, revision: str = "head") -> None:
    """Apply one service's migrations to `db_url`."""
    migrations.upgrade(service, db_url, SERVICES[service].migrations_dir, revision)


def migrate_all(config: dict, services=None) -> None:
    for service in services or SERVICES:
        migrate(service, config[service]["db_url"])


def service_db_for(service: str, config: dict) -> ServiceDatabase:
    """A service's database outside a running container (the CLI, the operator views, tests)."""
    e = SERVICES[service]
    return _service_db_for(service, config, e.metadata(), blind_index=e.blind_index,
                           repository=resolve(e.repository) if e.repository else None)


def nameko_config(config: dict, service: str) -> dict:
    """A service container's config, with the whole topology for it to declare at start."""
    return {**config_mod.nameko_config(config, service), "SODSONG_SUBSCRIPTIONS": subscriptions()}
