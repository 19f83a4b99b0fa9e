"""Every path of bpmn/credit_claim.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from tests.support.diagrams import shipped
from tests.support.paths import Run
from workflows import EventNotWaiting


def claim(engine) -> Run:
    return Run.of(engine, "credit_claim", record_id=1)


# -- credit claim -------------------------------------------------------------------------

def test_claim_approved_by_both(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").do("unit_review", "approve", "unit") \
        .do("authority_review", "approve", "authority")
    assert run.statuses == ["draft", "unit_review", "authority_review", "approved"]
    assert run.snapshot.completed and run.snapshot.status_label == "主管部门审核通过"
    assert calls == ["credit_claim_hours"]


def test_claim_rejected_by_the_unit(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").do("unit_review", "reject", "unit")
    assert run.statuses[-1] == "unit_rejected" and run.snapshot.completed
    assert run.snapshot.status_label == "单位审核不通过"
    assert calls == []


def test_claim_withdrawn_then_resubmitted(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").message("withdraw")
    assert run.ready() == ["prepare"] and run.statuses[-1] == "draft"
    run.do("prepare", "submit", "trainee").do("unit_review", "approve", "unit")
    with pytest.raises(EventNotWaiting):  # the unit has acted: no withdrawal any more
        run.message("withdraw")
    run.do("authority_review", "approve", "authority")
    assert run.statuses == ["draft", "unit_review", "draft", "unit_review", "authority_review", "approved"]


def test_claim_sent_back_goes_through_the_unit_again(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").do("unit_review", "approve", "unit") \
        .do("authority_review", "return", "authority")
    assert run.ready() == ["revise"] and run.snapshot.status_label == "退回修改"
    run.do("revise", "submit", "trainee")
    assert run.ready() == ["unit_review"]
    run.message("withdraw")  # a resubmitted claim can be withdrawn again before the unit acts
    assert run.ready() == ["prepare"]
    run.do("prepare", "submit", "trainee").do("unit_review", "approve", "unit") \
        .do("authority_review", "approve", "authority")
    assert run.statuses[-1] == "approved" and calls == ["credit_claim_hours"]


def test_claim_rejected_by_the_authority(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").do("unit_review", "approve", "unit") \
        .do("authority_review", "reject", "authority")
    assert run.statuses[-1] == "authority_rejected" and run.snapshot.completed and calls == []


def test_a_draft_is_deleted_by_a_message_and_ends_deleted(engine, calls):
    run = claim(engine).message("delete")
    assert run.completed and run.statuses == ["draft", "deleted"] and run.labels[-1] == "已删除"
    assert calls == ["discard_claim"]


def test_a_submitted_or_returned_claim_cannot_be_deleted(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee")
    with pytest.raises(EventNotWaiting):
        run.message("delete")
    run.do("unit_review", "approve", "unit").do("authority_review", "return", "authority")
    with pytest.raises(EventNotWaiting):  # a returned claim is edited and resubmitted, not deleted
        run.message("delete")
    assert run.ready() == ["revise"] and calls == []


def test_a_withdrawn_claim_is_a_draft_again_and_may_be_deleted(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").message("withdraw").message("delete")
    assert run.statuses[-1] == "deleted" and calls == ["discard_claim"]


def test_the_diagram_names_its_steps_forms_and_editable_steps(engine):
    bundle = engine.bundle(shipped("credit_claim"))
    forms = {t.spec: t.form for t in bundle.user_tasks()}
    assert forms == {"prepare": "submission", "revise": "resubmission", "unit_review": "reviewed_hours",
                     "authority_review": "registered_hours"}
    assert {t.spec for t in bundle.user_tasks() if t.editable} == {"prepare", "revise"}
    assert bundle.graph.messages_for("prepare") == {"delete"}
    assert bundle.graph.messages_for("unit_review") == {"withdraw"}
