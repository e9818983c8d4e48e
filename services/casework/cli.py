"""`sodsong users`: desk accounts from the command line (the first accounts of a deployment are made here).

    printf '%s\\n' "$PASSWORD" | sodsong users add --username somchai --office PACC-R2 --role caseworker
    sodsong users disable somchai        # also ends every session of the account
    sodsong users list [--office PACC-R2] [--json]

The password is read from standard input (first line), never from the command line, so it stays out of shell
history and process listings. It works on the same database the running services use; the account events go
into casework's outbox, and a running casework instance publishes them.
"""
from __future__ import annotations

import json
import sys

import click

from services.casework.domain.errors import DeskAccountError
from services.casework.domain.policy import ROLES
from services.casework.models import Base
from services.casework.repository import CaseworkRepository
from shared.cli_output import echo_table
from shared.dependencies import service_db_for

ACTOR = {"kind": "system", "id": "sodsong-cli"}


def _db(ctx):
    return casework_db(ctx.obj["config"])


def casework_db(config: dict):
    return service_db_for("casework", config, Base.metadata, blind_index=True, repository=CaseworkRepository)


def after_reseal(db, config: dict, *, check: bool, batch: int, reindex: bool) -> tuple[dict, int]:
    """`sodsong keys rotate --reindex`: rebuild the search index (after its index key changed)."""
    if not reindex or check:
        return {}, 0
    with db.transaction() as uow:
        return {"reindexed_cases": CaseworkRepository(uow.session).reindex_all()}, 0


def _write_first(uow) -> None:
    """Take SQLite's write lock before reading. The running services write to the same file (WAL); a deferred
    transaction that has read and then writes fails at once if they committed in between, whereas waiting for
    the lock up front is covered by the busy timeout. PostgreSQL needs nothing of the sort."""
    uow.repo.lock_for_writing()


def _passwords(ctx):
    from services.casework.usecases import accounts

    return accounts.Passwords(**accounts.settings(ctx.obj["config"].get("casework"))["argon2"])


def _fail(key: str, **detail) -> None:
    from shared import i18n

    text = i18n.message(key)
    click.echo(f"{text['th']} / {text['en']}" + (f" {detail}" if detail else ""), err=True)
    sys.exit(1)


@click.group()
def users():
    """Desk accounts (บัญชีผู้ใช้โต๊ะงานเจ้าหน้าที่)."""


@users.command("add")
@click.option("--username", required=True)
@click.option("--office", "office_code", default=None, help="Office code, e.g. PACC-R2 (an agency code for "
              "agency-wide roles); not needed for volunteers.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--display-name", default=None, help="Name shown to colleagues (default: the username).")
@click.option("--volunteer-id", default=None, help="For volunteers: the id their tips carry (default: username).")
@click.option("--totp", "with_totp", is_flag=True, help="Require a TOTP code; prints the otpauth:// URI once.")
@click.pass_context
def add(ctx, username, office_code, role, display_name, volunteer_id, with_totp):
    """Add an account; the password is read from standard input."""
    from services.casework.usecases import accounts

    if office_code is None:
        if role != "volunteer":
            raise click.UsageError("--office is needed for every role but volunteer")
        office_code = accounts.VOLUNTEER_OFFICE

    stream = click.get_text_stream("stdin")
    if stream.isatty():
        password = click.prompt("Password / รหัสผ่าน", hide_input=True, confirmation_prompt=True)
    else:
        password = stream.readline().rstrip("\r\n")
    passwords = _passwords(ctx)
    try:
        accounts.check_password_policy(password)
        password_hash = passwords.hash(password)  # slow: before taking the database's write lock
        with _db(ctx).transaction() as uow:
            _write_first(uow)
            user = accounts.create_user(uow, passwords, username=username, office_code=office_code, role=role,
                                        password=password, display_name=display_name, volunteer_id=volunteer_id,
                                        totp=with_totp, actor=ACTOR, password_hash=password_hash)
            uri = accounts.totp_uri(user) if user.totp_secret else None
    except DeskAccountError as exc:
        _fail(exc.key, **exc.detail)
    click.echo(f"เพิ่มบัญชีแล้ว / added {user.username} ({user.role}, {user.office_code})")
    if uri:
        click.echo(f"totp: {uri}")


@users.command("disable")
@click.argument("username")
@click.pass_context
def disable(ctx, username):
    """Disable an account and end all of its sessions."""
    from services.casework.usecases import accounts

    with _db(ctx).transaction() as uow:
        _write_first(uow)
        user = uow.repo.user_by_username(username.strip().lower())
        if user is None:
            ended = None
        else:
            ended = accounts.disable_user(uow, user, actor=ACTOR)
    if ended is None:
        click.echo(f"ไม่พบบัญชีนี้ / no such user: {username}", err=True)
        sys.exit(1)
    click.echo(f"ปิดบัญชีแล้ว ยุติ {ended} เซสชัน / disabled {username}; {ended} session(s) ended")


@users.command("list")
@click.option("--office", "office_code", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_users(ctx, office_code, as_json):
    """Accounts (never passwords or TOTP secrets)."""
    from services.casework.domain.policy import Scope

    scope = Scope(office=office_code.strip().upper()) if office_code else Scope(everything=True)
    with _db(ctx).transaction() as uow:
        rows = [{"username": u.username, "display_name": u.display_name, "office": u.office_code, "role": u.role,
                 "disabled": bool(u.disabled), "totp": bool(u.totp_secret)}
                for u in uow.repo.users_in_scope(scope)]
    echo_table(rows, as_json, ["username", "office", "role", "disabled", "totp", "display_name"],
               empty="(ไม่มี / none)")


@click.command("cases")
@click.option("--office", required=True, help="Office code, e.g. PACC-R2")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def cases(ctx, office, as_json):
    """An office's inbox (references, states and deadlines only)."""
    with casework_db(ctx.find_root().obj["config"]).reading() as session:
        rows = [{"reference": c.reference, "office": c.office_code, "status": c.status, "category": c.category,
                 "province": c.province_code, "triage": c.triage, "acknowledge_due": c.acknowledge_due}
                for c in CaseworkRepository(session).office_cases(office)]
    columns = ["reference", "office", "status", "category", "province", "triage", "acknowledge_due"]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
    elif not rows:
        click.echo("(none)")
    else:
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(str(row.get(c, "")) for c in columns))
