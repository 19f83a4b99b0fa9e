"""``flask --app app audit verify``: check the event log's hash chains.

Without options every chain is re-read and nothing is written (as always). ``--incremental`` reads
only the events after the last clean checkpoint and ``--checkpoint`` runs the full verification;
both record the run as a checkpoint (and its start in the audit log), as the integrity page does.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..db import read_only, transaction
from ..services.audit import verify_all

audit_cli = AppGroup("audit", help="Check the integrity of the event log.")


@audit_cli.command("verify")
@click.option("--instance", "instance_ids", type=int, multiple=True, help="Only these instances.")
@click.option("--incremental", is_flag=True, help="Only the events after the last clean checkpoint; records one.")
@click.option("--checkpoint", "record", is_flag=True, help="Full verification, recorded as a checkpoint.")
def verify(instance_ids: tuple[int, ...], incremental: bool, record: bool) -> None:
    """Exit 1 and list every broken link if any event was edited, inserted or deleted."""
    if incremental or record:
        if instance_ids:
            raise click.UsageError("--instance reads whole chains: it does not go with --incremental or --checkpoint")
        _recorded(full=not incremental)
        return
    with read_only():
        checked, problems = verify_all(instance_ids or None)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{checked} instance(s) checked, {len(problems)} problem(s)")
    if problems:
        raise SystemExit(1)


def _recorded(*, full: bool) -> None:
    from ..audit.integrity import verify as run

    with transaction():
        checkpoint = run(None, full=full)
        summary = (checkpoint.full, checkpoint.id, checkpoint.base_id, checkpoint.events_checked,
                   checkpoint.chains_checked, checkpoint.last_event_id, list(checkpoint.problems),
                   checkpoint.problem_count)
    is_full, number, base, events, chains, last, problems, count = summary
    for problem in problems:
        click.echo(problem, err=True)
    since = "" if is_full else f" since checkpoint {base}" if base else ""
    click.echo(f"{'full' if is_full else 'incremental'} verification (checkpoint {number}): {events} event(s) "
               f"in {chains} chain(s) checked{since}, last verified event {last}, {count} problem(s)")
    if count:
        raise SystemExit(1)
