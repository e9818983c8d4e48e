"""Schema migrations with alembic, one history per service (services/<name>/migrations/versions),
each recorded in its own `<name>_alembic_version` table so services can share a database.

alembic (and mako, its templates) is imported only when migrating: a service started with `--no-migrate` never
loads it (about 11 MB of every process)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, create_engine, pool, text

from shared.db import engine_for


def alembic_config(service: str, db_url: str, migrations_dir: Path):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, db_url: str, migrations_dir: Path, revision: str = "head") -> None:
    """Apply a service's migrations (its history in `migrations_dir`, as the composition root names it)."""
    from alembic import command

    command.upgrade(alembic_config(service, db_url, migrations_dir), revision)


def run_env(service: str, metadata: MetaData) -> None:
    """Body of every service's migrations/env.py, given the service's name and its tables."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    options = dict(target_metadata=metadata, version_table=f"{service}_alembic_version",
                   render_as_batch=url.startswith("sqlite"), compare_type=True)
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_for(url) if not url.startswith("sqlite") else _sqlite_engine(url)
    # begin(): the advisory lock below starts the transaction, so it must also be the one that commits
    with connectable.begin() as connection:
        if connection.dialect.name == "postgresql":
            # two instances of a service starting together must not both create its tables
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                               {"key": f"sodsong-migrate-{service}"})
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


def _sqlite_engine(url):
    Path(url.split("sqlite:///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, poolclass=pool.NullPool)
