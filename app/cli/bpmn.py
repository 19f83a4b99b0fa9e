"""``flask --app app bpmn deploy|check``: validate and deploy diagrams."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from workflows import DiagramError

from ..db import transaction
from ..errors import Invalid
from ..services import definitions

bpmn_cli = AppGroup("bpmn", help="Validate and deploy BPMN diagrams.")


@bpmn_cli.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def deploy(paths: tuple[Path, ...]) -> None:
    """Deploy PATHS (default: every diagram in the bpmn/ folder) as new versions."""
    files = list(paths) or sorted(Path(current_app.config["BPMN_FOLDER"]).glob("*.bpmn"))
    try:
        with transaction():
            for path in files:
                definition, created = definitions.deploy(path.read_bytes())
                state = "deployed" if created else "unchanged"
                click.echo(f"{definition.process_key} v{definition.version} {state} ({path.name})")
    except Invalid as exc:
        for problem in (exc.fields or {}).get("bpmn", []):
            click.echo(f"  - {problem}", err=True)
        raise click.ClickException(exc.message) from None


@bpmn_cli.command("check")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Validate PATHS against their process plug-ins without deploying; exit 1 listing every problem."""
    failed = False
    for path in paths:
        try:
            bundle = definitions.checked_bundle(path.read_bytes())
            click.echo(f"{path}: ok ({bundle.process_id}, {len(bundle.tasks)} elements)")
        except DiagramError as exc:
            failed = True
            click.echo(f"{path}: refused", err=True)
            for problem in exc.problems:
                click.echo(f"  - {problem}", err=True)
    if failed:
        raise SystemExit(1)
