"""Every path of bpmn/provider_postfiling.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting, LaneError


def draft(engine) -> Run:
    return Run.of(engine, "provider_postfiling", record_id=1)


def submitted(engine) -> Run:
    return draft(engine).do("prepare", "submit", "provider")


def test_a_new_filing_is_the_providers_editable_draft(engine):
    run = draft(engine)
    assert run.ready() == ["prepare"] and (run.statuses[-1], run.labels[-1]) == ("draft", "未提交")
    step = run.bundle.task("prepare")
    assert step.lane == "provider" and step.editable and step.form == "submission"


def test_hr_files_it_and_the_hours_and_certificates_are_issued(engine, calls):
    run = submitted(engine)
    assert run.ready() == ["hr_review"] and run.labels[-1] == "待人社部门审核"
    step = run.bundle.task("hr_review")
    assert step.lane == "hr" and step.decisions == ("approve", "rollback") and step.comment_required == ("rollback",)
    run.do("hr_review", "approve", "hr")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("filed", "备案通过")
    assert calls == ["file_postfiling"]


def test_a_rollback_returns_it_to_the_provider_to_edit_and_resubmit(engine, calls):
    run = submitted(engine).do("hr_review", "rollback", "hr")
    assert run.ready() == ["revise"] and (run.statuses[-1], run.labels[-1]) == ("rolled_back", "已回退")
    assert run.bundle.task("revise").editable and run.bundle.task("revise").form == "submission"
    run.do("revise", "submit", "provider")
    assert run.ready() == ["hr_review"] and calls == []


def test_a_draft_may_be_deleted_but_not_once_submitted(engine, calls):
    run = draft(engine).message("delete")
    assert run.completed and run.statuses[-1] == "deleted" and calls == ["discard_postfiling"]
    with pytest.raises(EventNotWaiting):
        submitted(engine).message("delete")


def test_each_step_belongs_to_its_lane(engine):
    with pytest.raises(LaneError):
        submitted(engine).do("hr_review", "approve", "provider")
    with pytest.raises(LaneError):
        draft(engine).do("prepare", "submit", "hr")
