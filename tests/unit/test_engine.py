"""The engine adapter against SpiffWorkflow 3.2's pitfalls (architecture guide)."""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from tests.support.diagrams import gateway_diagram, shipped, timer_diagram, waiting_event_diagram
from workflows import DeepWorkflow, Engine, EventNotWaiting, LaneError, MigrationRefused, ProcessBundle, TaskStateError
from workflows.sandbox import SandboxedScriptEngine
from workflows.specs import _task_index

CREDITED: list[object] = []


def credit(host, params, data):
    CREDITED.append(host)
    return {"ok": True}


@pytest.fixture
def engine() -> Engine:
    return Engine({"credit_claim_hours": credit, "approve_enrollment": credit, "discard_claim": credit})


@pytest.fixture
def claim_bundle(engine):
    return engine.bundle(shipped("credit_claim"))


def step(engine, bundle, state, spec, decision, lanes=None):
    loaded = engine.load(bundle, state)
    task = next(t for t in loaded.ready_tasks() if t.spec == spec)
    loaded.complete(task.id, {"decision": decision}, lanes=lanes)
    return loaded.snapshot()


# -- pitfall: state without the spec, spec parsed once --------------------------------

def test_state_is_stored_without_the_spec_and_is_smaller(engine, claim_bundle):
    loaded = engine.start(claim_bundle, {"record_id": 1})
    snapshot = loaded.snapshot()
    stored = json.loads(snapshot.state)
    assert "spec" not in stored and "subprocess_specs" not in stored
    config = {**SPIFF_CONFIG, DeepWorkflow: BpmnWorkflowConverter}  # the library's default format
    full = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    assert len(snapshot.state) < 0.6 * len(full.serialize_json(loaded.workflow))
    restored = engine.load(claim_bundle, snapshot.state)
    assert restored.workflow.spec is claim_bundle.spec
    assert [t.spec for t in restored.ready_tasks()] == ["prepare"]


# -- pitfall 2: the script engine is not serialized -------------------------------------

def test_every_load_installs_the_sandboxed_engine_with_its_host(engine, claim_bundle):
    state = engine.start(claim_bundle).snapshot().state
    loaded = engine.load(claim_bundle, state, host="request-42")
    assert isinstance(loaded.workflow.script_engine, SandboxedScriptEngine)
    assert loaded.workflow.script_engine.host == "request-42"


def test_sandbox_holds_even_when_load_checks_are_bypassed(engine, tmp_path: Path):
    """Parse a hostile diagram straight through SpiffWorkflow, skipping our validator."""
    marker = tmp_path / "pwned"
    content = gateway_diagram(f"__import__('os').system('touch {marker}') or True")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(content)
    spec = parser.get_spec("p")
    bundle = ProcessBundle("x", "p", "p", spec, {}, _task_index(spec, {}, {}), frozenset(), frozenset())
    loaded = engine.start(bundle)
    task = loaded.workflow.get_next_task(spec_name="task")
    with pytest.raises(Exception) as caught:
        loaded.complete(str(task.id), {}, lanes=None)
    assert "not allowed" in str(caught.value) or "SandboxViolation" in repr(caught.value.__dict__)
    assert not marker.exists()


# -- pitfall 3: task.run() checks nothing -------------------------------------------------

def test_only_ready_user_tasks_in_the_callers_lane_can_be_completed(engine, claim_bundle):
    loaded = engine.start(claim_bundle)
    prepare = loaded.ready_tasks()[0]
    with pytest.raises(LaneError):
        loaded.complete(prepare.id, {"decision": "submit"}, lanes={"unit"})
    future = loaded.workflow.get_next_task(spec_name="unit_review")  # predicted, not READY
    with pytest.raises(TaskStateError):
        loaded.complete(str(future.id), {"decision": "approve"})
    with pytest.raises(TaskStateError):
        loaded.complete("not-a-uuid", {})
    loaded.complete(prepare.id, {"decision": "submit"}, lanes={"trainee"})
    with pytest.raises(TaskStateError):  # run twice
        loaded.complete(prepare.id, {"decision": "submit"}, lanes={"trainee"})
    waiting_event = loaded.workflow.get_next_task(spec_name="withdrawn")  # WAITING boundary event
    with pytest.raises(TaskStateError):
        loaded.complete(str(waiting_event.id), {})


# -- pitfall 4: depth grows with every loop -----------------------------------------------

