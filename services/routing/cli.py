"""`sodsong routing …`: explain decisions and check the rules, without submitting anything."""
from __future__ import annotations

import json
import sys

import click

from services.routing.domain.directory import load_directory
from services.routing.domain.explain import explain_lines
from services.routing.domain.rules import load_engine
from services.routing.domain.rules_check import check_files


@click.group()
def routing():
    """The jurisdiction rules and agency directory."""


@routing.command("explain")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.pass_context
def explain(ctx, path):
    """Print, per tip in PATH (one tip object or a JSON array), which office and why — one JSON line each."""
    overrides = ctx.obj["config"]["routing"].get("overrides")
    engine = load_engine(directory=load_directory(overrides) if overrides else None)
    with click.open_file(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except ValueError as exc:
            click.echo(f"{path}: not JSON ({exc})", err=True)
            sys.exit(2)
    for line in explain_lines(data, engine):
        click.echo(line)


@routing.group("rules")
def rules():
    """The rule set."""


@rules.command("check")
@click.pass_context
def rules_check(ctx):
    """Check the rules, directory and recognition list: one PACC, NACC and Damrongtham target per province,
    every rule reachable and with its statute, every exclusion reachable and no rule sending an excluded
    official to the excluded agency, a triage desk left whoever the accused is and wherever they work, every
    agency code a rule or the recognition list can produce exists. Exits 1 listing the problems."""
    problems = check_files(override_path=ctx.obj["config"]["routing"].get("overrides"))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("ok: rules and directory are consistent")
