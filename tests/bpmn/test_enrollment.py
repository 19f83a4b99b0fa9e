"""Every path of bpmn/enrollment.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

from tests.support.paths import Run


def enrollment(engine, same_unit: bool) -> Run:
    return Run.of(engine, "enrollment", same_unit=same_unit)


def test_reenrolment_with_the_same_unit_needs_no_review(engine, calls):
    run = enrollment(engine, same_unit=True)
    assert run.snapshot.completed and run.statuses == ["approved"] and run.ready() == []
    assert calls == ["approve_enrollment"]


def test_first_enrolment_approved_by_the_unit(engine, calls):
    run = enrollment(engine, same_unit=False)
    assert run.ready() == ["unit_review"] and run.statuses == ["unit_review"]
    run.do("unit_review", "approve", "unit")
    assert run.statuses[-1] == "approved" and calls == ["approve_enrollment"]


def test_rejected_enrolment_is_edited_and_resubmitted(engine, calls):
    run = enrollment(engine, same_unit=False).do("unit_review", "reject", "unit")
    assert run.ready() == ["revise"] and run.snapshot.status_label == "审核不通过"
    assert calls == []
    run.do("revise", "submit", "trainee").do("unit_review", "approve", "unit")
    assert run.statuses == ["unit_review", "rejected", "unit_review", "approved"]
    assert calls == ["approve_enrollment"]


def test_only_the_rejected_enrolment_is_editable(engine):
    run = enrollment(engine, same_unit=False)
    bundle = run.bundle
    assert [bundle.task(spec).editable for spec in run.ready()] == [False]
    run.do("unit_review", "reject", "unit")
    assert [bundle.task(spec).editable for spec in run.ready()] == [True]
