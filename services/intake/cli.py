"""intake's commands: `sodsong volunteers ...` and `sodsong intake ...` (partners, key rotation, proofs).

Mounted on `sodsong` by the composition root (sodsong/registry.py names them).
"""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from services.intake import crypto, rotation
from services.intake.domain.errors import CredentialError
from services.intake.usecases import credentials
from services.intake.models import Base
from services.intake.repository import IntakeRepository
from shared import migrations
from shared.cli_output import echo_rows
from shared.dependencies import service_db_for

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(ctx) -> dict:
    return ctx.find_root().obj["config"]


def _db(ctx):
    cfg = _config(ctx)
    migrations.upgrade("intake", cfg["intake"]["db_url"], MIGRATIONS)
    return service_db_for("intake", cfg, Base.metadata, repository=IntakeRepository)


def after_reseal(db, config: dict, *, check: bool, batch: int, reindex: bool) -> tuple[dict, int]:
    """`sodsong keys rotate`: intake's own sealed values (crypto keyring) after its sealed columns."""
    keyring = crypto.load(config)
    own = rotation.count_stale(db, keyring) if check else rotation.reseal_all(db, keyring, batch=batch)
    return {"intake_values": own}, own.get("stale", 0)


def _fail(message: str):
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@contextlib.contextmanager
def _credential_errors():
    """A refused change to a volunteer or partner ends the command with its reason (exit 2)."""
    try:
        yield
    except CredentialError as exc:
        _fail(str(exc))


# -- volunteers -------------------------------------------------------------------------------------------------
@click.group()
def volunteers():
    """Volunteers who file tips for citizens (tokens are shown once)."""


@volunteers.command("add")
@click.option("--id", "volunteer_id", required=True, help="Volunteer id (letters, digits, _ . -).")
@click.option("--network", required=True, help="The volunteer network, e.g. 'STRONG Trat'.")
@click.option("--subdistricts", required=True, help="Comma-separated DOPA subdistrict codes, e.g. 230101,230102.")
@click.pass_context
def volunteers_add(ctx, volunteer_id, network, subdistricts):
    """Create a volunteer and print their token (once: it is stored only as a hash)."""
    with _credential_errors():
        token = credentials.add_volunteer(_db(ctx), volunteer_id, network, subdistricts.split(","))
    click.echo(f"volunteer {volunteer_id} created. Token (shown once; only for filing by script: the web form "
               f"needs the volunteer's desk account alone, `sodsong users add --role volunteer`):", err=True)
    click.echo(token)


@volunteers.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def volunteers_list(ctx, as_json):
    """Volunteers, their network and subdistricts (never tokens)."""
    echo_rows(credentials.list_volunteers(_db(ctx)), as_json,
              lambda r: f"{r['id']}\t{r['network']}\t{','.join(r['subdistricts'])}\t"
                        f"{'disabled' if r['disabled'] else 'active'}")


@volunteers.command("disable")
@click.argument("volunteer_id")
@click.pass_context
def volunteers_disable(ctx, volunteer_id):
    """Disable a volunteer's token at once."""
    with _credential_errors():
        credentials.disable_volunteer(_db(ctx), volunteer_id)
    click.echo("ok")


@volunteers.command("announce")
@click.pass_context
def volunteers_announce(ctx):
    """Tell casework about every volunteer again (ids, whether they are active, their areas; nothing else)."""
    click.echo(f"{credentials.announce_volunteers(_db(ctx))} volunteers announced")


@volunteers.command("reset-token")
@click.argument("volunteer_id")
@click.pass_context
def volunteers_reset(ctx, volunteer_id):
    """Issue a new token (the old one stops working) and print it once."""
    with _credential_errors():
        click.echo(credentials.reset_volunteer_token(_db(ctx), volunteer_id))


# -- intake ---------------------------------------------------------------------------------------------------------
@click.group()
def intake():
    """Intake administration: Open311 partners, encryption keys, proofs of filing."""


@intake.group()
def partners():
    """Open311 partners and their API keys (shown once)."""


@partners.command("add")
@click.option("--id", "partner_id", required=True)
@click.option("--name", required=True)
@click.pass_context
def partners_add(ctx, partner_id, name):
    """Create an Open311 partner and print its api_key (once)."""
    with _credential_errors():
        key = credentials.add_partner(_db(ctx), partner_id, name)
    click.echo(f"partner {partner_id} created. api_key (shown once):", err=True)
    click.echo(key)


@partners.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def partners_list(ctx, as_json):
    echo_rows(credentials.list_partners(_db(ctx)), as_json,
              lambda r: f"{r['id']}\t{r['name']}\t{'disabled' if r['disabled'] else 'active'}")


@partners.command("disable")
@click.argument("partner_id")
@click.pass_context
def partners_disable(ctx, partner_id):
    with _credential_errors():
        credentials.disable_partner(_db(ctx), partner_id)
    click.echo("ok")


@intake.command("rotate-keys")
@click.option("--new-key", is_flag=True,
              help="Key-file mode only (no intake.keys configured): add a new key to the data directory's key "
                   "file and make it current first. Stop intake before using this.")
