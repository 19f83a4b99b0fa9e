"""Verifying the event log: full and incremental runs, their checkpoints, what each finds (and what an
incremental run cannot find), the page, the API and the CLI."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditChainMark, AuditCheckpoint
from app.extensions import db
from app.models import ProcessEvent
from app.services.audit import _digest
from tests.support.world import T1, T2, T3

AUDITOR = "auditor"
SETTLED = timedelta(minutes=2)  # past the settle margin (AUDIT_SETTLE_SECONDS, 60 s)


@pytest.fixture
def log(api, clock):
    clock.freeze(datetime(2026, 5, 4, 1, 0, tzinfo=UTC))
    first = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", first["id"], "approve").status_code == 200
    second = api.submitted_claim(T2)
    clock.advance(SETTLED)
    return {"first": first, "second": second}


def _run(api, full=False, who=AUDITOR):
    response = api.as_(who).post("/audit/verify", json={"full": full})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _sql(app, statement, **params):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _ids(app, *where):
    with app.app_context():
        return db.session.scalars(select(ProcessEvent.id).where(*where).order_by(ProcessEvent.id)).all()


def _new_claim(api, clock, who=T3):
    claim = api.submitted_claim(who)
    clock.advance(SETTLED)
    return claim


def test_the_first_run_is_full_then_only_new_events_are_read(app, api, clock, log):
    first = _run(api)
    assert first["full"] and first["clean"] and first["problems"] == []
    assert first["events_checked"] == len(_ids(app)) and first["chains_checked"] > 2
    claim = _new_claim(api, clock)
    second = _run(api)
    assert not second["full"] and second["clean"] and second["base_id"] == first["id"]
    new = _ids(app, ProcessEvent.id > first["last_event_id"], ProcessEvent.id <= second["last_event_id"])
    # the new claim's events, and the first run's own start (an event of the administrative chain)
    assert second["events_checked"] == len(new) and second["first_event_id"] == new[0]
    assert set(_ids(app, ProcessEvent.instance_id == claim["instance_id"])) <= set(new)
    assert second["chains_checked"] == 2 and second["events_total"] == len(_ids(app, ProcessEvent.id <= new[-1]))
    with app.app_context():  # the heads of the chains it touched are recorded with it
        marks = db.session.scalars(select(AuditChainMark).where(AuditChainMark.checkpoint_id == second["id"])).all()
        assert {m.chain for m in marks} == {claim["instance_id"], 0}


def test_a_new_event_edited_is_found_and_stays_found(app, api, clock, log):
    _run(api)
    claim = _new_claim(api, clock)
    edited = _ids(app, ProcessEvent.instance_id == claim["instance_id"])[-1]
    _sql(app, "UPDATE process_event SET comment = 'forged' WHERE id = :id", id=edited)
    found = _run(api)
    assert not found["clean"] and f"event {edited}: content does not match its hash (edited)" in found["problems"]
    again = _run(api)  # the next run continues from the last *clean* checkpoint: it finds it again
    assert f"event {edited}: content does not match its hash (edited)" in again["problems"]


def test_an_old_event_edited_is_found_by_the_full_run_only(app, api, clock, log):
    """What incremental verification cannot do, as the page and docs/audit.md say."""
    _run(api)
    old = _ids(app, ProcessEvent.instance_id == log["first"]["instance_id"])[1]
    _sql(app, "UPDATE process_event SET comment = 'forged' WHERE id = :id", id=old)
    _new_claim(api, clock)
    assert _run(api)["clean"]  # the edited event is older than the checkpoint, in a chain not touched since
    full = _run(api, full=True)
    assert not full["clean"] and f"event {old}: content does not match its hash (edited)" in full["problems"]


def test_a_deleted_old_event_is_noticed_by_the_count(app, api, clock, log):
    _run(api)
    gone = _ids(app, ProcessEvent.instance_id == log["second"]["instance_id"])[1]
    _sql(app, "DELETE FROM process_event WHERE id = :id", id=gone)
    result = _run(api)
    assert not result["clean"] and any("1 event(s) up to event" in p and "vanished" in p for p in result["problems"])


def test_the_checkpointed_event_must_keep_its_hash(app, api, clock, log):
    first = _run(api)
    _sql(app, "UPDATE process_event SET hash = :h WHERE id = :id", h="0" * 64, id=first["last_event_id"])
    result = _run(api)
    assert any(p.startswith(f"event {first['last_event_id']}: the last verified event") for p in result["problems"])


def test_a_removed_trailing_new_event_is_caught_at_the_head(app, api, clock, log):
    _run(api)
    claim = _new_claim(api, clock)
    last = _ids(app, ProcessEvent.instance_id == claim["instance_id"])[-1]
    _sql(app, "DELETE FROM process_event WHERE id = :id", id=last)
    result = _run(api)
    assert f"instance {claim['instance_id']}: last event hash mismatch (trailing row removed)" in result["problems"]


def _rewrite_chain(app, instance_id):
    """Forge an old event and recompute every hash after it, as someone with write access and the
    hashing rule could: each chain is consistent again, only a recorded head tells."""
    with app.app_context():
        events = db.session.execute(select(ProcessEvent).where(ProcessEvent.instance_id == instance_id)
                                    .order_by(ProcessEvent.id)).scalars().all()
        rows = [SimpleNamespace(**{c.name: getattr(e, c.name) for c in ProcessEvent.__table__.columns}) for e in events]
        db.session.remove()
    rows[0].comment = "forged"
    prev = None
    with app.app_context(), db.engine.begin() as conn:
        for row in rows:
            row.prev_hash, row.hash = prev, _digest(prev, row)
            prev = row.hash
            conn.execute(text("UPDATE process_event SET comment = :c, prev_hash = :p, hash = :h WHERE id = :id"),
                         {"c": row.comment, "p": row.prev_hash, "h": row.hash, "id": row.id})
        conn.execute(text("UPDATE process_instance SET last_event_hash = :h WHERE id = :id"),
                     {"h": prev, "id": instance_id})


def test_a_consistently_rewritten_chain_is_caught_by_its_recorded_head(app, api, clock, log):
    _run(api, full=True)
    instance = log["first"]["instance_id"]
    _rewrite_chain(app, instance)
    plain = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert plain.exit_code == 0  # the chain alone is consistent again
    full = _run(api, full=True)
    assert any(p.startswith(f"instance {instance}: event ") and "when last verified" in p for p in full["problems"])


def test_a_rewritten_chain_that_grows_is_caught_incrementally(app, api, clock, log):
    _run(api)
    _rewrite_chain(app, log["second"]["instance_id"])
    assert api.decide("unit_reviewer", log["second"]["id"], "approve").status_code == 200  # the chain grows
    clock.advance(SETTLED)
    result = _run(api)
    assert any("when last verified" in p for p in result["problems"]), result["problems"]


def test_events_of_the_last_minute_wait_for_the_next_run(app, api, clock, log):
    first = _run(api)
    claim = api.submitted_claim(T3)  # now: not settled yet
    mine = _ids(app, ProcessEvent.instance_id == claim["instance_id"])
    soon = _run(api)  # (the first run's own start is as recent)
    assert soon["clean"] and soon["last_event_id"] == first["last_event_id"] < mine[0]
    assert soon["events_checked"] == 0 and soon["base_id"] == first["id"]
    clock.advance(SETTLED)
    later = _run(api)
    assert later["clean"] and later["last_event_id"] >= mine[-1]


def test_starting_a_verification_is_an_audit_event(app, api, clock, log):
    _run(api)
    _run(api, full=True)
    with app.app_context():
        started = db.session.execute(select(ProcessEvent.actor_name, ProcessEvent.data, ProcessEvent.instance_id)
                                     .where(ProcessEvent.action == "audit_verify").order_by(ProcessEvent.id)).all()
    assert [(row.actor_name, row.data["full"], row.instance_id) for row in started] == [
        ("审计员", True, None), ("审计员", True, None)]  # the first run had no checkpoint: full
    found = api.as_(AUDITOR).get("/audit/events", query_string={"action": "audit_verify"}).get_json()["items"]
    assert found[0]["action_label"] == "启动日志完整性校验"
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0  # the admin chain holds


# -- the CLI ----------------------------------------------------------------------------------------

def test_the_cli_verifies_incrementally_and_records_checkpoints(app, api, clock, log):
    cli = app.test_cli_runner()
    first = cli.invoke(args=["audit", "verify", "--incremental"])
    assert first.exit_code == 0 and "full verification (checkpoint 1)" in first.output, first.output
    _new_claim(api, clock)
    second = cli.invoke(args=["audit", "verify", "--incremental"])
    assert second.exit_code == 0 and "incremental verification (checkpoint 2)" in second.output
    assert "since checkpoint 1" in second.output and "0 problem(s)" in second.output
    claim = _new_claim(api, clock)
    _sql(app, "UPDATE process_event SET comment = 'x' WHERE id = :id",
         id=_ids(app, ProcessEvent.instance_id == claim["instance_id"])[0])
    third = cli.invoke(args=["audit", "verify", "--incremental"])
    assert third.exit_code == 1 and "content does not match its hash" in third.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 3
        by = db.session.scalars(select(AuditCheckpoint.by_name)).all()
        assert set(by) == {"系统"}
    plain = cli.invoke(args=["audit", "verify"])  # as before: full, nothing recorded
    assert plain.exit_code == 1 and "instance(s) checked" in plain.output
    assert cli.invoke(args=["audit", "verify", "--incremental", "--instance", "1"]).exit_code == 2


# -- the page and the API ---------------------------------------------------------------------------

def test_the_page_runs_a_verification_with_csrf(app, web, clock, log):
    client = web(AUDITOR)
    page = client.text("/audit/integrity")
    assert "校验新事件" in page and "完整校验" in page and "尚未做过校验" in page
    forged = client.post("/audit/integrity", {"full": "1"}, csrf=False)
    assert forged.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 0
    done = client.post("/audit/integrity", {"full": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/audit/integrity")
    shown = client.text("/audit/integrity")
    assert "校验完成" in shown and "完好" in shown and "最后校验的事件" in shown
    assert "旧事件若事后被修改，只有下一次完整校验才能发现" in shown  # honest about incremental runs


def test_process_administrators_read_the_page_but_do_not_verify(app, web, clock, log):
    client = web("process_admin")
    page = client.text("/audit/integrity")
    assert "校验新事件" not in page
    assert client.post("/audit/integrity", {"full": "0"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 0


def test_the_api_reads_the_last_checkpoint(api, clock, log):
    missing = api.as_(AUDITOR).get("/audit/verify")
    assert missing.status_code == 404 and missing.get_json()["error"]["message"] == "尚未做过校验。"
    run = _run(api, full=True)
    last = api.as_("process_admin").get("/audit/verify").get_json()
    assert last["id"] == run["id"] and last["clean"] and last["full"] and last["by_name"] == "审计员"
    refused = api.as_("process_admin").post("/audit/verify", json={"full": False})
    assert refused.status_code == 403 and refused.get_json()["error"]["message"] == "只有审计员可以执行校验。"
    bad = api.as_(AUDITOR).post("/audit/verify", json={"full": "maybe"})
    assert bad.status_code == 422 and "full" in bad.get_json()["error"]["fields"]


def test_a_full_run_too_long_for_a_request_is_refused_online_only(app, api, web, clock, log, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_ONLINE_FULL_MAX_EVENTS", 10)
    refused = api.as_(AUDITOR).post("/audit/verify", json={"full": False})  # no checkpoint yet: a full run
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "too_long_for_a_request"
    assert "flask --app app audit verify --checkpoint" in refused.get_json()["error"]["message"]
    client = web(AUDITOR)
    client.get("/audit/integrity")
    page = client.follow(client.post("/audit/integrity", {"full": "1"}))
    assert "完整校验会超出本次请求的时限" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 0
        assert _ids(app, ProcessEvent.action == "audit_verify") == []  # refused before it started
    assert app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoint"]).exit_code == 0  # the CLI may
    assert _run(api)["full"] is False  # and incremental runs after it are short
