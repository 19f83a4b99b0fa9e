"""Every path of bpmn/unit_parent_change.bpmn, on the engine alone: two reviews side by side."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError

BOTH = ["old_parent_review", "new_parent_review"]


def change(engine) -> Run:
    return Run.of(engine, "unit_parent_change", record_id=1)


def test_both_parents_review_at_once_and_the_status_names_both(engine):
    run = change(engine)
    assert run.ready() == BOTH
    assert run.statuses == ["pending"] and run.labels == ["等待原上级审核 / 等待新上级审核"]
    assert [run.bundle.task(s).lane for s in BOTH] == ["old_parent", "new_parent"]


@pytest.mark.parametrize("first, second", [BOTH, BOTH[::-1]])
def test_both_approve_in_either_order(engine, calls, first, second):
    lane = {"old_parent_review": "old_parent", "new_parent_review": "new_parent"}
    run = change(engine).do(first, "approve", lane[first])
    assert run.ready() == [second] and not run.completed and calls == []
    waiting = {"old_parent_review": "等待原上级审核", "new_parent_review": "等待新上级审核"}[second]
    assert run.labels[-1] == waiting
    run.do(second, "approve", lane[second])
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("approved", "审核通过")
    assert calls == ["apply_parent_change"]


@pytest.mark.parametrize("refuser, lane", [("old_parent_review", "old_parent"), ("new_parent_review", "new_parent")])
def test_either_refusing_ends_it_at_once(engine, calls, refuser, lane):
    run = change(engine).do(refuser, "reject", lane)
    assert run.completed and run.ready() == [] and (run.statuses[-1], run.labels[-1]) == ("rejected", "审核不通过")
    assert calls == []


def test_one_approves_then_the_other_refuses(engine, calls):
    run = change(engine).do("new_parent_review", "approve", "new_parent").do("old_parent_review", "reject",
                                                                              "old_parent")
    assert run.completed and run.statuses[-1] == "rejected" and calls == []


def test_cancelled_while_both_wait(engine, calls):
    run = change(engine).message("cancel")
    assert run.completed and run.ready() == [] and (run.statuses[-1], run.labels[-1]) == ("cancelled", "已撤销")
    assert calls == []


def test_cancelled_after_one_approved(engine, calls):
    run = change(engine).do("old_parent_review", "approve", "old_parent").message("cancel")
    assert run.completed and run.statuses[-1] == "cancelled" and calls == []


def test_no_cancelling_once_decided(engine):
    run = change(engine).do("old_parent_review", "reject", "old_parent")
    with pytest.raises(EventNotWaiting):
        run.message("cancel")


def test_each_review_belongs_to_its_own_lane(engine):
    with pytest.raises(LaneError):
        change(engine).do("old_parent_review", "approve", "new_parent")
