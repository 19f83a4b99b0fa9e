"""Every path of bpmn/unit_declaration.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import LaneError


def declaration(engine) -> Run:
    return Run.of(engine, "unit_declaration", record_id=1)


def test_declared_it_waits_for_the_authoritys_review(engine, calls):
    run = declaration(engine)
    assert run.ready() == ["review"] and run.statuses == ["pending"] and run.labels == ["待审核"]
    step = run.bundle.task("review")
    assert step.lane == "authority" and step.decisions == ("approve", "reject")
    assert step.comment_required == ("reject",) and step.form == "recognised_hours"
    assert calls == []


def test_refused_it_ends_with_nothing_credited(engine, calls):
    run = declaration(engine).do("review", "reject", "authority")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("refused", "审核不通过")
    assert calls == []


def test_approved_the_hours_are_credited_and_it_waits_for_verification(engine, calls):
    run = declaration(engine).do("review", "approve", "authority")
    assert not run.completed and run.ready() == ["verify"]
    assert (run.statuses[-1], run.labels[-1]) == ("approved", "审核通过")
    step = run.bundle.task("verify")
    assert step.lane == "authority" and step.decisions == ("pass", "fail") and step.comment_required == ("fail",)
    assert calls == ["credit_declaration"]


def test_verification_passed_settles_it(engine, calls):
    run = declaration(engine).do("review", "approve", "authority").do("verify", "pass", "authority")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("verified", "审验通过")
    assert calls == ["credit_declaration"]


def test_verification_failed_revokes_the_hours(engine, calls):
    run = declaration(engine).do("review", "approve", "authority").do("verify", "fail", "authority")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("revoked", "审验不通过")
    assert calls == ["credit_declaration", "revoke_declaration"]


def test_only_the_authority_decides(engine):
    with pytest.raises(LaneError):
        declaration(engine).do("review", "approve", "unit")
