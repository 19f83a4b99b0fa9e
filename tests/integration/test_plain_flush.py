"""A loaded object whose changes are plain column values is written by one prebuilt UPDATE, a new
object of plain columns by one INSERT … RETURNING (``app/plain_flush.py``): the same rows and the
same objects as the ORM's unit of work would leave; everything else stays with the ORM, which must
then behave exactly as before. SQLite and PostgreSQL (CI runs both)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.db import savepoint
from app.extensions import db
from app.models import Department, HourEntry, Organisation, ProcessEvent, RecordPrint, User
from app.plain_flush import write_plain
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


# -- new objects ----------------------------------------------------------------------------------

@contextmanager
def orm_only() -> Iterator[None]:
    event.remove(db.session, "before_flush", write_plain)
    try:
        yield
    finally:
        event.listen(db.session, "before_flush", write_plain)


def _row(obj) -> dict:
    table = inspect(obj).mapper.local_table
    with db.session.no_autoflush:
        return dict(db.session.execute(select(table).where(table.c.id == obj.id)).mappings().one())


def _values(obj) -> dict:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}


VARYING = {"id", "name", "created_at", "printed_at", "source_id", "code", "number"}  # unique, or the moment of writing


def _same(plain, orm) -> None:
    for got, expected in ((_row(plain), _row(orm)), (_values(plain), _values(orm))):
        assert {k: v for k, v in got.items() if k not in VARYING} == {
            k: v for k, v in expected.items() if k not in VARYING}
        for key in VARYING & set(got):
            assert (got[key] is None) == (expected[key] is None), key


def _made(world):
    user = world.user[T1]
    return [
        lambda n: Organisation(name=f"新单位{n}", kind="unit", parent_id=world.city, is_active=None, unit_type=None),
        lambda n: Department(org_id=world.unit1, name=f"科室{n}"),
        lambda n: HourEntry(user_id=user, year=2026, category="professional", source="test", source_id=n,
                            hours=Decimal("1.5"), note=None),
        lambda n: RecordPrint(number=f"TEST{n:08d}", user_id=user, year=2026, holder_name="张三", total=Decimal("1"),
                              professional=Decimal("1"), public=Decimal("0"), required_total=Decimal("90"),
                              by_source=None, profile=[["姓名", "张三"]], region="杭州"),
    ]


def test_a_new_object_is_one_insert_and_the_same_row_and_object_as_the_orms(app, world):
    with app.app_context():
        for n, make in enumerate(_made(world)):
            plain = make(2 * n)
            db.session.add(plain)
            with statements() as seen:
                db.session.flush()
            inserts = [s for s in seen if s.startswith("INSERT")]
            assert len(inserts) == 1 and " RETURNING " in inserts[0], seen
            state = inspect(plain)
            assert state.persistent and plain.id is not None and not db.session.is_modified(plain)
            with statements() as seen:
                db.session.flush()
            assert seen == []
            with orm_only():
                orm = make(2 * n + 1)
                db.session.add(orm)
                db.session.flush()
            _same(plain, orm)
        db.session.commit()
        unit = db.session.scalar(select(Organisation).where(Organisation.name == "新单位0"))
        assert unit.is_active is True and unit.created_at is not None  # None left out: the defaults applied


def test_a_rolled_back_insert_leaves_the_session_as_the_orms_would(app, world):
    with app.app_context():
        first = Department(org_id=world.unit1, name="回滚的科室")
        db.session.add(first)
        db.session.flush()
        first_id = first.id
        db.session.rollback()
        assert inspect(first).transient  # expunged, as the ORM expunges what its flush inserted
        again = Department(org_id=world.unit1, name="再建的科室")
        db.session.add(again)
        db.session.commit()  # SQLite may give the same id again: no clash in the identity map
        assert again.id is not None and (again.id == first_id or again.id > 0)


def test_an_insert_refused_in_a_savepoint_leaves_the_rest_of_the_transaction(app, world):
    with app.app_context():
        taken = db.session.get(Organisation, world.unit1).name
        duplicate = Organisation(name=taken, kind="unit", parent_id=world.city)
        with pytest.raises(IntegrityError), savepoint():
            db.session.add(duplicate)
            db.session.flush()
        assert inspect(duplicate).transient
        kept = Department(org_id=world.unit1, name="之后的科室")
        db.session.add(kept)
        db.session.commit()
        assert db.session.get(Department, kept.id).name == "之后的科室"


def test_new_objects_go_in_foreign_key_order(app, world):
    with app.app_context():
        child = Department(org_id=910001, name="新单位的科室")  # added before the row it points at
        db.session.add(child)
        db.session.add(Organisation(id=910001, name="后加的单位", kind="unit", parent_id=world.city))
        db.session.commit()
        assert db.session.get(Department, child.id).org_id == 910001


def test_a_new_object_with_a_relationship_is_the_orms(app, world):
    with app.app_context():
        parent = db.session.get(Organisation, world.city)
        unit = Organisation(name="挂在关系上的单位", kind="unit", parent=parent)
        db.session.add(unit)
        db.session.flush()
        unit_id = unit.id
        db.session.commit()
        assert _stored("parent_id", unit_id) == world.city
