"""Statements run with their compiled form kept on them (``app/prebuilt.py``) answer as
``Connection.execute`` answers, and fire the same cursor events; a generative copy compiles its own;
with ``before_execute`` listeners SQLAlchemy's own path runs. SQLite and PostgreSQL (CI runs both)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, delete, event, insert, select, text, update

from app import prebuilt
from app.extensions import db
from app.models import Department, Organisation

DEPT = Department.__table__


@contextmanager
def cursor_events() -> Iterator[list[tuple[str, str, Any]]]:
    seen: list[tuple[str, str, Any]] = []

    def before(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append(("before", " ".join(statement.split()), parameters))

    def after(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append(("after", " ".join(statement.split()), parameters))
    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


STATEMENTS = {
    "insert returning": (insert(DEPT).returning(DEPT.c.id, DEPT.c.name), {"name": "人事科", "org_id": None,
                                                                     "created_at": datetime(2026, 1, 5, tzinfo=UTC)}),
    "select bound": (select(Organisation.name, Organisation.id).where(Organisation.id == bindparam("oid")), {}),
    "select literal": (select(Organisation.id).where(Organisation.name != "无此单位").order_by(Organisation.id), None),
    "update": (update(Organisation.__table__).where(Organisation.id == bindparam("oid"))
               .values(industry=bindparam("industry")), {"industry": "教育"}),
    "text": (text("SELECT id FROM organisation WHERE id = :oid"), {}),
    "delete none": (delete(DEPT).where(DEPT.c.name == "无此科室"), None),
    "one row of values": (update(Organisation.__table__).where(Organisation.id == bindparam("oid"))
                          .values(unit_type=bindparam("unit_type")), [{"unit_type": "事业单位"}]),
    "insert one row returning": (insert(DEPT).returning(DEPT.c.name), [
        {"name": "财务科", "org_id": None, "created_at": datetime(2026, 1, 5, tzinfo=UTC)}]),
}


def _answer(result: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"rowcount": result.rowcount if not result.returns_rows else None}
    if result.returns_rows:
        answer["keys"] = list(result.keys())
        answer["rows"] = [tuple(row) for row in result.all()]
    if result.context.isinsert and not result.returns_rows:
        answer["pk"] = tuple(result.inserted_primary_key)
    return answer


def _for_unit(values: Any, unit: int) -> Any:
    """The values with the world's unit where a statement names one (``org_id`` to insert, ``oid`` to find)."""
    if isinstance(values, list):
        return [_for_unit(row, unit) for row in values]
    if values is None:
        return None
    return {**values, "org_id": unit} if "org_id" in values else {**values, "oid": unit}


@pytest.mark.parametrize("name", list(STATEMENTS))
def test_answers_and_events_are_connection_executes(app, world, name):
    statement, values = STATEMENTS[name]
    with app.app_context():
        values = _for_unit(values, world.unit1)
        found = {}
        for way in ("sqlalchemy", "prebuilt", "prebuilt again"):
            connection = db.session.connection()
            with cursor_events() as seen:
                if way == "sqlalchemy":
                    result = connection.execute(statement, values)
                else:
                    result = prebuilt.execute(connection, statement, values)
                answer = _answer(result)
            if name == "insert returning":  # a new row each time: its id differs, nothing else
                answer["rows"] = [row[1:] for row in answer["rows"]]
            found[way] = (answer, seen)
            db.session.rollback()
        assert found["prebuilt"] == found["sqlalchemy"] == found["prebuilt again"]
        assert statement.__dict__[prebuilt._KEPT][0] == id(statement)  # run by the kept form, not passed on
        assert [kind for kind, *_ in found["prebuilt"][1]] == ["before", "after"]


def test_a_generative_copy_compiles_its_own(app, world):
    base = select(Organisation.id).where(Organisation.id >= bindparam("low"))
    with app.app_context():
        connection = db.session.connection()
        everyone = prebuilt.execute(connection, base, {"low": 0}).scalars().all()
        narrowed = base.where(Organisation.id == world.unit1)  # carries base's dictionary, and its kept form
        assert prebuilt.execute(connection, narrowed, {"low": 0}).scalars().all() == [world.unit1]
        assert prebuilt.execute(connection, base, {"low": 0}).scalars().all() == everyone and len(everyone) > 1
        by_name = prebuilt.execute(connection, select(Organisation.id).where(Organisation.id == world.unit1)
                                   .where(Organisation.name == bindparam("name")), {"name": "无此单位"})
        assert by_name.all() == []  # other value names: compiled for them
        db.session.rollback()


@pytest.mark.parametrize("target", ["engine", "every engine"])
def test_before_and_after_execute_listeners_are_heard(app, world, target):
    heard: list[str] = []

    def before(_conn, clause, *_args) -> None:
        heard.append("before")

    def after(_conn, clause, *_args) -> None:
        heard.append("after")
    with app.app_context():
        where = db.engine if target == "engine" else Engine
        event.listen(where, "before_execute", before)
        event.listen(where, "after_execute", after)
        try:
            statement = select(Organisation.id).where(Organisation.id == bindparam("oid"))
            assert prebuilt.execute(db.session.connection(), statement, {"oid": world.unit1}).scalar() == world.unit1
            assert heard == ["before", "after"]
        finally:
            event.remove(where, "before_execute", before)
            event.remove(where, "after_execute", after)
        db.session.rollback()


def test_many_rows_of_values_go_through_sqlalchemy(app, world):
    with app.app_context():
        connection = db.session.connection()
        prebuilt.execute(connection, insert(DEPT), [{"name": "甲科", "org_id": world.unit1},
                                                    {"name": "乙科", "org_id": world.unit1}])
        assert sorted(db.session.scalars(select(Department.name).where(
            Department.org_id == world.unit1, Department.name.in_(["甲科", "乙科"])))) == ["乙科", "甲科"]
        db.session.rollback()
