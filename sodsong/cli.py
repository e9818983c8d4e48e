"""The `sodsong` command: run services, migrate, and the operator's tools.

The services' own subcommands (`sodsong users`, `sodsong routing`, `sodsong ops notifications`, ...) are named in
sodsong.registry and imported only when used, so `sodsong run --service intake` imports no other service."""
import os
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
# eventlet's own resolver (greendns: dnspython, about 11 MB in every process) stays unloaded; names are resolved by
# the C library in eventlet's thread pool instead (shared.green_names), which keeps the hub free just the same.
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from shared import green_names  # noqa: E402

green_names.resolve_off_hub()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

import json  # noqa: E402
import sys  # noqa: E402

import click  # noqa: E402

from shared import broker_status, bus_sealing, sealing, storage, topology  # noqa: E402
from shared import config as config_mod  # noqa: E402
from shared import logging as logging_mod  # noqa: E402
from shared import retention as retention_mod  # noqa: E402
from shared.jobs import INSTANCE_ID  # noqa: E402
from sodsong import registry  # noqa: E402
from sodsong import settings as sodsong_settings  # noqa: E402
from sodsong.lazy import LazyGroup  # noqa: E402
from sodsong.runner import run as run_services  # noqa: E402


def services_option(**kwargs):
    """`--service NAME` (repeatable) into `services`; commands take an empty tuple as all five."""
    return click.option("--service", "services", multiple=True, type=click.Choice(config_mod.SERVICES), **kwargs)


def _config(ctx) -> dict:
    return ctx.obj["config"]


# `sodsong ops` and the services' own commands are imported when used: `sodsong run` never loads them (nor the
# backup and broker-user code below, imported inside their commands), which keeps every service process smaller.
@click.group(cls=LazyGroup, lazy={**registry.commands("cli"), "ops": "sodsong.cli_ops:ops"})
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="YAML configuration file (also SODSONG_CONFIG).")
@click.pass_context
def main(ctx, config_path):
    """Sodsong (สอดส่อง): tip line and case desk."""
    storage.restrict_umask()  # every file this process creates: owner only (0600, directories 0700)
    cfg = sodsong_settings.load(config_path)  # every service's declared settings
    logging_mod.configure(cfg["log_level"])
    ctx.obj = {"config": cfg}


@main.command()
@services_option(help="Run only this service (repeatable). Default: all five.")
@click.option("--no-migrate", is_flag=True, help="Do not apply schema migrations first.")
@click.pass_context
def run(ctx, services, no_migrate):
    """Run Sodsong: all services in one process, or the ones named."""
    sys.exit(run_services(_config(ctx), services or config_mod.SERVICES, migrate=not no_migrate))


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@services_option()
@click.pass_context
def db_upgrade(ctx, services):
    """Apply migrations (alembic) for the services named, or all."""
    registry.migrate_all(_config(ctx), services or config_mod.SERVICES)
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
    from shared import broker_users

    config = _config(ctx)
    for name in topology.declare_all(config, registry.subscriptions()):
        click.echo(name)
    if users:
        for row in broker_users.apply(config, vhost or broker_status._vhost(config), registry.subscriptions()):
            click.echo(f"user {row['user']}: permissions set for {row['service']} "
                       f"(password from {row['password_from']}; "
                       f"set SODSONG_AMQP_URI_{row['service'].upper()} for that service)")


@broker.command("definitions")
@click.option("--vhost", default="sodsong", show_default=True)
@click.option("--users", is_flag=True, help="Include the per-service users, permissions and topic permissions.")
@click.pass_context
def broker_definitions(ctx, vhost, users):
    """Print the topology as a RabbitMQ definitions document (deploy/rabbitmq/definitions.json)."""
    from shared import broker_users

    document = topology.definitions(_config(ctx), registry.subscriptions(), vhost)
    if users:
        document.update(broker_users.definitions(_config(ctx), vhost, registry.subscriptions()))
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@main.group()
def keys():
    """Keys that seal data at rest (kept apart from the data: keys_dir / SODSONG_KEYS_DIR)."""


@keys.command("rotate")
@services_option(help="Only this service (repeatable). Default: all five.")
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
        entry = registry.entry(service)
        db = registry.service_db_for(service, config)  # installs the (new) keyring
        result = sealing.reseal(db, service, entry.metadata(), check=check, batch=batch)
        extra, own_stale = entry.after_reseal(db, config, check=check, batch=batch, reindex=reindex)
        result.update(extra)
        result["stale"] += own_stale
        stale += result["stale"]
        results.append(result)
    if not services:
        # the bus keyring seals content on the wire: nothing to re-seal at rest (events in flight keep opening
        # while their key stays in the keyring), only a new current key
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
@services_option()
@click.pass_context
def retention_run(ctx, services):
    """Run the retention job now (it also runs on its own, leased, in each service); prints what was deleted."""
    config = _config(ctx)
    out = []
    for service in services or config_mod.SERVICES:
        steps = registry.entry(service).retention_steps(config)
        done = retention_mod.run_leased(registry.service_db_for(service, config), service, config,
                                        f"cli:{INSTANCE_ID}", steps)
        out.extend(done if done is not None else [{"service": service, "kind": "(another instance holds the lease)",
                                                   "count": 0}])
    click.echo(json.dumps(out, ensure_ascii=False))


@main.group(cls=LazyGroup, lazy=registry.commands("cli_backup"))
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


@main.group(cls=LazyGroup, lazy=registry.commands("cli_restore"))
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

    Restarts the broker and the database server: run it on a test machine only (from a source checkout: the
    harness is tools/chaos.py)."""
    from tools import chaos as chaos_mod  # the test harness: only where the source tree is

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
    from tools import cluster_chaos as mod  # the test harness: only where the source tree is

    def ports(text):
        return tuple(int(p) for p in text.split(","))

    report = mod.run(tips, workdir=workdir, rate=rate, amqp_ports=ports(amqp_ports), dist_ports=ports(dist_ports),
                     pg_ports=ports(pg_ports), name=name, say=lambda m: click.echo(m, err=True))
    click.echo(report.table())
    for note in report.report.notes:
        click.echo(f"note: {note}")
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
