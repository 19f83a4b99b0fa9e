"""``flask --app app check consistency``: do the stored views of every instance agree?"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..db import read_only
from ..services.consistency import all_checks, check_all

check_cli = AppGroup("check", help="Cross-check what the database stores.")


@check_cli.command("consistency")
@click.option("--batch", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Instances read per round trip.")
def consistency(batch: int) -> None:
    """Engine state, statuses, inbox rows, ledger and event log; exit 1 on any disagreement."""
    with read_only():
        report = check_all(batch)
    failed = report.failed()
    for problem in report.problems:
        where = f"instance {problem.instance_id}" if problem.instance_id is not None else "-"
        click.echo(f"{where}: [{problem.check}] {problem.what}", err=True)
    for check, meaning in all_checks().items():
        click.echo(f"{check:<12} {report.checked[check]:>8} checked {failed[check]:>6} problem(s)  ({meaning})")
    click.echo(f"{report.checked['state']} instance(s) checked, {len(report.problems)} problem(s)")
    if not report.ok:
        raise SystemExit(1)
