"""The `sodsong` command: run services, migrate, and the operator's tools."""
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

import json  # noqa: E402
import sys  # noqa: E402

import click  # noqa: E402

from shared import config as config_mod  # noqa: E402
from shared import logging as logging_mod  # noqa: E402


def _config(ctx) -> dict:
    return ctx.obj["config"]


@click.group()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="YAML configuration file (also SODSONG_CONFIG).")
@click.pass_context
def main(ctx, config_path):
    """Sodsong (สอดส่อง): tip line and case desk."""
    from shared import storage

    storage.restrict_umask()  # every file this process creates: owner only (0600, directories 0700)
    cfg = config_mod.load(config_path)
    logging_mod.configure(cfg.get("log_level", "INFO"))
    ctx.obj = {"config": cfg}


@main.command()
@click.option("--service", "services", multiple=True, type=click.Choice(config_mod.SERVICES),
              help="Run only this service (repeatable). Default: all five.")
@click.option("--no-migrate", is_flag=True, help="Do not apply schema migrations first.")
@click.pass_context
def run(ctx, services, no_migrate):
    """Run Sodsong: all services in one process, or the ones named."""
    from shared.runner import run as run_services

    sys.exit(run_services(_config(ctx), services or config_mod.SERVICES, migrate=not no_migrate))


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@click.option("--service", "services", multiple=True, type=click.Choice(config_mod.SERVICES))
@click.pass_context
def db_upgrade(ctx, services):
    """Apply migrations (alembic) for the services named, or all."""
    from shared import migrations

    migrations.upgrade_all(_config(ctx), services or config_mod.SERVICES)
    click.echo("ok")


@main.group()
def broker():
    """RabbitMQ topology."""


@broker.command("setup")
@click.option("--users", is_flag=True,
              help="Also create a broker user per service with least-privilege permissions (runs rabbitmqctl: "
                   "on a broker node, as its administrator).")
@click.option("--vhost", help="Virtual host for --users (default: the one in SODSONG_AMQP_URI).")
@click.pass_context
def broker_setup(ctx, users, vhost):
    """Declare the exchanges and every consumer's queue (idempotent); --users: per-service users too."""
    from shared import broker_status, topology

    config = _config(ctx)
    for name in topology.declare_all(config):
        click.echo(name)
    if users:
        from shared import broker_users

        for row in broker_users.apply(config, vhost or broker_status._vhost(config)):
            click.echo(f"user {row['user']}: permissions set for {row['service']} "
                       f"(password from {row['password_from']}; "
                       f"set SODSONG_AMQP_URI_{row['service'].upper()} for that service)")


@broker.command("definitions")
@click.option("--vhost", default="sodsong", show_default=True)
@click.option("--users", is_flag=True, help="Include the per-service users, permissions and topic permissions.")
@click.pass_context
def broker_definitions(ctx, vhost, users):
    """Print the topology as a RabbitMQ definitions document (deploy/rabbitmq/definitions.json)."""
    from shared import topology

    document = topology.definitions(_config(ctx), vhost)
    if users:
        from shared import broker_users

        document.update(broker_users.definitions(_config(ctx), vhost))
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@main.group()
def keys():
    """Keys that seal data at rest (kept apart from the data: keys_dir / SODSONG_KEYS_DIR)."""


@keys.command("rotate")
@click.option("--service", "services", multiple=True, type=click.Choice(config_mod.SERVICES),
              help="Only this service (repeatable). Default: all five.")
@click.option("--new-key", is_flag=True,
              help="Key-file mode only: add a new key for each service and make it current first. "
                   "Stop the services before using this.")
