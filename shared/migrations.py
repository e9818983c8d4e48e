"""Schema migrations with alembic, one history per service (services/<name>/migrations/versions),
each recorded in its own `<name>_alembic_version` table so services can share a database."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(service: str, db_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, db_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, db_url), revision)


def upgrade_all(config: dict, services) -> None:
    for service in services:
        upgrade(service, config[service]["db_url"])


def run_env(service: str) -> None:
    """Body of every service's migrations/env.py."""
    import importlib

    from alembic import context
    from sqlalchemy import pool

    from shared.db import engine_for

    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    url = context.config.get_main_option("sqlalchemy.url")
    options = dict(target_metadata=metadata, version_table=f"{service}_alembic_version",
                   render_as_batch=url.startswith("sqlite"), compare_type=True)
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_for(url) if not url.startswith("sqlite") else _sqlite_engine(url, pool)
    # begin(): the advisory lock below starts the transaction, so it must also be the one that commits
    with connectable.begin() as connection:
        if connection.dialect.name == "postgresql":
            # two instances of a service starting together must not both create its tables
            from sqlalchemy import text

            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                               {"key": f"sodsong-migrate-{service}"})
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


def _sqlite_engine(url, pool):
    from sqlalchemy import create_engine

    Path(url.split("sqlite:///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, poolclass=pool.NullPool)
