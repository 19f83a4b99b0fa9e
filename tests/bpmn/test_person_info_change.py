"""Every path of bpmn/person_info_change.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError


def change(engine) -> Run:
    return Run.of(engine, "person_info_change", record_id=1)


def test_asked_it_waits_for_the_unit_for_fifteen_days(engine, calls):
    run = change(engine)
    assert run.ready() == ["unit_review"] and run.statuses == ["pending"] and run.labels == ["待审核"]
    step = run.bundle.task("unit_review")
    assert step.lane == "unit" and step.decisions == ("approve", "reject") and step.due == "P15D"
    assert step.comment_required == ("reject",)
    assert calls == []


def test_approved_the_new_values_are_written(engine, calls):
    run = change(engine).do("unit_review", "approve", "unit")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("approved", "审核通过")
    assert calls == ["apply_person_info_change"]


def test_rejected_nothing_is_written(engine, calls):
    run = change(engine).do("unit_review", "reject", "unit")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("rejected", "已驳回")
    assert calls == []


def test_withdrawn_by_the_trainee_while_it_waits(engine, calls):
    run = change(engine).message("withdraw")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("withdrawn", "已撤回")
    assert run.ready() == [] and calls == []


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_no_withdrawing_once_reviewed(engine, decision):
    run = change(engine).do("unit_review", decision, "unit")
    with pytest.raises(EventNotWaiting):
        run.message("withdraw")


def test_only_the_units_lane_reviews(engine, calls):
    with pytest.raises(LaneError):
        change(engine).do("unit_review", "approve", "trainee")
    assert calls == []