@pytest.mark.slow
def test_three_hundred_send_backs_and_withdrawals_stay_flat(engine, claim_bundle):
    state = engine.start(claim_bundle).snapshot().state
    state = step(engine, claim_bundle, state, "prepare", "submit").state
    sizes = []
    for _ in range(300):
        state = step(engine, claim_bundle, state, "unit_review", "approve").state
        state = step(engine, claim_bundle, state, "authority_review", "return").state
        state = step(engine, claim_bundle, state, "revise", "submit").state
        loaded = engine.load(claim_bundle, state)
        loaded.send_message("withdraw")
        state = loaded.snapshot().state
        state = step(engine, claim_bundle, state, "prepare", "submit").state
        sizes.append(len(state))
    assert max(sizes) < 1.2 * sizes[0]
    state = step(engine, claim_bundle, state, "unit_review", "approve").state
    final = step(engine, claim_bundle, state, "authority_review", "approve")
    assert final.completed and final.status == "approved"


# -- pitfall 5: serializers are not thread-safe -------------------------------------------

def test_each_thread_gets_its_own_serializer(engine, claim_bundle):
    reference = engine.start(claim_bundle, {"n": 1}).snapshot().state
    seen, errors = set(), []

    def work():
        seen.add(id(engine.serializer))
        try:
            for _ in range(40):
                loaded = engine.load(claim_bundle, reference)
                assert engine.dumps(loaded.workflow) == reference
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(seen) == 6


# -- pitfall 6: timers fire only when the host advances them ------------------------------

def test_timer_due_time_is_exposed_and_fires_when_advanced(engine):
    bundle = engine.bundle(timer_diagram('"PT0.3S"'))
    snapshot = engine.start(bundle).snapshot()
    assert snapshot.status == "waiting" and snapshot.next_timer_due is not None
    loaded = engine.load(bundle, snapshot.state)
    assert loaded.advance_timers() is False
    time.sleep(0.4)
    loaded = engine.load(bundle, loaded.snapshot().state)
    assert loaded.advance_timers() is True
    final = loaded.snapshot()
    assert final.completed and final.status == "expired" and final.next_timer_due is None


@pytest.fixture
def fake_clock(monkeypatch):
    """The engine's timers on a clock the test moves (``workflows.use_clock``)."""
    import workflows.clock as engine_clock
    from workflows import use_clock

    now = [datetime(2026, 3, 1, 2, 0, tzinfo=UTC)]
    monkeypatch.setattr(engine_clock, "_now", engine_clock._now)  # restored after the test
    use_clock(lambda: now[0])
    return now


def test_timers_read_the_installed_clock_not_the_system_one(engine, fake_clock):
    bundle = engine.bundle(timer_diagram('"P15D"'))
    snapshot = engine.start(bundle).snapshot()
    assert snapshot.next_timer_due == datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 15 days on the fake clock
    fake_clock[0] += timedelta(days=14, hours=23)
    loaded = engine.load(bundle, snapshot.state)
    assert loaded.advance_timers() is False
    fake_clock[0] += timedelta(hours=2)
    loaded = engine.load(bundle, loaded.snapshot().state)
    assert loaded.advance_timers() is True and loaded.snapshot().status == "expired"


def test_a_record_waiting_for_an_event_shows_the_catch_events_status(engine, fake_clock):
    bundle = engine.bundle(waiting_event_diagram())
    assert bundle.graph.messages_for("change_asked") == {"change"}
    deadline = "2026-03-10T16:00:00+00:00"
    snapshot = engine.start(bundle, {"deadline": deadline}).snapshot()
    assert (snapshot.status, snapshot.ready, snapshot.completed) == ("open", [], False)
    assert snapshot.next_timer_due == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    loaded = engine.load(bundle, snapshot.state)
    assert set(loaded.element_states()[0]) == {"change_asked", "deadline_passed"}
    loaded.send_message("change")  # the message branch wins; the timer is dropped
    after = loaded.snapshot()
    assert after.status == "reviewing" and after.next_timer_due is None

    waiting = engine.load(bundle, snapshot.state)
    fake_clock[0] = datetime(2026, 3, 10, 16, 1, tzinfo=UTC)
    assert waiting.advance_timers() is True
    closed = waiting.snapshot()
    assert closed.completed and closed.status == "closed"
    with pytest.raises(EventNotWaiting):
        engine.load(bundle, closed.state).send_message("change")


# -- pitfall 7: migrating instances to an edited diagram ----------------------------------

