"""API reads on PostgreSQL run in autocommit and cannot write; everything else stays transactional.

An API GET on PostgreSQL skips the BEGIN and COMMIT round trips (``app/db.py``,
``begin_read_only``): under READ COMMITTED each statement had its own snapshot anyway. The
price would be that a write in such a request could not be rolled back, so a write on
that connection is refused before it reaches the database.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update

from app.db import READ_ONLY_OPTION, ReadOnlyViolation, begin_read_only, rollback
from app.extensions import db
from app.models import Organisation
from tests.support.world import T1


def _postgres(app: Any) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.fixture
def seen(app) -> Iterator[list[dict[str, Any]]]:
    """Every statement sent, with whether it went out on a read-only autocommit connection."""
    statements: list[dict[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        dbapi = conn.connection.dbapi_connection
        statements.append({"sql": statement.split()[0].upper(),
                           "read_only": bool(conn.get_execution_options().get(READ_ONLY_OPTION)),
                           "autocommit": getattr(dbapi, "autocommit", None)})

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def test_an_api_read_on_postgresql_sends_no_begin_or_commit(app, api, seen) -> None:
    if not _postgres(app):
        pytest.skip("PostgreSQL only: SQLite reads keep one snapshot per transaction")
    api.submitted_claim(T1)
    reviewer = api.as_("unit_reviewer")  # logs in (a write) before we look
    seen.clear()
    response = reviewer.get("/tasks")
    assert response.status_code == 200 and response.get_json()["total"] == 1
    assert seen and all(s["read_only"] and s["autocommit"] is True for s in seen), seen
    assert {s["sql"] for s in seen} == {"SELECT"}


def test_the_next_write_on_the_same_pooled_connection_is_transactional_again(app, api, seen) -> None:
    trainee = api.as_(T1)
    assert api.as_("unit_reviewer").get("/tasks").status_code == 200
    seen.clear()
    response = trainee.post("/claims", json={"year": date.today().year, "route": "exam", "title": "考试",
                                             "details": {"subjects_passed": 1}, "hours_requested": 8})
    claim = response.get_json()
    assert claim["status"] == "draft"
    assert any(s["sql"] == "INSERT" for s in seen)
    assert not any(s["read_only"] for s in seen), seen
    if _postgres(app):
        assert all(s["autocommit"] is False for s in seen), seen


def test_a_read_on_sqlite_stays_in_its_transaction(app, api, seen) -> None:
    if _postgres(app):
        pytest.skip("SQLite only")
    api.as_("unit_reviewer").get("/tasks")
    assert seen and not any(s["read_only"] for s in seen)


def test_a_web_page_read_stays_transactional(app, web, seen) -> None:
    """Pages may write on GET (an expired session is ended), so they keep BEGIN/COMMIT."""
    client = web("unit_reviewer")
    seen.clear()
    assert client.get("/").status_code in (200, 302)
    assert seen and not any(s["read_only"] for s in seen)


@pytest.mark.parametrize("write", ["orm_insert", "core_update", "text_delete"])
def test_a_write_on_a_read_only_connection_is_refused_and_changes_nothing(app, world, write) -> None:
    if not _postgres(app):
        pytest.skip("PostgreSQL only: begin_read_only does nothing on SQLite")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Organisation))
        name = db.session.get(Organisation, world.unit1).name
        db.session.remove()
        begin_read_only()
        with pytest.raises(ReadOnlyViolation):
            if write == "orm_insert":
                db.session.add(Organisation(name="不该写入", kind="unit", level="county"))
                db.session.flush()
            elif write == "core_update":
                db.session.execute(update(Organisation).where(Organisation.id == world.unit1)
                                   .values(name="改名"))
            else:
                db.session.execute(text("  delete from organisation where id = :id"), {"id": world.unit1})
        rollback()
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == before
        assert db.session.get(Organisation, world.unit1).name == name
        db.session.remove()
