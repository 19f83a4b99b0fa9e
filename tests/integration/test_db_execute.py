"""``db.execute`` runs on the connection the session's transaction began on, kept while that
transaction lasts (savepoints included) and forgotten when it ends."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import commit, execute, rollback, savepoint
from app.extensions import db
from app.plain_flush import CONNECTION as _CONNECTION


def test_the_transactions_connection_is_kept_while_it_lasts(app, world):
    with app.app_context():
        assert _CONNECTION not in db.session.info
        assert execute(text("SELECT 1")).scalar() == 1
        kept = db.session.info[_CONNECTION]
        assert kept is db.session.connection()
        with savepoint():
            assert execute(text("SELECT 2")).scalar() == 2
            assert db.session.info[_CONNECTION] is kept
        assert db.session.info[_CONNECTION] is kept  # a savepoint's end keeps it
        commit()
        assert _CONNECTION not in db.session.info
        execute(text("SELECT 3"))
        assert db.session.info[_CONNECTION] is db.session.connection()
        rollback()
        assert _CONNECTION not in db.session.info


def test_what_it_writes_is_in_the_sessions_transaction(app, world):
    with app.app_context():
        execute(text("UPDATE organisation SET industry = '测试' WHERE id = :id"), {"id": world.unit1})
        assert db.session.scalar(text("SELECT industry FROM organisation WHERE id = :id"),
                                 {"id": world.unit1}) == "测试"
        rollback()
        assert db.session.scalar(text("SELECT industry FROM organisation WHERE id = :id"),
                                 {"id": world.unit1}) != "测试"


def test_a_write_in_a_savepoint_rolls_back_with_it(app, world):
    """Inside a savepoint the statement goes through the session, which emits the SAVEPOINT first:
    sent on the kept connection it would run before it and stay when the savepoint rolls back."""
    def industry():
        return execute(text("SELECT industry FROM organisation WHERE id = :id"), {"id": world.unit1}).scalar()

    with app.app_context():
        before = industry()  # the outer transaction has begun: its connection is kept
        with pytest.raises(RuntimeError), savepoint():
            execute(text("UPDATE organisation SET industry = '保存点' WHERE id = :id"), {"id": world.unit1})
            assert industry() == "保存点"
            raise RuntimeError("roll the savepoint back")
        assert industry() == before
        rollback()


def test_by_id_answers_as_session_get(app, world):
    from sqlalchemy import event

    from app.db import by_id
    from app.models import Organisation

    seen = []

    def count(*_args) -> None:
        seen.append(1)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            unit = by_id(Organisation, world.unit1)
            assert unit is not None and unit.id == world.unit1 and len(seen) >= 1
            before = len(seen)
            assert by_id(Organisation, world.unit1) is unit and len(seen) == before  # held: no statement
            assert by_id(Organisation, 10 ** 8) is None
            assert by_id(Organisation, world.unit1) is db.session.get(Organisation, world.unit1)
            commit()  # expires what the session holds: read again, as Session.get would
            name = db.session.scalar(text("SELECT name FROM organisation WHERE id = :id"), {"id": world.unit1})
            assert by_id(Organisation, world.unit1).name == name
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        rollback()


def _record_state(obj) -> dict:
    from sqlalchemy import inspect

    state = inspect(obj)
    mapper = inspect(type(obj))
    return {"values": {k: v for k, v in state.dict.items() if k in mapper.column_attrs},
            "relationships": {k: state.dict[k] and inspect(state.dict[k]).identity
                              for k in state.dict if k in mapper.relationships},
            "unloaded": sorted(state.unloaded), "committed": dict(state.committed_state),
            "modified": state.modified, "persistent": state.persistent}


def test_reread_leaves_a_record_as_session_refresh_does(app, world, api):
    """A changed, a lazily related and an untouched record read again each way: the same state."""
    from sqlalchemy.exc import InvalidRequestError

    from app.db import reread
    from app.processes.credit_claim.models import Claim
    from tests.support.world import T1

    claim_id = api.new_claim(T1)["id"]
    prepares = {
        "untouched": lambda claim: None,
        "changed": lambda claim: setattr(claim, "title", "改过的标题"),
        "changed column behind a joined relationship": lambda claim: setattr(claim, "unit_id", world.unit2),
        "expired": lambda claim: db.session.expire(claim),
    }
    for name, prepare in prepares.items():
        found = {}
        for way, again in (("refresh", db.session.refresh), ("reread", reread)):
            with app.app_context():
                claim = db.session.get(Claim, claim_id)
                prepare(claim)
                assert again(claim) in (None, claim)
                found[way] = _record_state(claim)
                rollback()
        assert found["reread"] == found["refresh"], name
        assert found["reread"]["values"]["title"] != "改过的标题"
    with app.app_context():
        claim = db.session.get(Claim, claim_id)
        db.session.execute(text("DELETE FROM attachment WHERE record_id = :id"), {"id": claim_id})
        db.session.execute(text("UPDATE claim SET title = '库里改的' WHERE id = :id"), {"id": claim_id})
        assert reread(claim).title == "库里改的"
        db.session.expunge(claim)
        ghost = Claim(id=10 ** 8)
        from sqlalchemy.orm import make_transient_to_detached

        make_transient_to_detached(ghost)
        db.session.add(ghost)
        with pytest.raises(InvalidRequestError):
            reread(ghost)
        rollback()
