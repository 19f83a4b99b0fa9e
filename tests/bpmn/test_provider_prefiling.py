"""Every path of bpmn/provider_prefiling.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError


def filing(engine) -> Run:
    return Run.of(engine, "provider_prefiling", record_id=1)


def submitted(engine) -> Run:
    return filing(engine).do("prepare", "submit", "provider")


def approved(engine) -> Run:
    return submitted(engine).do("supervisor_review", "approve", "supervisor")


def forwarded(engine) -> Run:
    return approved(engine).do("stamp", "submit", "provider").do("forward", "forward", "supervisor")


def test_a_new_filing_is_the_providers_editable_draft(engine):
    run = filing(engine)
    assert run.ready() == ["prepare"] and (run.statuses[-1], run.labels[-1]) == ("draft", "未提交")
    step = run.bundle.task("prepare")
    assert step.lane == "provider" and step.decisions == ("submit",) and step.editable and step.form == "submission"


def test_submitted_it_waits_for_the_supervisor(engine):
    run = submitted(engine)
    assert run.ready() == ["supervisor_review"] and run.labels[-1] == "待主管单位审核"
    step = run.bundle.task("supervisor_review")
    assert step.lane == "supervisor" and step.decisions == ("approve", "rollback")
    assert step.comment_required == ("rollback",) and not step.editable


def test_approved_the_provider_uploads_the_stamped_form_then_the_supervisor_forwards(engine):
    run = approved(engine)
    assert run.ready() == ["stamp"] and run.labels[-1] == "待上传盖章申报表"
    assert run.bundle.task("stamp").form == "stamped_form" and not run.bundle.task("stamp").editable
    run.do("stamp", "submit", "provider")
    assert run.ready() == ["forward"] and run.labels[-1] == "待主管单位报送"
    assert run.bundle.task("forward").decisions == ("forward", "rollback")


def test_forwarded_it_is_routed_to_hr_which_files_it(engine, calls):
    run = forwarded(engine)
    assert run.ready() == ["hr_review"] and run.labels[-1] == "待人社部门审核" and calls == ["route_to_hr"]
    run.do("hr_review", "approve", "hr")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("filed", "备案通过")
    assert calls == ["route_to_hr", "file_prefiling"]


@pytest.mark.parametrize("at", ["supervisor_review", "forward", "hr_review"])
def test_a_rollback_at_any_review_returns_it_to_the_provider_to_edit_and_resubmit(engine, calls, at):
    run = {"supervisor_review": submitted, "forward": lambda e: approved(e).do("stamp", "submit", "provider"),
           "hr_review": forwarded}[at](engine)
    lane = "hr" if at == "hr_review" else "supervisor"
    run.do(at, "rollback", lane)
    assert run.ready() == ["revise"] and (run.statuses[-1], run.labels[-1]) == ("rolled_back", "已回退")
    assert run.bundle.task("revise").editable and run.bundle.task("revise").form == "submission"
    run.do("revise", "submit", "provider")
    assert run.ready() == ["supervisor_review"]  # every round starts again with the supervisor
    assert "file_prefiling" not in calls


def test_a_draft_may_be_deleted(engine, calls):
    run = filing(engine).message("delete")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("deleted", "已删除")
    assert calls == ["discard_prefiling"]


@pytest.mark.parametrize("make", [submitted, approved])
def test_no_deleting_once_submitted(engine, make):
    with pytest.raises(EventNotWaiting):
        make(engine).message("delete")


def test_each_step_belongs_to_its_lane(engine):
    with pytest.raises(LaneError):
        submitted(engine).do("supervisor_review", "approve", "hr")
    with pytest.raises(LaneError):
        forwarded(engine).do("hr_review", "approve", "supervisor")
    with pytest.raises(LaneError):
        filing(engine).do("prepare", "submit", "supervisor")
