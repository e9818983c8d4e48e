"""`sodsong ops notifications`: deliveries and their state; `retry ID` sends one again; `show ID` one message.

    sodsong ops notifications [--status dead] [--json]        # same as `... notifications list`
    sodsong ops notifications retry ID                         # a failed or dead delivery, sent again at once
    sodsong ops notifications show ID                          # what a staff/office/operator delivery says

Lists notify's deliveries (offices, staff, operators) and intake's tipster and volunteer notices (source
"intake"), showing state only: a tipster appears under their pseudonymous id, and intake's rows hold no address.
`show` prints the rendered message of a notify delivery (it never carries tip content); it refuses intake's.
"""
from __future__ import annotations

import json
import sys

import click
from sqlalchemy import MetaData, inspect

from services.intake import tipster_notices
from services.notify.models import Base, Delivery
from services.notify.repository import NotifyRepository
from services.notify.usecases import retry_now
from shared.cli_output import echo_table
from shared.clock import iso_utc
from shared.dependencies import service_db_for
from shared.notifications import ledger
from shared.notifications.ledger import STATES
from shared.notifications.messages import render

COLUMNS = ["id", "source", "reference", "recipient", "channel", "template", "status", "attempts", "next_attempt_at",
           "sent_at", "last_error"]


def _config(ctx) -> dict:
    obj = ctx.find_root().obj or {}
    if "config" not in obj:
        from shared import config as config_mod

        obj["config"] = config_mod.load()
    return obj["config"]


def _iso(value):
    return iso_utc(value, timespec="seconds")


def _row(source, d: dict) -> dict:
    return {
        "id": d["id"], "source": source, "reference": d["reference"],
        "recipient": f"{d['recipient_kind']}:{d['recipient_id']}", "channel": d["channel"],
        "template": d["template"], "status": d["status"], "attempts": d["attempts"],
        "next_attempt_at": _iso(d["next_attempt_at"]) if d["status"] in ("pending", "failed") else None,
        "created_at": _iso(d["created_at"]), "sent_at": _iso(d["sent_at"]),
        "last_error": (d["last_error"] or "").splitlines()[0][:160] if d["last_error"] else "",
    }


def notify_db(config):
    return service_db_for("notify", config, Base.metadata, repository=NotifyRepository)


def _intake_db(config):
    """intake's database, when its notices table exists there (it is intake's to migrate)."""
    metadata = MetaData()
    table = tipster_notices.notices_table(metadata)
    db = service_db_for("intake", config, metadata)
    try:
        if not inspect(db.engine).has_table(tipster_notices.TABLE_NAME):
            return None, None
    except Exception:
        return None, None
    return db, table


def collect(config, status=None, limit=500) -> list[dict]:
    with notify_db(config).reading() as session:
        rows = [_row("notify", d) for d in NotifyRepository(session).list_rows(status, limit)]
    intake_db, table = _intake_db(config)
    if intake_db is not None:
        with intake_db.reading() as session:
            rows += [_row("intake", d) for d in ledger.list_rows(session, table, status, limit)]
    rows.sort(key=lambda r: r["created_at"] or "")
    return rows


def _emit(rows, as_json):
    echo_table(rows, as_json, COLUMNS, cell=lambda value: "" if value is None else str(value))


_status = click.option("--status", type=click.Choice(STATES), help="Only deliveries in this state.")
_json = click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
_limit = click.option("--limit", type=int, default=500, show_default=True, help="Newest N per source.")


@click.group("notifications", invoke_without_command=True)
@_status
@_json
@_limit
@click.pass_context
def notifications(ctx, status, as_json, limit):
    """Deliveries and their state (no message content, no tipster address)."""
    if ctx.invoked_subcommand is None:
        _emit(collect(_config(ctx), status, limit), as_json)


@notifications.command("list")
@_status
@_json
@_limit
@click.pass_context
def list_(ctx, status, as_json, limit):
    """Deliveries and their state (the default)."""
    _emit(collect(_config(ctx), status, limit), as_json)


@notifications.command("retry")
@click.argument("delivery_id")
@click.pass_context
def retry(ctx, delivery_id):
    """Send a failed or dead delivery again (a running notify, or intake for tipster notices, sends it)."""
    config = _config(ctx)
    if retry_now(notify_db(config), delivery_id):
        click.echo("queued for sending")
        return
    intake_db, table = _intake_db(config)
    if intake_db is not None:
        if ledger.retry_now(intake_db, table, delivery_id):
            click.echo("queued for sending (intake)")
            return
    click.echo("no failed or dead delivery with that id", err=True)
    sys.exit(1)


@notifications.command("show")
@click.argument("delivery_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx, delivery_id, as_json):
    """The message a notify delivery carries, rendered (offices, staff and operators only)."""
    with notify_db(_config(ctx)).reading() as session:
        d = NotifyRepository(session).delivery(delivery_id)
        if d is None:
            click.echo("no notify delivery with that id (tipster notices are not shown)", err=True)
            sys.exit(1)
        row = _row("notify", {c.name: getattr(d, c.name) for c in Delivery.__table__.columns})
        subject, text, _html = render(d.template, d.language, json.loads(d.context_json))
        row.update(address=d.address, subject=subject, text=text)
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=1))
        return
    for key in ("id", "status", "recipient", "address", "channel", "attempts", "last_error"):
        click.echo(f"{key}: {row[key]}")
    click.echo(f"\nSubject: {subject}\n\n{text}")