@click.option("--check", is_flag=True, help="Only count values not sealed with the current key; exit 1 if any.")
@click.option("--reindex", is_flag=True, help="Also rebuild casework's search index (after its index key changed).")
@click.option("--batch", default=200, show_default=True)
@click.pass_context
def keys_rotate(ctx, services, new_key, check, reindex, batch):
    """Re-seal every sealed value of each service (tables, outbox, dead letters) under its current key.

    Without --service, --new-key also gives the bus keyring (content sealed on the wire) a new current key."""
    from shared import sealing
    from shared.dependencies import service_db_for
    from shared.topology import service_class

    config = _config(ctx)
    results, stale = [], 0
    for service in services or config_mod.SERVICES:
        if new_key:
            try:
                kid = sealing.add_key_to_file(config, service)
            except Exception as exc:
                click.echo(f"{service}: {exc}", err=True)
                sys.exit(1)
            click.echo(f"{service}: new current key {kid}", err=True)
        db = service_db_for(service, config)  # installs the (new) keyring
        result = sealing.reseal(db, service, service_class(service).db.metadata, check=check, batch=batch)
        if service == "intake":
            from services.intake import crypto, rotation

            keyring = crypto.load(config)
            own = rotation.count_stale(db, keyring) if check else rotation.reseal_all(db, keyring, batch=batch)
            result["intake_values"] = own
            result["stale"] += own.get("stale", 0)
        if service == "casework" and reindex and not check:
            from services.casework.repository import CaseworkRepository

            with db.transaction() as uow:
                result["reindexed_cases"] = CaseworkRepository(uow.session).reindex_all()
        stale += result["stale"]
        results.append(result)
    if not services:
        # the bus keyring seals content on the wire: nothing to re-seal at rest (events in flight keep opening
        # while their key stays in the keyring), only a new current key
        from shared import bus_sealing

        if new_key and not check:
            try:
                kid = sealing.add_key_to_file(config, bus_sealing.KEYRING)
            except Exception as exc:
                click.echo(f"{bus_sealing.KEYRING}: {exc}", err=True)
                sys.exit(1)
            click.echo(f"{bus_sealing.KEYRING}: new current key {kid}", err=True)
        bus = bus_sealing.install(config)
        click.echo(f"{bus_sealing.KEYRING}: current key {bus.current} of {len(bus.keys)}", err=True)
    click.echo(json.dumps(results, ensure_ascii=False))
    if check and stale:
        sys.exit(1)


@main.group()
def retention():
    """What is kept, and for how long (retention.* settings; docs/security.md)."""


@retention.command("run")
@click.option("--service", "services", multiple=True, type=click.Choice(config_mod.SERVICES))
@click.pass_context
def retention_run(ctx, services):
    """Run the retention job now (it also runs on its own, leased, in each service); prints what was deleted."""
    import importlib

    from shared import retention as retention_mod
    from shared.dependencies import INSTANCE_ID, service_db_for

    config = _config(ctx)
    out = []
    for service in services or config_mod.SERVICES:
        try:
            steps = importlib.import_module(f"services.{service}.retention").steps(config)
        except ModuleNotFoundError:
            steps = ()
        done = retention_mod.run_leased(service_db_for(service, config), service, config,
                                        f"cli:{INSTANCE_ID}", steps)
        out.extend(done if done is not None else [{"service": service, "kind": "(another instance holds the lease)",
                                                   "count": 0}])
    click.echo(json.dumps(out, ensure_ascii=False))


@main.group()
def backup():
    """Backups: the services' data, and apart from it intake's encryption keys."""


@backup.command("data")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="A new directory: one archive per database and a manifest (no keys).")
@click.pass_context
def backup_data(ctx, out):
    """Dump every service's database (pg_dump's custom format; SQLite's online backup when embedded)."""
    from shared import backup as backup_mod

    try:
        manifest = backup_mod.backup_data(_config(ctx), out)
    except backup_mod.BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(json.dumps(manifest, ensure_ascii=False))


@main.group()
def restore():
    """Put a backup back (stop the services first; then `sodsong db upgrade` and start them)."""


@restore.command("data")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("--create-database", is_flag=True, help="Create a PostgreSQL database that does not exist yet.")
@click.pass_context
def restore_data(ctx, source, create_database):
    """Restore the databases from a `sodsong backup data` directory."""
    from shared import backup as backup_mod

    try:
        manifest = backup_mod.restore_data(_config(ctx), source, create_database=create_database)
    except backup_mod.BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(json.dumps({"restored": [d["file"] for d in manifest["databases"]],
                           "backup_created_at": manifest["created_at"]}))


@main.group()
def audit():
    """The audit trail."""