@click.option("--check", is_flag=True, help="Only count values not sealed with the current key.")
@click.option("--batch", default=200, show_default=True)
@click.pass_context
def rotate_keys(ctx, new_key, check, batch):
    """Re-seal every encrypted value (and any plaintext left from before encryption) with the current key."""
    cfg = _config(ctx)
    if new_key:
        if (cfg.get("intake") or {}).get("keys"):
            _fail("intake.keys is configured: add the new key to the configuration, make it `current`, "
                  "restart intake, then run rotate-keys without --new-key (docs/key-rotation.md)")
        kid = rotation.add_key_to_file(cfg)
        click.echo(f"new current key {kid} added to the key file", err=True)
    keyring = crypto.load(cfg)
    db = _db(ctx)
    counts = rotation.count_stale(db, keyring) if check else rotation.reseal_all(db, keyring, batch=batch)
    # intake's outbox and dead letters are sealed with the same keyring (shared.sealing)
    from services.intake.models import Base
    from shared import sealing

    sealing.install(cfg, "intake")
    shared_counts = sealing.reseal(db, "intake", Base.metadata, check=check, batch=batch)
    counts["stale"] = counts.get("stale", 0) + shared_counts["stale"]
    counts["outbox_and_dead_letters"] = {k: shared_counts[k] for k in ("stale", "resealed", "values_by_key")}
    click.echo(json.dumps({"current": keyring.current, "checked_only": check, **counts}))
    if check and counts["stale"]:
        sys.exit(1)


@intake.command("verify-proof")
@click.argument("reference")
@click.argument("submitted_at")
@click.argument("code")
@click.pass_context
def verify_proof(ctx, reference, submitted_at, code):
    """Check a tipster's proof of filing (reference, time and code as printed on it)."""
    from services.intake.usecases.application import IntakeApp
    from services.intake.receipts import ReceiptHasher

    cfg = _config(ctx)
    app = IntakeApp(_db(ctx), ReceiptHasher(**cfg["intake"]["argon2"]), crypto.load(cfg), cfg)
    if app.proof_is_valid(reference, submitted_at, code):
        click.echo("valid")
        return
    click.echo("NOT valid", err=True)
    sys.exit(1)


@click.command("keys")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="A new file (mode 0600). Keep it apart from the data backups.")
@click.pass_context
def export_keys(ctx, out):
    """Every key of the keys directory (intake's keyring on top, the current key marked; every other service's
    keyring and the audit keys under other_key_files) to a file of their own."""
    import base64
    import os

    import yaml

    cfg = _config(ctx)
    keyring = crypto.load(cfg)
    document = {"current": keyring.current,
                "keys": {kid: base64.b64encode(raw).decode("ascii") for kid, raw in keyring.keys.items()}}
    # every other key of the keys directory (each service's sealing keyring, the search index key, the audit chain
    # and checkpoint keys, the evidence link key): without them the other services' data cannot be read either
    keys_dir = crypto.key_dir(cfg)
    others = {p.name: p.read_text(encoding="utf-8") for p in sorted(keys_dir.iterdir())
              if p.is_file() and p.name != crypto.KEY_FILE_NAME and not p.name.endswith(".tmp")} \
        if keys_dir.exists() else {}
    if others:
        document["other_key_files"] = others
    content = yaml.safe_dump(document, allow_unicode=True)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _fail(f"{out} exists; give a new file")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
    click.echo(json.dumps({"keys": len(keyring.keys), "current": keyring.current, "file": out}))


@click.command("keys")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite an existing key file that holds other keys.")
@click.pass_context
def import_keys(ctx, source, replace):
    """Put exported keys back as intake's key file (key-file mode). With intake.keys configured, put them in the
    configuration (or its secret) instead."""
    import os
    from pathlib import Path

    import yaml

    cfg = _config(ctx)
    if (cfg.get("intake") or {}).get("keys"):
        _fail("intake.keys is configured: restore the keys there (the configuration or its secret), not to a file")
    with open(source, encoding="utf-8") as fh:
        settings = yaml.safe_load(fh)
    try:
        keyring = crypto.from_settings(settings)
    except crypto.KeyringError as exc:
        _fail(f"{source}: {exc}")
    existing = crypto.key_dir(cfg) / crypto.KEY_FILE_NAME
    if existing.exists() and not replace:
        with open(existing, encoding="utf-8") as fh:
            present = (yaml.safe_load(fh) or {}).get("keys") or {}
        if set(present) - set(settings["keys"]):
            _fail(f"{existing} holds keys the export lacks; use --replace only if you are sure")
    from shared import keys as keys_mod

    keys_dir = keys_mod.ensure_private_dir(crypto.key_dir(cfg))
    crypto.write_key_file(keys_dir, {"current": settings["current"], "keys": settings["keys"]})
    for name, text in (settings.get("other_key_files") or {}).items():
        target = keys_dir / Path(name).name
        if target.exists() and not replace:
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    click.echo(json.dumps({"keys": len(keyring.keys), "current": keyring.current}))


# -- `python -m services.intake.cli ...`: the same commands before (or without) sodsong/cli.py mounting them ----
@click.group()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def standalone(ctx, config_path):
    """intake's commands on their own."""
    from shared import config as config_mod
    from shared import logging as logging_mod

    from services.intake.settings import SETTINGS as INTAKE

    cfg = config_mod.load(config_path, groups=(config_mod.SHARED, INTAKE))
    logging_mod.configure(cfg["log_level"])
    ctx.obj = {"config": cfg}


standalone.add_command(volunteers)
standalone.add_command(intake)

if __name__ == "__main__":
    standalone()