def test_migration_keeps_a_waiting_task(engine, claim_bundle):
    state = step(engine, claim_bundle, engine.start(claim_bundle).snapshot().state, "prepare", "submit").state
    edited = engine.bundle(shipped("credit_claim").replace(b'value="approve,reject"',
                                                           b'value="approve,reject,return"'))
    loaded = engine.load(claim_bundle, state)
    loaded.migrate(edited)
    migrated = loaded.snapshot()
    assert [t.spec for t in migrated.ready] == ["unit_review"]
    assert migrated.ready[0].info.decisions == ("approve", "reject", "return")
    assert engine.load(edited, migrated.state).ready_tasks()[0].spec == "unit_review"


def test_migration_refuses_to_remove_the_task_an_instance_waits_on(engine, claim_bundle):
    state = step(engine, claim_bundle, engine.start(claim_bundle).snapshot().state, "prepare", "submit").state
    without_unit_review = shipped("credit_claim").replace(b'id="unit_review"', b'id="unit_check"') \
        .replace(b'bpmnElement="unit_review"', b'bpmnElement="unit_check"') \
        .replace(b'targetRef="unit_review"', b'targetRef="unit_check"') \
        .replace(b'sourceRef="unit_review"', b'sourceRef="unit_check"') \
        .replace(b'attachedToRef="unit_review"', b'attachedToRef="unit_check"') \
        .replace(b"<bpmn:flowNodeRef>unit_review<", b"<bpmn:flowNodeRef>unit_check<")
    edited = engine.bundle(without_unit_review)
    loaded = engine.load(claim_bundle, state)
    with pytest.raises(MigrationRefused) as caught:
        loaded.migrate(edited)
    assert any("unit_review" in p for p in caught.value.problems)
    assert loaded.bundle is claim_bundle
    assert [t.spec for t in loaded.ready_tasks()] == ["unit_review"]


# -- messages ------------------------------------------------------------------------------

def test_messages_only_reach_a_waiting_event(engine, claim_bundle):
    loaded = engine.start(claim_bundle)
    with pytest.raises(EventNotWaiting):
        loaded.send_message("withdraw")  # still a draft: nothing waits
    with pytest.raises(EventNotWaiting):
        loaded.send_message("no-such-message")
    assert [t.spec for t in loaded.ready_tasks()] == ["prepare"]


def test_refreshing_timer_data_leaves_a_duration_running(engine, fake_clock):
    bundle = engine.bundle(timer_diagram('"P15D"'))
    loaded = engine.start(bundle)
    due = loaded.snapshot().next_timer_due
    fake_clock[0] += timedelta(days=10)
    loaded = engine.load(bundle, loaded.snapshot().state)
    loaded.refresh_timer_data({"anything": 1})
    assert loaded.advance_timers() is False and loaded.snapshot().next_timer_due == due  # not restarted


def test_a_restored_task_copies_its_parents_data_as_the_library_does():
    """``copy_of_parent_data`` is ``DeepMerge.merge({}, data)``: equal, in the same key order, and a
    task's dict, list and set values are its own (changing them leaves the parent's as they were)."""
    from SpiffWorkflow.util.deep_merge import DeepMerge

    from workflows.task_state import copy_of_parent_data

    data = {"decision": "approve", "hours": 1.5, "n": 3, "none": None, "when": datetime(2026, 1, 1, tzinfo=UTC),
            "facts": {"unit": {"id": 1}}, "proofs": [1, 2], "tags": {"a"}, "pair": (1, [2])}
    copied, library = copy_of_parent_data(data), DeepMerge.merge({}, data)
    assert copied == library == data and list(copied) == list(library)
    for key in data:
        assert (copied[key] is data[key]) == (library[key] is data[key]), key
    copied["proofs"].append(3)
    copied["facts"]["extra"] = 1
    assert data["proofs"] == [1, 2] and "extra" not in data["facts"]


# -- a task's change of state without the log record nobody takes ------------------------

def _lifecycle_states(engine, bundle) -> list[dict]:
    """Each stored state of a claim sent back once, then approved twice, without the times of change."""
    snapshot = engine.start(bundle, {"record_id": 1}).snapshot()
    states = [snapshot.state]
    for spec, decision in (("prepare", "submit"), ("unit_review", "approve"), ("authority_review", "return"),
                           ("revise", "submit"), ("unit_review", "approve"), ("authority_review", "approve")):
        snapshot = step(engine, bundle, snapshot.state, spec, decision)
        states.append(snapshot.state)
    stored = [json.loads(state) for state in states]
    for state in stored:
        for task in state["tasks"].values():
            assert isinstance(task.pop("last_state_change"), float)
    return stored