@audit.command("verify")
@click.option("--require-checkpoint", is_flag=True, help="Fail when there is no signed checkpoint to check against.")
@click.pass_context
def audit_verify(ctx, require_checkpoint):
    """Check the keyed chain and every signed checkpoint; exits non-zero naming the first bad entry."""
    from services.audit import usecases
    from services.audit.domain import anchor
    from services.audit.repository import AuditRepository
    from shared.dependencies import service_db_for

    config = _config(ctx)
    with service_db_for("audit", config).reading() as session:
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
    from services.audit import usecases
    from services.audit.domain import anchor
    from services.audit.repository import AuditRepository
    from shared.dependencies import service_db_for

    config = _config(ctx)
    if show_public:
        click.echo(anchor.public_key_pem(config), nl=False)
        return
    with service_db_for("audit", config).reading() as session:
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
    from sqlalchemy import select

    from services.audit.models import ChainEntry
    from shared.dependencies import service_db_for

    with service_db_for("audit", _config(ctx)).reading() as session:
        rows = [{"seq": e.seq, "event_type": e.event_type, "occurred_at": e.occurred_at,
                 "actor": f"{e.actor_kind}:{e.actor_id}", "hash": e.hash}
                for e in session.execute(select(ChainEntry).where(ChainEntry.correlation_id == reference)
                                         .order_by(ChainEntry.seq)).scalars()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            click.echo(f"{row['seq']}\t{row['occurred_at']}\t{row['event_type']}\t{row['actor']}")


@main.command()
@click.option("--tips", type=int, default=500, show_default=True)
@click.option("--seed", type=int, help="Repeat an earlier run's sequence of failures.")
@click.option("--rate", type=float, default=10.0, show_default=True, help="Tips submitted per second.")
@click.option("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres", show_default=True,
              help="A role that may create and drop the run's own database.")
@click.option("--amqp-base", default="amqp://guest:guest@127.0.0.1:5672", show_default=True,
              help="The broker; the run makes and removes its own vhost.")
@click.option("--workdir", type=click.Path(file_okay=False), help="Where logs and the data dir go.")
def chaos(tips, seed, rate, pg_admin_url, amqp_base, workdir):
    """Kill services, restart RabbitMQ and PostgreSQL while tips arrive; check none is lost or doubled.

    Restarts the broker and the database server: run it on a test machine only."""
    from shared import chaos as chaos_mod

    report = chaos_mod.run(tips, pg_admin_url=pg_admin_url, amqp_base=amqp_base, seed=seed, workdir=workdir,
                           rate=rate, say=lambda m: click.echo(m, err=True))
    click.echo(report.table())
    for note in report.notes:
        click.echo(f"note: {note}")
    sys.exit(0 if report.ok else 1)


@main.command("cluster-chaos")
@click.option("--tips", type=int, default=200, show_default=True)
@click.option("--rate", type=float, default=5.0, show_default=True, help="Tips submitted per second.")
@click.option("--workdir", type=click.Path(file_okay=False), help="Where the nodes' data, logs and the data dir go.")
@click.option("--amqp-ports", default="5681,5682,5683", show_default=True)
@click.option("--dist-ports", default="25781,25782,25783", show_default=True)
@click.option("--pg-ports", default="5441,5442", show_default=True, help="Primary, replica.")
@click.option("--name", default="sodsong", show_default=True, help="Node names: rabbit-<name>-N@localhost.")
def cluster_chaos(tips, rate, workdir, amqp_ports, dist_ports, pg_ports, name):
    """Start a 3-node RabbitMQ cluster and a PostgreSQL primary with a streaming replica on this machine, stop
    RabbitMQ nodes while tips arrive, and check that none is lost or doubled (a table per phase)."""
    from shared import cluster_chaos as mod

    def ports(text):
        return tuple(int(p) for p in text.split(","))

    report = mod.run(tips, workdir=workdir, rate=rate, amqp_ports=ports(amqp_ports), dist_ports=ports(dist_ports),
                     pg_ports=ports(pg_ports), name=name, say=lambda m: click.echo(m, err=True))
    click.echo(report.table())
    for note in report.report.notes:
        click.echo(f"note: {note}")
    sys.exit(0 if report.ok else 1)


from shared.cli_ops import ops  # noqa: E402

main.add_command(ops)

try:  # the routing commands need the jurisdiction engine
    from services.routing.cli import routing  # noqa: E402

    main.add_command(routing)
except ImportError:  # pragma: no cover
    pass


from services.casework.cli import users  # noqa: E402
from services.intake.cli import export_keys, import_keys, intake, volunteers  # noqa: E402

main.add_command(users)
main.add_command(volunteers)
main.add_command(intake)
backup.add_command(export_keys)
restore.add_command(import_keys)

from services.intake.line.cli import line  # noqa: E402

main.add_command(line)

if __name__ == "__main__":
    main()
