"""Backups of the services' data, apart from the keys that decrypt it.

`sodsong backup data --out DIR` writes one archive per distinct database (pg_dump's custom format for
PostgreSQL, SQLite's online backup for the embedded mode) and a manifest; `sodsong restore data DIR` puts them
back. The keys (every service's, from the keys directory) are never in a data backup: `sodsong backup keys` /
`sodsong restore keys` handle them separately, so that a stolen data backup alone reveals no tip, and the two can
be stored by different people.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from shared.clock import utcnow
from shared.config import SERVICES

FORMAT = "sodsong-data-backup/1"


class BackupError(Exception):
    pass


def _databases(config: dict) -> list[tuple[str, list[str]]]:
    """(db_url, services) for each distinct database, in service order."""
    found: dict[str, list[str]] = {}
    for service in SERVICES:
        found.setdefault(config[service]["db_url"], []).append(service)
    return list(found.items())


def _libpq(url: str) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore, the password in the environment (never on a command line)."""
    u = make_url(url)
    args = ["--dbname", u.database]
    if u.host:
        args += ["--host", u.host]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools (Debian: postgresql-client)")
    return path


def backup_data(config: dict, out: Path) -> dict:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty; give a new directory for each backup")
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    entries = []
    for url, services in _databases(config):
        label = services[0] if len(services) == 1 else "sodsong"
        if make_url(url).get_backend_name() == "sqlite":
            name = f"{label}.sqlite3"
            source = sqlite3.connect(make_url(url).database)
            target = sqlite3.connect(out / name)
            with target:
                source.backup(target)
            source.close()
            target.close()
            kind = "sqlite"
        else:
            name = f"{label}.pgdump"
            args, env = _libpq(url)
            result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     "--file", str(out / name), *args], env=env, capture_output=True, text=True)
            if result.returncode:
                raise BackupError(f"pg_dump of {label} failed: {result.stderr.strip()}")
            kind = "postgresql"
        os.chmod(out / name, 0o600)
        entries.append({"file": name, "kind": kind, "services": services, "bytes": (out / name).stat().st_size})
    manifest = {"format": FORMAT, "created_at": utcnow().isoformat(timespec="seconds"),
                "databases": entries,
                "note": "no encryption keys in here: restore them with `sodsong restore keys` from their own backup"}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _ensure_database(url: str) -> None:
    import psycopg2

    u = make_url(url)
    params = {"host": u.host, "port": u.port, "user": u.username, "password": u.password}
    params = {k: v for k, v in params.items() if v is not None}
    try:
        psycopg2.connect(dbname=u.database, **params).close()
        return
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BackupError(f"cannot reach database {u.database}: {exc}") from exc
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{u.database}"')
    admin.close()


def restore_data(config: dict, source: Path, create_database: bool = False) -> dict:
    """Put a data backup back into the configured databases (stop the services first)."""
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Sodsong data backup ({manifest.get('format')!r})")
    targets = dict((tuple(services), url) for url, services in _databases(config))
    for entry in manifest["databases"]:
        wanted = tuple(entry["services"])
        url = targets.get(wanted)
        if url is None:  # the layout changed (one database then, several now, or the other way round)
            raise BackupError(f"the backup's database for {', '.join(wanted)} has no single database to go to "
                              "in this configuration")
        archive = source / entry["file"]
        if entry["kind"] == "sqlite":
            if make_url(url).get_backend_name() != "sqlite":
                raise BackupError("an embedded (SQLite) backup cannot be restored into PostgreSQL this way")
            shutil.copyfile(archive, make_url(url).database)
            continue
        if create_database:
            _ensure_database(url)
        args, env = _libpq(url)
        result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                 "--single-transaction", "--exit-on-error", *args, str(archive)],
                                env=env, capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_restore of {entry['file']} failed: {result.stderr.strip()}")
    return manifest
