"""``flask --app app audit verify``: check every instance's event hash chain."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..db import read_only
from ..services.audit import verify_all

audit_cli = AppGroup("audit", help="Check the integrity of the event log.")


@audit_cli.command("verify")
@click.option("--instance", "instance_ids", type=int, multiple=True, help="Only these instances.")
def verify(instance_ids: tuple[int, ...]) -> None:
    """Exit 1 and list every broken link if any event was edited, inserted or deleted."""
    with read_only():
        checked, problems = verify_all(instance_ids or None)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{checked} instance(s) checked, {len(problems)} problem(s)")
    if problems:
        raise SystemExit(1)
