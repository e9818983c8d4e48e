"""Operator commands: dead letters, outbox, health, queues. Never print tip content.

`queues`, `outbox` and `dlq list` read through sodsong.ops_view, as casework's operator page does. The services'
own operator commands (`ops cases`, `ops notifications`) are named in sodsong.registry and mounted here.
`dlq redrive|discard` write the dead letters of the service named, with the operator's own database access: an
administrator's tool (the operator page instead asks the owning service with an event)."""
from __future__ import annotations

import json
import sys
import time

import click
from kombu import Connection
from sqlalchemy import text

from shared import broker_status, deadletters, heartbeats
from shared.cli_output import echo_table
from shared.config import SERVICES, is_memory_transport
from sodsong import registry
from sodsong.lazy import LazyGroup
from sodsong.ops_view import dead_letter_rows, outbox_rows, queue_rows, scrub, service_dbs


def _dbs(config, service):
    return service_dbs(config, service)


@click.group(cls=LazyGroup, lazy=registry.commands("cli_ops"))
def ops():
    """Operator tools."""


@ops.group()
def dlq():
    """Dead-lettered events per service."""


@dlq.command("list")
@click.option("--service", type=click.Choice(SERVICES))
@click.option("--status", default="dead", show_default=True,
              help="dead | redrive_requested | redriving | redriven | discarded | all")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def dlq_list(ctx, service, status, as_json):
    rows = dead_letter_rows(ctx.obj["config"], service, None if status == "all" else status)
    echo_table(rows, as_json, ["service", "id", "event_type", "correlation_id", "status", "attempts", "age_seconds",
                          "error"])


@dlq.command("redrive")
@click.option("--service", type=click.Choice(SERVICES), required=True)
@click.argument("letter_ids", type=int, nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every dead letter of the service.")
@click.pass_context
def dlq_redrive(ctx, service, letter_ids, everything):
    """Put dead letters back through their handler (a running instance of the service picks them up)."""
    (_, db), = _dbs(ctx.obj["config"], service)
    if everything:
        letter_ids = [letter["id"] for letter in deadletters.list_letters(db, "dead")]
    failed = [i for i in letter_ids if not deadletters.set_status(db, i, "redrive_requested")]
    click.echo(f"redrive requested for {len(letter_ids) - len(failed)} dead letter(s)")
    if failed:
        click.echo(f"not dead (or unknown): {failed}", err=True)
        sys.exit(1)


@dlq.command("show")
@click.option("--service", type=click.Choice(SERVICES), required=True)
@click.argument("letter_id", type=int)
@click.pass_context
def dlq_show(ctx, service, letter_id):
    """One dead letter: its envelope (without the payload's values), the error and its history."""
    (_, db), = _dbs(ctx.obj["config"], service)
    letter = next((x for x in deadletters.list_letters(db, None) if x["id"] == letter_id), None)
    if letter is None:
        click.echo(f"no dead letter {letter_id} in {service}", err=True)
        sys.exit(1)
    try:
        body = json.loads(letter["body"])
    except ValueError:
        body = None
    envelope = {}
    if isinstance(body, dict):
        envelope = {k: body.get(k) for k in ("id", "type", "version", "occurred_at", "correlation_id",
                                             "causation_id", "actor") if k in body}
        if isinstance(body.get("payload"), dict):
            envelope["payload_fields"] = sorted(body["payload"])  # names only: values may be tip content
    shown = {
        "service": service, "id": letter["id"], "queue": letter["queue"], "status": letter["status"],
        "attempts": letter["attempts"], "times_dead": letter["times_dead"],
        "first_dead_at": letter["first_dead_at"], "last_dead_at": letter["last_dead_at"],
        "redriven_at": letter["redriven_at"], "error": scrub(letter["error"]), "envelope": envelope,
    }
    click.echo(json.dumps(shown, ensure_ascii=False, indent=1, default=str))


@dlq.command("discard")
@click.option("--service", type=click.Choice(SERVICES), required=True)
@click.argument("letter_ids", type=int, nargs=-1, required=True)
@click.pass_context
def dlq_discard(ctx, service, letter_ids):
    """Mark dead letters as deliberately discarded (they stay on record)."""
    (_, db), = _dbs(ctx.obj["config"], service)
    done = sum(deadletters.set_status(db, i, "discarded") for i in letter_ids)
    click.echo(f"discarded {done} dead letter(s)")


@ops.command("outbox")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def outbox(ctx, as_json):
    """Unpublished events and the oldest one's age, per service."""
    echo_table(outbox_rows(ctx.obj["config"]), as_json, ["service", "unpublished", "oldest_age_seconds", "note"])


@ops.command("queues")
@click.option("--json", "as_json", is_flag=True)
@click.option("--sample", type=float, default=0.0, help="Seconds between two looks, to flag growing backlogs.")
@click.pass_context
def queues(ctx, as_json, sample):
    """Per queue: messages ready/unacked, consumers, rates (management API) and warnings."""
    config = ctx.obj["config"]
    if is_memory_transport(config):
        click.echo("embedded mode: the broker lives inside the `sodsong run` process; see `sodsong ops outbox` "
                   "and `sodsong ops dlq list`", err=True)
        return
    earlier = None
    if sample > 0:
        earlier = broker_status.snapshot(config, registry.subscriptions())
        time.sleep(sample)
    rows = queue_rows(config, earlier)
    for row in rows:
        row["flags"] = ",".join(row["flags"])
    echo_table(rows, as_json, ["queue", "ready", "unacked", "consumers", "publish_rate", "deliver_rate", "flags"])


@ops.command("health")
@click.option("--json", "as_json", is_flag=True)
@click.option("--within", type=float, default=30.0, show_default=True,
              help="A service is alive if an instance beat within this many seconds.")
@click.pass_context
def health(ctx, as_json, within):
    """Broker, databases and every service's heartbeat; exits 1 when anything is unhealthy."""
    config = ctx.obj["config"]
    checks = []
    if is_memory_transport(config):
        checks.append({"check": "broker", "ok": True, "detail": "in-process (embedded)"})
    else:
        try:
            with Connection(config["amqp_uri"], connect_timeout=5) as conn:
                conn.ensure_connection(max_retries=1)
            checks.append({"check": "broker", "ok": True, "detail": "reachable"})
        except Exception as exc:
            checks.append({"check": "broker", "ok": False, "detail": type(exc).__name__})
    for name, db in _dbs(config, None):
        try:
            with db.reading() as session:
                session.execute(text("SELECT 1"))
            checks.append({"check": f"db:{name}", "ok": True, "detail": "reachable"})
        except Exception as exc:
            checks.append({"check": f"db:{name}", "ok": False, "detail": type(exc).__name__})
            continue
        try:
            alive = [i for i in heartbeats.instances(db, within) if i["alive"]]
            checks.append({"check": f"service:{name}", "ok": bool(alive),
                           "detail": f"{len(alive)} instance(s) alive" if alive else "no recent heartbeat"})
        except Exception as exc:
            checks.append({"check": f"service:{name}", "ok": False, "detail": type(exc).__name__})
    echo_table(checks, as_json, ["check", "ok", "detail"])
    if not all(c["ok"] for c in checks):
        sys.exit(1)

