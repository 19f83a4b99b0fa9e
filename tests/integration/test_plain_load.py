"""The runner's instance and task rows read by a plain statement (``app/plain_load.py``) are left in
the session exactly as the ORM's load with ``populate_existing`` leaves them: a new object, one the
session holds (changed, expired, with its relationships loaded) and one marked for deletion.
SQLite and PostgreSQL (CI runs both)."""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.exc import InvalidRequestError

from app import plain_load
from app.extensions import db
from app.models import HumanTask, ProcessInstance, TaskCandidate
from app.processes.credit_claim.models import Claim
from tests.support.world import T1

MODELS = (ProcessInstance, HumanTask)


def _statement(model: type) -> Any:
    return select(*plain_load.columns(model)).where(inspect(model).primary_key[0] == bindparam("id"))


def _by_orm(model: type, record_id: int) -> Any:
    key = inspect(model).primary_key[0]
    return db.session.scalars(select(model).where(key == record_id).execution_options(populate_existing=True)).one()


def _by_plain(model: type, record_id: int) -> Any:
    return plain_load.first(model, _statement(model), {"id": record_id})


def _state(obj: Any) -> dict[str, Any]:
    """All that tells a loaded object's state in the session."""
    state = inspect(obj)
    return {
        "values": {k: v for k, v in state.dict.items() if k in inspect(type(obj)).column_attrs},
        "loaded relationships": sorted(k for k in state.dict if k in inspect(type(obj)).relationships),
        "unloaded": sorted(state.unloaded), "expired": sorted(state.expired_attributes),
        "committed": dict(state.committed_state), "modified": state.modified, "key": state.key,
        "persistent": state.persistent, "deleted": state.deleted, "in_session": obj in db.session,
        "dirty": obj in db.session.dirty, "held": db.session.identity_map.get(state.key) is obj,
        "callables": dict(getattr(state, "callables", {}) or {}),
    }


@pytest.fixture
def ids(app, api) -> dict[type, int]:
    api.submitted_claim(T1)  # an instance waiting on the unit's review, with its open task and candidates
    with app.app_context():
        task = db.session.scalars(select(HumanTask).where(HumanTask.status == "open")
                                  .order_by(HumanTask.id.desc())).first()
        return {ProcessInstance: task.instance_id, HumanTask: task.id}


def _compare(app, ids: dict[type, int], prepare, autoflush: bool = True) -> None:
    """Prepare the session, load each way in turn (afresh for each), and hold both states equal."""
    for model in MODELS:
        found = {}
        for name, load in (("orm", _by_orm), ("plain", _by_plain)):
            with app.app_context(), (nullcontext() if autoflush else db.session.no_autoflush):
                obj = prepare(model, ids[model])
                loaded = load(model, ids[model])
                assert obj is None or loaded is obj
                found[name] = _state(loaded)
                db.session.rollback()
        assert found["plain"] == found["orm"], model.__name__


def test_a_new_object_is_the_orms(app, ids):
    _compare(app, ids, lambda model, record_id: None)


def test_a_held_object_with_a_change_takes_the_rows_values_as_the_orms(app, ids):
    def changed(model, record_id):
        obj = db.session.get(model, record_id)
        if model is ProcessInstance:
            obj.status, obj.lock_version = "改过", 99
        else:
            obj.name, obj.lane = "改过", "无"
        return obj
    _compare(app, ids, changed)  # the change flushed first, then read back
    _compare(app, ids, changed, autoflush=False)  # the change overwritten by the row's values


def test_an_expired_object_is_the_orms(app, ids):
    def expired(model, record_id):
        obj = db.session.get(model, record_id)
        db.session.expire(obj)
        return obj
    _compare(app, ids, expired)


def test_loaded_relationships_are_reset_as_the_orms(app, ids):
    def with_relationships(model, record_id):
        obj = db.session.get(model, record_id)
        if model is ProcessInstance:
            assert obj.definition is not None
        else:
            db.session.scalars(select(TaskCandidate).where(TaskCandidate.task_id == record_id)).all()
            inspect(obj).attrs.candidates.loaded_value  # noqa: B018  (a read, not loaded: raise_on_sql)
        return obj
    _compare(app, ids, with_relationships)
    with app.app_context():
        task = _by_plain(HumanTask, ids[HumanTask])
        with pytest.raises(InvalidRequestError):
            task.candidates  # noqa: B018  (lazy="raise_on_sql": loaded plainly, it still refuses)


def test_an_object_marked_for_deletion_is_the_orms(app, ids):
    def deleted(model, record_id):
        obj = db.session.get(model, record_id)
        db.session.delete(obj)
        return obj
    for model in MODELS:
        found = {}
        for name, load in (("orm", _by_orm), ("plain", _by_plain)):
            with app.app_context(), db.session.no_autoflush:
                obj = deleted(model, ids[model])
                assert load(model, ids[model]) is obj
                found[name] = _state(obj)
                db.session.rollback()
        assert found["plain"] == found["orm"], model.__name__


def test_what_is_pending_is_flushed_first_and_extra_columns_follow(app, ids):
    with app.app_context():
        instance = db.session.get(ProcessInstance, ids[ProcessInstance])
        instance.status = "待刷新"
        statement = (select(*plain_load.columns(ProcessInstance), ProcessInstance.status.label("again"))
                     .where(ProcessInstance.id == bindparam("id")))
        ((obj, again),) = plain_load.rows(ProcessInstance, statement, {"id": instance.id})
        assert obj is instance and again == "待刷新" and obj.status == "待刷新"
        assert not db.session.is_modified(obj)
        db.session.rollback()
        assert db.session.get(ProcessInstance, ids[ProcessInstance]).status != "待刷新"


def test_no_row_is_none_and_a_model_the_orm_must_load_is_refused(app, ids):
    with app.app_context():
        assert _by_plain(ProcessInstance, -1) is None
        with pytest.raises(TypeError, match="loads with the row"):
            plain_load.columns(Claim)  # its trainee and unit come joined
