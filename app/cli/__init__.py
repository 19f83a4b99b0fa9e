"""Command-line entry points: ``flask --app app <command>``. Each runs in one transaction."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from .audit import audit_cli
    from .bpmn import bpmn_cli
    from .check import check_cli
    from .demo import demo_command
    from .timers import run_timers_command

    app.cli.add_command(audit_cli)
    app.cli.add_command(bpmn_cli)
    app.cli.add_command(check_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(run_timers_command)
