"""Every path of bpmn/class_publication.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError

pytestmark = pytest.mark.usefixtures("engine_clock")  # timers on a clock the tests set

CLOSES = "2026-06-20T16:00:00+00:00"  # 2026-06-21 00:00 in China: the day after the resubmit deadline


def draft(engine) -> Run:
    return Run.of(engine, "class_publication", record_id=1, closes_at=CLOSES)


def submitted(engine) -> Run:
    return draft(engine).do("prepare", "submit", "provider")


def approved(engine) -> Run:
    return submitted(engine).do("hr_review", "approve", "hr")


def opened(engine) -> Run:
    return approved(engine).do("open", "submit", "provider")


def test_a_new_class_is_the_providers_editable_draft(engine):
    run = draft(engine)
    assert run.ready() == ["prepare"] and (run.statuses[-1], run.labels[-1]) == ("draft", "未提交")
    step = run.bundle.task("prepare")
    assert step.lane == "provider" and step.editable and step.form == "submission"


def test_submitted_it_waits_for_the_hr_department(engine):
    run = submitted(engine)
    assert run.ready() == ["hr_review"] and run.labels[-1] == "待人社部门审核"
    step = run.bundle.task("hr_review")
    assert step.lane == "hr" and step.decisions == ("approve", "rollback") and step.comment_required == ("rollback",)


def test_approved_it_waits_for_the_provider_to_open_it(engine, calls):
    run = approved(engine)
    assert run.ready() == ["open"] and (run.statuses[-1], run.labels[-1]) == ("approved", "待开启")
    assert calls == ["approve_class"] and run.bundle.task("open").form == "opening"


def test_opened_it_waits_for_no_one_but_shows_open_until_its_deadline(engine, engine_clock):
    run = opened(engine)
    assert run.ready() == [] and not run.completed
    assert (run.statuses[-1], run.labels[-1]) == ("open", "已开启")
    assert run.snapshot.next_timer_due == datetime(2026, 6, 20, 16, 0, tzinfo=UTC)


def test_at_the_resubmit_deadline_it_closes(engine, engine_clock, calls):
    run = opened(engine)
    engine_clock[0] = datetime(2026, 6, 20, 15, 59, tzinfo=UTC)
    assert run.advance() is False and run.statuses[-1] == "open"
    engine_clock[0] = datetime(2026, 6, 20, 16, 1, tzinfo=UTC)
    assert run.advance() is True
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("closed", "报名已结束")
    assert calls == ["approve_class", "close_class"]


def test_a_change_request_goes_to_hr_who_sends_it_back_to_edit_resubmit_and_reopen(engine, engine_clock, calls):
    run = opened(engine).message("request_change")
    assert run.ready() == ["change_review"] and (run.statuses[-1], run.labels[-1]) == ("change_requested",
                                                                                     "申请变更待审核")
    assert run.snapshot.next_timer_due is None  # the deadline no longer runs while HR decides
    assert run.bundle.task("change_review").decisions == ("rollback", "reject")
    run.do("change_review", "rollback", "hr")
    assert run.ready() == ["revise"] and (run.statuses[-1], run.labels[-1]) == ("rolled_back", "已退回")
    moved = "2026-06-25T16:00:00+00:00"
    run.do("revise", "submit", "provider", closes_at=moved).do("hr_review", "approve", "hr")
    run.do("open", "submit", "provider")
    assert run.statuses[-1] == "open"
    assert run.snapshot.next_timer_due == datetime(2026, 6, 25, 16, 0, tzinfo=UTC)  # the moved deadline
    assert calls == ["approve_class", "approve_class"]


def test_a_refused_change_request_leaves_the_class_open_with_its_deadline(engine, engine_clock):
    run = opened(engine).message("request_change").do("change_review", "reject", "hr", asked_while_open=True)
    assert run.ready() == [] and run.statuses[-1] == "open"
    assert run.snapshot.next_timer_due == datetime(2026, 6, 20, 16, 0, tzinfo=UTC)
    run.message("request_change")  # it may ask again
    assert run.ready() == ["change_review"]


def test_hr_sends_a_submitted_class_back_and_it_comes_back_to_hr(engine, calls):
    run = submitted(engine).do("hr_review", "rollback", "hr")
    assert run.ready() == ["revise"] and run.bundle.task("revise").editable
    run.do("revise", "submit", "provider")
    assert run.ready() == ["hr_review"] and calls == []


def test_a_draft_may_be_deleted_but_not_once_submitted(engine, calls):
    run = draft(engine).message("delete")
    assert run.completed and run.statuses[-1] == "deleted" and calls == ["discard_class"]
    for make in (submitted, approved):
        with pytest.raises(EventNotWaiting):
            make(engine).message("delete")


def test_an_approved_class_not_yet_open_may_ask_too_and_a_refusal_returns_it_to_be_opened(engine):
    run = approved(engine).message("request_change")
    assert run.ready() == ["change_review"]
    run.do("change_review", "reject", "hr", asked_while_open=False)
    assert run.ready() == ["open"] and run.statuses[-1] == "approved"
    run.message("request_change").do("change_review", "rollback", "hr")
    assert run.ready() == ["revise"]


@pytest.mark.parametrize("make", [draft, submitted])
def test_no_change_request_before_the_class_is_approved(engine, make):
    with pytest.raises(EventNotWaiting):
        make(engine).message("request_change")


def test_each_step_belongs_to_its_lane(engine):
    with pytest.raises(LaneError):
        submitted(engine).do("hr_review", "approve", "provider")
    with pytest.raises(LaneError):
        approved(engine).do("open", "submit", "hr")


def test_an_open_class_closes_at_its_current_deadline(engine, engine_clock):
    run = opened(engine)
    loaded = engine.load(run.bundle, run.state)
    loaded.refresh_timer_data({"closes_at": "2026-06-18T16:00:00+00:00"})  # earlier than when it opened
    engine_clock[0] = datetime(2026, 6, 18, 16, 1, tzinfo=UTC)
    assert loaded.advance_timers() is True and loaded.snapshot().status == "closed"
