"""A loaded object whose changes are plain column values is written by one prebuilt UPDATE
(``app/column_updates.py``); everything else stays with the ORM's unit of work, which must then
behave exactly as before. SQLite and PostgreSQL (CI runs both)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Department, Organisation, ProcessEvent, User
from tests.support.world import T1


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _stored(column: str, org_id: int):
    with db.engine.connect() as conn:  # outside the session: what a commit made durable
        return conn.scalar(text(f"SELECT {column} FROM organisation WHERE id = :id"), {"id": org_id})  # noqa: S608


def _unit(world) -> Organisation:
    return db.session.get(Organisation, world.unit1)


def test_a_changed_column_is_one_update_and_the_object_is_saved(app, world):
    with app.app_context():
        unit = _unit(world)
        unit.industry, unit.unit_type = "教育", "事业单位"
        with statements() as seen:
            db.session.flush()
        updates = [s for s in seen if s.startswith("UPDATE")]
        assert len(updates) == 1 and updates[0].startswith("UPDATE organisation SET ")
        assert "industry=" in updates[0] and "unit_type=" in updates[0] and "name=" not in updates[0]
        assert not db.session.is_modified(unit) and unit not in db.session.dirty
        assert unit.industry == "教育"
        with statements() as seen:
            db.session.flush()  # nothing left for the ORM
        assert seen == []
        db.session.commit()
        assert _stored("industry", world.unit1) == "教育" and _stored("unit_type", world.unit1) == "事业单位"


def test_a_value_set_to_what_it_was_writes_nothing(app, world):
    with app.app_context():
        unit = _unit(world)
        unit.name = unit.name
        with statements() as seen:
            db.session.flush()
        assert [s for s in seen if s.startswith("UPDATE")] == []


def test_a_rollback_undoes_what_it_wrote(app, world):
    with app.app_context():
        unit = _unit(world)
        before = unit.industry
        unit.industry = "金融"
        db.session.flush()
        db.session.rollback()
        assert _stored("industry", world.unit1) == before
        assert _unit(world).industry == before  # the object was expired by the rollback, read again


def test_a_relationship_change_is_left_to_the_orm(app, world):
    with app.app_context():
        unit, other = _unit(world), db.session.get(Organisation, world.unit2)
        unit.parent = other
        unit.industry = "交通"
        db.session.commit()
        assert _stored("parent_id", world.unit1) == world.unit2
        assert _stored("industry", world.unit1) == "交通"


def test_an_sql_expression_is_left_to_the_orm(app, world):
    with app.app_context():
        unit = _unit(world)
        name = unit.name
        unit.name = Organisation.name + "（已更名）"
        db.session.commit()
        assert _stored("name", world.unit1) == name + "（已更名）"


def test_an_update_that_finds_no_row_raises_as_the_orm_does(app, world):
    with app.app_context():
        lone = Organisation(name="无人引用的单位", kind="unit", parent_id=world.city)
        db.session.add(lone)
        db.session.commit()
        lone_id = lone.id
        lone.industry = "能源"
        db.session.flush()  # written the plain way once
        db.session.execute(text("DELETE FROM organisation WHERE id = :id"), {"id": lone_id})
        lone.industry = "水利"
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()
        assert _stored("industry", lone_id) is None  # the first write went with the rollback too


def test_a_foreign_key_to_a_row_still_to_be_inserted_waits_for_the_orm(app, world):
    with app.app_context():
        person = db.session.get(User, world.user[T1])
        db.session.add(Department(id=900001, org_id=world.unit1, name="新设科室"))
        person.department_id = 900001  # written before the INSERT it points at, it would break the key
        db.session.commit()
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT department_id FROM app_user WHERE id = :id"),
                               {"id": world.user[T1]}) == 900001


def test_append_only_tables_still_refuse_updates(app, world, api):
    claim = api.new_claim(T1)
    with app.app_context():
        entry = db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.is_not(None))).first()
        assert entry is not None, claim
        entry.comment = "改写"
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
