"""The event log is append-only and hash-chained; `flask audit verify` catches tampering."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import ProcessEvent
from tests.support.world import T1, T2


@pytest.fixture
def history(api):
    """Two claims with a few steps each."""
    first = api.submitted_claim(T1)
    api.decide("unit_reviewer", first["id"], "approve")
    second = api.submitted_claim(T2)
    return first, second


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _event_ids(app, instance_id):
    with app.app_context():
        return db.session.scalars(db.select(ProcessEvent.id).where(ProcessEvent.instance_id == instance_id)
                                  .order_by(ProcessEvent.id)).all()


def _sql(app, statement, **params):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_log_verifies(app, history):
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output and "instance(s) checked" in result.output


def test_an_edited_event_is_caught(app, history):
    first, _ = history
    event_id = _event_ids(app, first["instance_id"])[1]
    _sql(app, "UPDATE process_event SET comment = 'forged' WHERE id = :id", id=event_id)
    result = _verify(app)
    assert result.exit_code == 1 and f"event {event_id}: content does not match its hash" in result.output


def test_a_deleted_event_in_the_middle_is_caught(app, history):
    first, _ = history
    ids = _event_ids(app, first["instance_id"])
    _sql(app, "DELETE FROM process_event WHERE id = :id", id=ids[1])
    result = _verify(app)
    assert result.exit_code == 1 and f"event {ids[2]}: predecessor hash mismatch" in result.output


def test_a_deleted_last_event_is_caught(app, history):
    _, second = history
    ids = _event_ids(app, second["instance_id"])
    _sql(app, "DELETE FROM process_event WHERE id = :id", id=ids[-1])
    result = _verify(app)
    assert result.exit_code == 1
    assert f"instance {second['instance_id']}: last event hash mismatch" in result.output


def test_only_the_named_instance_is_checked(app, history):
    first, second = history
    _sql(app, "UPDATE process_event SET comment = 'forged' WHERE id = :id",
         id=_event_ids(app, first["instance_id"])[0])
    assert _verify(app, "--instance", str(second["instance_id"])).exit_code == 0
    assert _verify(app, "--instance", str(first["instance_id"])).exit_code == 1


def test_the_application_cannot_change_or_remove_events(app, history):
    with app.app_context():
        event = db.session.scalars(db.select(ProcessEvent)).first()
        event.comment = "rewritten"
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalars(db.select(ProcessEvent)).first()
        db.session.delete(event)
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
    assert _verify(app).exit_code == 0


# -- the administrative chain (events of no instance) ---------------------------------------

def _admin_events(app, count):
    """Append ``count`` administrative events; their ids (after those logins and the like made)."""
    from app.db import transaction
    from app.services.audit import record_admin_event
    with app.app_context():
        before = db.session.scalar(db.select(db.func.max(ProcessEvent.id))) or 0
        for n in range(count):
            with transaction():
                record_admin_event(None, "role_change", record_type="user", record_id=n + 1,
                                   old={"roles": []}, new={"roles": ["reviewer"]})
        return db.session.scalars(db.select(ProcessEvent.id).where(ProcessEvent.instance_id.is_(None),
                                                                   ProcessEvent.id > before)
                                  .order_by(ProcessEvent.id)).all()


def test_instance_events_say_what_they_are_about(app, history):
    first, _ = history
    with app.app_context():
        rows = db.session.execute(db.select(ProcessEvent.process_key, ProcessEvent.record_type,
                                            ProcessEvent.record_id)
                                  .where(ProcessEvent.instance_id == first["instance_id"])).all()
    assert rows and set(rows) == {("credit_claim", "claim", first["id"])}


def test_administrative_events_chain_and_verify(app, history):
    ids = _admin_events(app, 3)
    assert len(ids) == 3
    with app.app_context():
        events = db.session.scalars(db.select(ProcessEvent).where(ProcessEvent.id.in_(ids))
                                    .order_by(ProcessEvent.id)).all()
        earlier = db.session.scalars(db.select(ProcessEvent.hash).where(
            ProcessEvent.instance_id.is_(None), ProcessEvent.id < ids[0]).order_by(ProcessEvent.id.desc())).first()
        assert events[0].prev_hash == earlier and events[1].prev_hash == events[0].hash
        assert events[2].data == {"old": {"roles": []}, "new": {"roles": ["reviewer"]}}
    result = _verify(app)
    assert result.exit_code == 0, result.output


def test_an_edited_administrative_event_is_caught(app, history):
    ids = _admin_events(app, 3)
    # what the event is about is covered by its hash too
    _sql(app, "UPDATE process_event SET record_id = 99 WHERE id = :id", id=ids[1])
    result = _verify(app)
    assert result.exit_code == 1 and f"event {ids[1]}: content does not match its hash" in result.output


def test_a_removed_last_administrative_event_is_caught(app, history):
    ids = _admin_events(app, 2)
    _sql(app, "DELETE FROM process_event WHERE id = :id", id=ids[-1])
    result = _verify(app)
    assert result.exit_code == 1 and "admin chain: last event hash mismatch" in result.output