def test_quiet_state_changes_leave_the_same_states_as_the_librarys(engine, claim_bundle, monkeypatch):
    from SpiffWorkflow.task import Task

    from workflows import engine as engine_module

    assert Task._set_state is engine_module._set_state
    quiet = _lifecycle_states(engine, claim_bundle)
    monkeypatch.setattr(Task, "_set_state", engine_module._library_set_state)
    library = _lifecycle_states(engine, claim_bundle)
    ids = lambda state: sorted(state["tasks"])  # noqa: E731  (fresh ids each run: compare by position)
    assert len(quiet) == len(library) == 7
    assert quiet[-1]["completed"] and library[-1]["completed"]
    for mine, theirs in zip(quiet, library, strict=True):
        assert [t["task_spec"] for t in mine["tasks"].values()] == [t["task_spec"] for t in theirs["tasks"].values()]
        assert [t["state"] for t in mine["tasks"].values()] == [t["state"] for t in theirs["tasks"].values()]
        assert len(ids(mine)) == len(ids(theirs))


def test_state_changes_are_logged_when_a_deployment_asks(engine, claim_bundle, caplog):
    before = time.time()
    with caplog.at_level("INFO", logger="spiff.task"):
        loaded = engine.start(claim_bundle, {"record_id": 1})
    changes = [r for r in caplog.records if r.name == "spiff.task" and r.getMessage().startswith("State changed")]
    assert changes and all(hasattr(r, "task_spec") and hasattr(r, "elapsed") for r in changes)
    assert {r.task_spec for r in changes} >= {"prepare"}
    caplog.clear()
    task = loaded.ready_tasks()[0]
    loaded.complete(task.id, {"decision": "submit"})  # the logger back at WARNING: no record, the state moves
    assert not [r for r in caplog.records if r.name == "spiff.task"]
    stored = json.loads(loaded.snapshot().state)
    assert all(t["last_state_change"] >= before for t in stored["tasks"].values())


# -- pruning the history: the subtree of the open tasks' lowest finished common ancestor --------

def _reference_kept(workflow) -> tuple[set, object]:
    """What pruning keeps, found the plain way (the tasks' own properties): ids kept, the new root's id."""
    from SpiffWorkflow.util.task import TaskState

    open_tasks = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if workflow.completed or not open_tasks:
        return set(workflow.tasks), workflow.task_tree.id
    chains = []
    for task in open_tasks:
        chain = []
        while task is not None:
            chain.append(task)
            task = task.parent
        chains.append(chain[::-1])
    depth = 0
    while all(len(c) > depth and c[depth] is chains[0][depth] for c in chains):
        depth += 1
    depth -= 1
    while depth > 0 and not chains[0][depth].has_state(TaskState.FINISHED_MASK):
        depth -= 1
    root = chains[0][depth]
    kept, stack = set(), [root]
    while stack:
        task = stack.pop()
        kept.add(task.id)
        stack.extend(task.children)
    return kept, root.id


def test_pruning_keeps_what_the_plain_walk_finds(engine, claim_bundle):
    state = engine.start(claim_bundle, {"record_id": 1}).snapshot().state
    checked = 0
    for spec, decision in (("prepare", "submit"), ("unit_review", "approve"), ("authority_review", "return"),
                           ("revise", "submit"), ("unit_review", "approve"), ("authority_review", "return"),
                           ("revise", "submit"), ("unit_review", "approve"), ("authority_review", "approve")):
        loaded = engine.load(claim_bundle, state)
        loaded.complete(next(t for t in loaded.ready_tasks() if t.spec == spec).id, {"decision": decision})
        unpruned = engine.dumps(loaded.workflow)
        ours, reference = engine.load(claim_bundle, unpruned).workflow, engine.load(claim_bundle, unpruned).workflow
        before = len(ours.tasks)
        dropped = ours.prune_history()
        kept, root = _reference_kept(reference)
        assert set(ours.tasks) == kept and ours.task_tree.id == root and ours.task_tree.parent is None
        assert dropped == before - len(kept)
        assert list(ours.tasks) == [key for key in reference.tasks if key in kept]  # the stored order kept
        checked += dropped > 0
        state = loaded.snapshot().state
    assert checked >= 3  # the send-backs left history to cut
