"""Every path of bpmn/class_enrollment.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError

pytestmark = pytest.mark.usefixtures("engine_clock")  # timers on a clock the tests set

CLOSES = "2026-06-20T16:00:00+00:00"
AFTER = datetime(2026, 6, 20, 16, 1, tzinfo=UTC)


def draft(engine) -> Run:
    return Run.of(engine, "class_enrollment", record_id=1, closes_at=CLOSES)


def submitted(engine) -> Run:
    return draft(engine).do("prepare", "submit", "trainee")


def returned(engine) -> Run:
    return submitted(engine).do("provider_review", "return", "provider")


def test_a_new_enrolment_is_the_trainees_editable_draft(engine):
    run = draft(engine)
    assert run.ready() == ["prepare"] and (run.statuses[-1], run.labels[-1]) == ("draft", "未提交")
    assert run.bundle.task("prepare").lane == "trainee" and run.bundle.task("prepare").editable


def test_submitted_it_waits_for_the_provider_who_approves_it(engine, calls):
    run = submitted(engine)
    assert run.ready() == ["provider_review"] and run.labels[-1] == "待基地审核"
    step = run.bundle.task("provider_review")
    assert step.lane == "provider" and step.decisions == ("approve", "return") and step.comment_required == ("return",)
    assert run.snapshot.next_timer_due is None  # the provider's review is never cut off
    run.do("provider_review", "approve", "provider")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("approved", "审核通过")
    assert calls == ["approve_class_enrollment"]


def test_sent_back_the_trainee_edits_and_resubmits_before_the_deadline(engine, engine_clock):
    run = returned(engine)
    assert run.ready() == ["revise"] and (run.statuses[-1], run.labels[-1]) == ("returned", "已退回")
    assert run.snapshot.next_timer_due == datetime(2026, 6, 20, 16, 0, tzinfo=UTC)
    run.do("revise", "submit", "trainee")
    assert run.ready() == ["provider_review"]


def test_the_resubmit_deadline_closes_a_sent_back_enrolment(engine, engine_clock, calls):
    run = returned(engine)
    engine_clock[0] = AFTER
    assert run.advance() is True
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("closed", "报名已关闭")
    assert calls == ["close_class_enrollment"]


def test_the_resubmit_deadline_closes_a_draft_never_submitted(engine, engine_clock, calls):
    run = draft(engine)
    engine_clock[0] = AFTER
    assert run.advance() is True and run.statuses[-1] == "closed" and calls == ["close_class_enrollment"]


def test_a_deadline_not_reached_changes_nothing(engine, engine_clock):
    run = returned(engine)
    engine_clock[0] = datetime(2026, 6, 20, 15, 59, tzinfo=UTC)
    assert run.advance() is False and run.ready() == ["revise"]


def test_a_draft_may_be_deleted_but_not_once_submitted(engine, calls):
    run = draft(engine).message("delete")
    assert run.completed and run.statuses[-1] == "deleted" and calls == ["discard_class_enrollment"]
    with pytest.raises(EventNotWaiting):
        submitted(engine).message("delete")


def test_each_step_belongs_to_its_lane(engine):
    with pytest.raises(LaneError):
        submitted(engine).do("provider_review", "approve", "trainee")
    with pytest.raises(LaneError):
        draft(engine).do("prepare", "submit", "provider")


def test_a_deadline_moved_after_the_send_back_is_the_one_that_closes_it(engine, engine_clock):
    run = returned(engine)
    loaded = engine.load(run.bundle, run.state)
    loaded.refresh_timer_data({"closes_at": "2026-06-25T16:00:00+00:00"})  # the class moved its deadline
    engine_clock[0] = AFTER  # past the old deadline
    assert loaded.advance_timers() is False
    snapshot = loaded.snapshot()
    assert snapshot.status == "returned" and snapshot.next_timer_due == datetime(2026, 6, 25, 16, 0, tzinfo=UTC)
    engine_clock[0] = datetime(2026, 6, 25, 16, 1, tzinfo=UTC)
    assert loaded.advance_timers() is True and loaded.snapshot().status == "closed"
