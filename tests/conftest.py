"""Test fixtures.

The suite runs on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` is set (CI does both). One app per session; every test
starts from empty tables and its own upload folder.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.clock import CLOCK, Clock
from app.extensions import db
from tests.support.api import ApiClient
from tests.support.races import hold_instance_lock
from tests.support.world import World, build_world

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker has a PostgreSQL database of its own (``<name>_gw0``…), made on
    first use: every test starts from truncated tables, which two workers cannot share."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _database_url(tmp_root: Path) -> str:
    return _worker_database(PG_URL) if PG_URL else f"sqlite:///{tmp_root / 'test.db'}"


@contextmanager
def app_for_tests(root: Path, database_url: str,
                  prepare: Callable[[Flask], object] = lambda flask_app: None) -> Iterator[Flask]:
    """A test app on ``database_url`` with its tables made; ``prepare`` runs before its first request
    (e.g. to register a test-only blueprint)."""
    flask_app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE": {"BACKEND": "local", "LOCAL_ROOT": str(root / "uploads")},
        "AUTH": {"PASSWORD_METHOD": "pbkdf2:sha256:1000"},
    })
    prepare(flask_app)
    with flask_app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        db.session.remove()
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("app")
    with app_for_tests(root, _database_url(root)) as flask_app:
        yield flask_app


def _truncate() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - names from our own metadata


@pytest.fixture(autouse=True)
def clean_state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    if "app" not in request.fixturenames:
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    flask_app.config["STORAGE"] = {**flask_app.config["STORAGE"], "LOCAL_ROOT": str(tmp_path / "uploads")}
    flask_app.extensions.pop("storage", None)
    flask_app.extensions["bundles"].clear()  # definition ids start again after the truncation
    with flask_app.app_context():
        _truncate()
    yield
    with flask_app.app_context():
        db.session.remove()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The app's clock, stopped at the current moment; move it with ``clock.advance(timedelta(...))``."""
    CLOCK.freeze(datetime.now(UTC))
    yield CLOCK
    CLOCK.reset()


@pytest.fixture
def slow_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the instance lock a while, so the loser of a race is certainly waiting on it."""
    hold_instance_lock(monkeypatch)


@pytest.fixture
def world(app: Flask) -> World:
    """Demo-shaped data: province -> city authority -> two units, reviewers, three trainees."""
    with app.app_context():
        return build_world()


@pytest.fixture
def api(app: Flask, world: World) -> ApiClient:
    return ApiClient(app.test_client(), world)


@pytest.fixture
def web(app: Flask, world: World):
    """``web("unit_reviewer")`` -> a logged-in page client; ``web()`` -> anonymous."""
    from tests.support.web import WebClient, logged_in

    def make(username: str | None = None) -> WebClient:
        return logged_in(app, username) if username else WebClient(app.test_client())
    return make


@pytest.fixture
def third_unit(app: Flask, world: World) -> int:
    """A unit under the demo's city authority that no demo record involves, with its reviewer
    ``unit_reviewer_c`` (who must see nothing of the other units' records)."""
    from app.models import Organisation
    from tests.support.people import make_user

    with app.app_context():
        unit = Organisation(name="演示第三单位", kind="unit", parent_id=world.city)
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
    make_user(app, "unit_reviewer_c", "第三单位审核员", roles=[("reviewer", unit_id)])
    return unit_id
