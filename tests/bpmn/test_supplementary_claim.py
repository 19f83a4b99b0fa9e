"""Every path of bpmn/supplementary_claim.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.paths import Run
from workflows import EventNotWaiting


def supplement(engine) -> Run:
    return Run.of(engine, "supplementary_claim", record_id=1)


def agreed(engine) -> Run:
    return supplement(engine).do("unit_consent", "agree", "unit")


def reported(engine) -> Run:
    return agreed(engine).do("prepare", "submit", "trainee")


def test_asked_agreed_reported_and_filed(engine, calls):
    run = reported(engine).do("unit_review", "approve", "unit").do("office_review", "approve", "office") \
        .do("provincial_filing", "approve", "province")
    assert run.statuses == ["requested", "saved", "reported", "unit_approved", "office_approved", "filed"]
    assert run.labels == ["个人申请中", "个人保存", "个人上报", "企业审核通过", "学时办审核通过", "终审通过"]
    assert run.completed and calls == ["credit_supplementary_hours"]


def test_the_unit_refuses_the_request(engine, calls):
    run = supplement(engine).do("unit_consent", "refuse", "unit")
    assert run.completed and run.statuses[-1] == "refused" and run.labels[-1] == "拒绝增补"
    assert calls == []


def test_cancelled_before_the_unit_answers(engine, calls):
    run = supplement(engine).message("cancel")
    assert run.completed and run.statuses == ["requested", "cancelled"] and run.labels[-1] == "已撤销增补"
    assert calls == []


def test_cancelled_after_agreement_while_nothing_is_reported(engine, calls):
    run = agreed(engine).message("cancel")
    assert run.completed and run.statuses[-1] == "cancelled" and calls == []


def test_no_cancel_once_reported_or_under_review(engine, calls):
    run = reported(engine)
    with pytest.raises(EventNotWaiting):
        run.message("cancel")
    run.do("unit_review", "approve", "unit")
    with pytest.raises(EventNotWaiting):
        run.message("cancel")
    run.do("office_review", "approve", "office")
    with pytest.raises(EventNotWaiting):
        run.message("cancel")
    assert run.ready() == ["provincial_filing"] and calls == []


def test_no_cancel_after_refusal_or_filing(engine, calls):
    run = supplement(engine).do("unit_consent", "refuse", "unit")
    with pytest.raises(EventNotWaiting):
        run.message("cancel")
    filed = reported(engine).do("unit_review", "approve", "unit").do("office_review", "approve", "office") \
        .do("provincial_filing", "approve", "province")
    with pytest.raises(EventNotWaiting):
        filed.message("cancel")


@pytest.mark.parametrize(("step", "lane", "before", "back", "label"), [
    ("unit_review", "unit", [], "unit_rejected", "企业审核不通过"),
    ("office_review", "office", [("unit_review", "unit")], "office_rejected", "学时办审核不通过"),
    ("provincial_filing", "province", [("unit_review", "unit"), ("office_review", "office")],
     "province_rejected", "省级审核不通过"),
])
def test_each_refusal_returns_to_the_trainee_who_reports_again(engine, calls, step, lane, before, back, label):
    run = reported(engine)
    for earlier, earlier_lane in before:
        run.do(earlier, "approve", earlier_lane)
    run.do(step, "reject", lane)
    assert run.ready() == [back] and run.statuses[-1] == back and run.labels[-1] == label
    run.do(back, "submit", "trainee")
    assert run.ready() == ["unit_review"] and run.labels[-1] == "个人上报"  # through the unit again
    run.do("unit_review", "approve", "unit").do("office_review", "approve", "office") \
        .do("provincial_filing", "approve", "province")
    assert run.statuses[-1] == "filed" and calls == ["credit_supplementary_hours"]


@pytest.mark.parametrize("step", ["unit_review", "office_review", "provincial_filing"])
def test_a_refused_supplement_may_be_withdrawn(engine, calls, step):
    run = reported(engine)
    lanes = {"unit_review": "unit", "office_review": "office", "provincial_filing": "province"}
    for earlier in list(lanes)[:list(lanes).index(step)]:
        run.do(earlier, "approve", lanes[earlier])
    run.do(step, "reject", lanes[step]).message("cancel")
    assert run.completed and run.statuses[-1] == "cancelled" and calls == []


def test_steps_are_done_only_in_their_lanes(engine):
    run = supplement(engine)
    with pytest.raises(Exception, match="lane"):
        run.do("unit_consent", "agree", "trainee")
    assert run.ready() == ["unit_consent"]
