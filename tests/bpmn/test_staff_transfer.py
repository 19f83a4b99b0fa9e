"""Every path of bpmn/staff_transfer.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting


def transfer(engine) -> Run:
    return Run.of(engine, "staff_transfer", record_id=1)


def test_filed_it_waits_for_the_target_unit_for_fifteen_days(engine):
    run = transfer(engine)
    assert run.ready() == ["confirm_transfer"] and run.statuses == ["pending"] and run.labels == ["待转入"]
    step = run.bundle.task("confirm_transfer")
    assert step.lane == "to_unit" and step.decisions == ("accept", "refuse") and step.due == "P15D"
    assert step.comment_required == ("refuse",)


def test_accepted_the_person_moves(engine, calls):
    run = transfer(engine).do("confirm_transfer", "accept", "to_unit")
    assert run.completed and run.statuses[-1] == "accepted" and run.labels[-1] == "同意转入"
    assert calls == ["apply_transfer"]


def test_refused_nothing_moves(engine, calls):
    run = transfer(engine).do("confirm_transfer", "refuse", "to_unit")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("refused", "拒绝转入")
    assert calls == []


def test_cancelled_by_the_filing_unit_while_it_waits(engine, calls):
    run = transfer(engine).message("cancel")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("cancelled", "已撤销")
    assert run.ready() == [] and calls == []


def test_no_cancelling_once_decided(engine):
    run = transfer(engine).do("confirm_transfer", "accept", "to_unit")
    with pytest.raises(EventNotWaiting):
        run.message("cancel")


def test_only_the_target_units_lane_decides(engine):
    from workflows import LaneError

    with pytest.raises(LaneError):
        transfer(engine).do("confirm_transfer", "accept", "from_unit")
