"""`sodsong audit`: verify the chain and its signed checkpoints, write a checkpoint, show one tip's trail."""
from __future__ import annotations

import json
import sys

import click
from sqlalchemy import select

from services.audit import usecases
from services.audit.domain import anchor
from services.audit.models import Base, ChainEntry
from services.audit.repository import AuditRepository
from shared.cli_output import echo_rows
from shared.db import ServiceDatabase
from shared.dependencies import service_db_for


def _config(ctx) -> dict:
    return ctx.find_root().obj["config"]


def _db(config: dict) -> ServiceDatabase:
    return service_db_for("audit", config, Base.metadata, repository=AuditRepository)


@click.group()
def audit():
    """The audit trail."""


@audit.command("verify")
@click.option("--require-checkpoint", is_flag=True, help="Fail when there is no signed checkpoint to check against.")
@click.pass_context
def audit_verify(ctx, require_checkpoint):
    """Check the keyed chain and every signed checkpoint; exits non-zero naming the first bad entry."""
    config = _config(ctx)
    with _db(config).reading() as session:
        verdict = usecases.verify_all(config, AuditRepository(session))
    if verdict.ok and require_checkpoint and verdict.checkpoint_seq is None:
        click.echo(f"BROKEN: no signed checkpoint at {anchor.checkpoint_file(config)}", err=True)
        sys.exit(1)
    if verdict.ok:
        anchored = (f"anchored by a signed checkpoint at entry {verdict.checkpoint_seq}"
                    if verdict.checkpoint_seq else "no signed checkpoint yet")
        legacy = f", {verdict.legacy_entries} from before the chain was keyed" if verdict.legacy_entries else ""
        click.echo(f"ok: {verdict.entries} entries, chain intact{legacy}; {anchored}")
        return
    where = f" at entry {verdict.first_bad_seq}" if verdict.first_bad_seq is not None else ""
    click.echo(f"BROKEN{where}: {verdict.problem} ({verdict.entries} entries verified before it)", err=True)
    sys.exit(1)


@audit.command("checkpoint")
@click.option("--public-key", "show_public", is_flag=True, help="Print the checkpoints' public key (PEM) instead.")
@click.pass_context
def audit_checkpoint(ctx, show_public):
    """Append a signed checkpoint (head entry and MAC) to audit.checkpoint_file; ship that file elsewhere."""
    config = _config(ctx)
    if show_public:
        click.echo(anchor.public_key_pem(config), nl=False)
        return
    with _db(config).reading() as session:
        repo = AuditRepository(session)
        verdict = usecases.verify_all(config, repo)
        if not verdict.ok:
            click.echo(f"refused: the chain does not verify (entry {verdict.first_bad_seq}: {verdict.problem})",
                       err=True)
            sys.exit(1)
        record = usecases.write_checkpoint(config, repo)
    if record is None:
        click.echo("the chain is empty: nothing to checkpoint")
        return
    click.echo(json.dumps({"seq": record["seq"], "hash": record["hash"], "file": str(anchor.checkpoint_file(config))}))


@audit.command("trail")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def audit_trail(ctx, reference, as_json):
    """The audit entries of one tip (types, times, actors; never content)."""
    with _db(_config(ctx)).reading() as session:
        rows = [{"seq": e.seq, "event_type": e.event_type, "occurred_at": e.occurred_at,
                 "actor": f"{e.actor_kind}:{e.actor_id}", "hash": e.hash}
                for e in session.execute(select(ChainEntry).where(ChainEntry.correlation_id == reference)
                                         .order_by(ChainEntry.seq)).scalars()]
    echo_rows(rows, as_json, lambda row: f"{row['seq']}\t{row['occurred_at']}\t{row['event_type']}\t{row['actor']}")
