"""Every path of bpmn/unit_change.bpmn (修改单位信息), on the engine alone: one review by the parent."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError


def change(engine) -> Run:
    return Run.of(engine, "unit_change", record_id=1)


def test_asked_it_waits_for_the_parent_authority(engine, calls):
    run = change(engine)
    assert run.ready() == ["parent_review"] and run.statuses == ["pending"] and run.labels == ["待审核"]
    step = run.bundle.task("parent_review")
    assert step.lane == "parent" and step.decisions == ("approve", "reject") and step.due == "P15D"
    assert step.comment_required == ("reject",) and calls == []


def test_approved_the_new_information_takes_effect(engine, calls):
    run = change(engine).do("parent_review", "approve", "parent")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("approved", "审核通过")
    assert calls == ["apply_info_change"]


def test_turned_down_nothing_changes(engine, calls):
    run = change(engine).do("parent_review", "reject", "parent")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("rejected", "已驳回")
    assert run.ready() == [] and calls == []


def test_cancelled_by_the_unit_while_it_waits(engine, calls):
    run = change(engine).message("cancel")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("cancelled", "已撤销")
    assert run.ready() == [] and calls == []


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_no_cancelling_once_decided(engine, decision):
    run = change(engine).do("parent_review", decision, "parent")
    with pytest.raises(EventNotWaiting):
        run.message("cancel")


@pytest.mark.parametrize("lane", ["unit", "old_parent", "new_parent"])
def test_only_the_parents_lane_decides(engine, lane):
    with pytest.raises(LaneError):
        change(engine).do("parent_review", "approve", lane)
