"""Every path of every shipped diagram, on the engine alone (no database, no HTTP)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.support.diagrams import shipped
from workflows import Engine, EventNotWaiting


@dataclass
class Run:
    """Drives one instance through its diagram, saving and reloading at every step."""

    engine: Engine
    bundle: object
    state: str = ""
    statuses: list[str] = field(default_factory=list)

    def start(self, **data):
        self._record(self.engine.start(self.bundle, data))
        return self

    def _record(self, loaded):
        snapshot = loaded.snapshot()
        self.state = snapshot.state
        self.snapshot = snapshot
        self.statuses.append(snapshot.status)

    def ready(self) -> list[str]:
        return [t.spec for t in self.snapshot.ready]

    def do(self, spec: str, decision: str, lane: str):
        loaded = self.engine.load(self.bundle, self.state, host="host")
        task = next(t for t in loaded.ready_tasks() if t.spec == spec)
        loaded.complete(task.id, {"decision": decision}, lanes={lane})
        self._record(loaded)
        return self

    def message(self, name: str):
        loaded = self.engine.load(self.bundle, self.state)
        loaded.send_message(name)
        self._record(loaded)
        return self


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def engine(calls) -> Engine:
    return Engine({
        "credit_claim_hours": lambda host, params, data: calls.append("credit") or {},
        "approve_enrollment": lambda host, params, data: calls.append("activate") or {},
    })


def claim(engine) -> Run:
    return Run(engine, engine.bundle(shipped("credit_claim"))).start(record_id=1)


def registration(engine, same_unit: bool) -> Run:
    return Run(engine, engine.bundle(shipped("registration"))).start(same_unit=same_unit)


# -- credit claim -------------------------------------------------------------------------

def test_claim_approved_by_both(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").do("unit_review", "approve", "unit") \
        .do("authority_review", "approve", "authority")
    assert run.statuses == ["draft", "unit_review", "authority_review", "approved"]
    assert run.snapshot.completed and run.snapshot.status_label == "主管部门审核通过"
    assert calls == ["credit"]


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
    assert run.statuses[-1] == "approved" and calls == ["credit"]


def test_claim_rejected_by_the_authority(engine, calls):
    run = claim(engine).do("prepare", "submit", "trainee").do("unit_review", "approve", "unit") \
        .do("authority_review", "reject", "authority")
    assert run.statuses[-1] == "authority_rejected" and run.snapshot.completed and calls == []


# -- registration -------------------------------------------------------------------------

def test_reenrolment_with_the_same_unit_needs_no_review(engine, calls):
    run = registration(engine, same_unit=True)
    assert run.snapshot.completed and run.statuses == ["approved"] and run.ready() == []
    assert calls == ["activate"]


def test_first_enrolment_approved_by_the_unit(engine, calls):
    run = registration(engine, same_unit=False)
    assert run.ready() == ["unit_review"] and run.statuses == ["unit_review"]
    run.do("unit_review", "approve", "unit")
    assert run.statuses[-1] == "approved" and calls == ["activate"]


def test_rejected_enrolment_is_edited_and_resubmitted(engine, calls):
    run = registration(engine, same_unit=False).do("unit_review", "reject", "unit")
    assert run.ready() == ["revise"] and run.snapshot.status_label == "审核不通过"
    assert calls == []
    run.do("revise", "submit", "trainee").do("unit_review", "approve", "unit")
    assert run.statuses == ["unit_review", "rejected", "unit_review", "approved"]
    assert calls == ["activate"]
