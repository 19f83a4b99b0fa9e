"""Every path of bpmn/unit_registration.bpmn, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

import pytest

from app.services.plugins import discover
from tests.support.paths import Run
from workflows import Engine, LaneError


def registration(engine) -> Run:
    return Run.of(engine, "unit_registration", record_id=1)


def test_registered_it_waits_for_the_parent_authority(engine):
    run = registration(engine)
    assert run.ready() == ["review"] and run.statuses == ["pending"] and run.labels == ["待审核"]
    step = run.bundle.task("review")
    assert step.lane == "authority" and step.decisions == ("approve", "reject") and step.due == "P15D"
    assert step.comment_required == ("reject",)


def test_approved_the_unit_is_created(engine, calls):
    run = registration(engine).do("review", "approve", "authority")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("approved", "审核通过")
    assert calls == ["create_registered_unit"] and run.snapshot.end_event.spec == "approved"


def test_refused_nothing_is_created(engine, calls):
    run = registration(engine).do("review", "reject", "authority")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("rejected", "审核不通过")
    assert calls == [] and run.snapshot.end_event.spec == "refused"


def test_a_name_or_code_taken_meanwhile_ends_it_refused():
    calls: list[str] = []

    def taken(host, params, data):
        calls.append("create_registered_unit")
        return {"refused": True}
    engine = Engine({**{name: (lambda host, params, data: {}) for name in discover().handlers},
                     "create_registered_unit": taken})
    run = registration(engine).do("review", "approve", "authority")
    assert run.completed and (run.statuses[-1], run.labels[-1]) == ("rejected", "审核不通过")
    assert calls == ["create_registered_unit"]
    assert run.snapshot.end_event.spec == "taken"


def test_only_the_authoritys_lane_decides(engine):
    with pytest.raises(LaneError):
        registration(engine).do("review", "approve", "applicant")
