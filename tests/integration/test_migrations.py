"""Migrations: one head, and upgrading an empty database yields exactly the models."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import ROOT, create_app
from app.extensions import db

MIGRATIONS = ROOT / "migrations"


def test_single_head_and_named_revisions():
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    for path in (MIGRATIONS / "versions").glob("*.py"):
        date, time_, rev, *slug = path.stem.split("_")
        assert len(date) == 8 and len(time_) == 4 and slug, path.name


def _empty_database(tmp_path: Path) -> tuple[str, callable]:
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp_path / 'migrated.db'}", lambda: None
    schema = f"migcheck_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    separator = "&" if "?" in pg else "?"
    return f"{pg}{separator}options=-csearch_path%3D{schema}", drop


def test_upgrade_from_empty_matches_the_models(tmp_path):
    url, cleanup = _empty_database(tmp_path)
    try:
        migrated = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with migrated.app_context():
            upgrade(directory=str(MIGRATIONS))
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            db.session.remove()
            db.engine.dispose()
        assert differences == []
    finally:
        cleanup()
