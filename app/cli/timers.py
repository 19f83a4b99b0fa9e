"""``flask --app app run-timers``: advance instances whose timers are due."""
from __future__ import annotations

import time

import click

from ..services.timers import run_due


@click.command("run-timers")
@click.option("--limit", default=100, show_default=True, help="Instances per pass.")
@click.option("--loop", is_flag=True, help="Keep running, one pass every --interval seconds.")
@click.option("--interval", default=30.0, show_default=True)
def run_timers_command(limit: int, loop: bool, interval: float) -> None:
    """Safe to run from cron or as a loop on several hosts at once."""
    while True:
        fired = run_due(limit)
        if fired or not loop:  # a loop says only when something moved
            click.echo(f"advanced {fired} instance(s)")
        if not loop:
            return
        time.sleep(interval)
