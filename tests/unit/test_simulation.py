"""Walking every path of a diagram before publishing it (workflows.simulation)."""
from __future__ import annotations

import json

import pytest

from tests.support.diagrams import BPMN_DIR, shipped
from tests.unit.diagrams import bundle, crafted, credit_claim_unit_review_2, flow, node, user, without
from workflows import simulate
from workflows.conditions import Truth, Unset, evaluate_condition
from workflows.simulation_report import MARKS

SHIPPED = sorted(p.stem for p in BPMN_DIR.glob("*.bpmn"))


def end_events(name: str) -> set[str]:
    model = bundle(shipped(name))
    return {e for e, kind in model.graph.kinds.items() if kind == "endEvent"}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_diagram_walks_clean_to_each_of_its_ends(name):
    result = simulate(bundle(shipped(name)))
    assert result.problems() == []
    assert {e.element for e in result.ends} == end_events(name)
    assert not result.truncated and result.paths >= len(result.ends)
    assert set(result.marks().values()) <= {"reached", "end"}
    json.dumps(result.as_dict(), ensure_ascii=False)  # JSON-ready as it is


def test_credit_claim_statuses_and_ends_carry_their_properties():
    result = simulate(bundle(shipped("credit_claim")))
    assert result.statuses[:2] == ("draft", "unit_review")  # first reached first
    assert set(result.statuses) == {"draft", "unit_review", "deleted", "authority_review", "unit_rejected",
                                    "approved", "returned", "authority_rejected"}
    approved = next(e for e in result.ends if e.element == "approved")
    assert (approved.status, approved.status_label) == ("approved", "主管部门审核通过")


def test_a_message_reaches_every_step_waiting_for_it():
    """unit_parent_change: `cancel` while both reviews wait ends early; after one approved, late."""
    result = simulate(bundle(shipped("unit_parent_change")))
    assert {"cancelled_early", "cancelled_late", "changed", "refused_by_old", "refused_by_new"} == {
        e.element for e in result.ends}
    # cancel at once; old approves then new approves/refuses/cancel; old refuses; the same the other way round
    assert result.paths == 9


def test_the_second_unit_review_draft_walks_clean():
    result = simulate(bundle(credit_claim_unit_review_2()))
    assert result.problems() == []
    assert result.statuses.index("unit_review_2") < result.statuses.index("authority_review")


def test_loops_are_followed_at_most_max_visits_times():
    claim = bundle(shipped("credit_claim"))
    paths = [simulate(claim, max_visits=n).paths for n in (1, 2, 3)]
    assert paths[0] < paths[1] < paths[2]
    assert simulate(claim, max_visits=1).bounded > 0


def test_the_walk_stops_at_max_states_and_says_so():
    result = simulate(bundle(shipped("class_publication")), max_states=3)
    assert result.truncated
    assert result.problems()[0].startswith("the simulation stopped after")
    with pytest.raises(ValueError):
        simulate(bundle(shipped("credit_claim")), max_states=0)


def test_a_time_budget_truncates_too():
    result = simulate(bundle(shipped("credit_claim")), max_seconds=0)
    assert result.truncated and result.states == 0


def test_a_decision_the_step_does_not_offer_is_a_dead_end():
    """The gateway tests `decision == "approve"`, the step offers only `submit`, no default flow."""
    result = simulate(crafted(
        node("startEvent", "start"), user("fill", "submit"), node("exclusiveGateway", "check"),
        node("endEvent", "done"),
        flow("f1", "start", "fill"), flow("f2", "fill", "check"), flow("f3", "check", "done", 'decision == "approve"'),
        steps=("fill",)))
    [dead] = result.dead_ends
    assert (dead.element, dead.after) == ("check", ({"fill": "submit"},))
    assert "no default flow" in dead.reason
    assert [(d.task, d.decision) for d in result.dead_decisions] == [("fill", "submit")]
    assert result.ends == () and result.paths == 0 and result.unreached == ("done",)
    assert result.marks()["check"] == "dead_end" and result.marks()["done"] == "unreached"
    assert any(p.startswith("check (check): a path stops here after fill=submit") for p in result.problems())


def test_an_element_without_outgoing_flow_is_a_dead_end():
    result = simulate(crafted(
        node("startEvent", "start"), user("fill", "submit"), node("intermediateThrowEvent", "notify"),
        flow("f1", "start", "fill"), flow("f2", "fill", "notify"), steps=("fill",)))
    [dead] = result.dead_ends
    assert (dead.element, dead.reason) == ("notify", "it has no outgoing flow")
    assert result.dead_decisions == ()  # the step's own flow is taken; the stop is after it


def test_a_decision_with_no_outgoing_path_is_reported():
    result = simulate(crafted(
        node("startEvent", "start"), user("review", "approve,reject"), node("exclusiveGateway", "verdict"),
        node("endEvent", "done"),
        flow("f1", "start", "review"), flow("f2", "review", "verdict"),
        flow("f3", "verdict", "done", 'review_decision == "approve"'), steps=("review",)))
    assert [(d.task, d.decision) for d in result.dead_decisions] == [("review", "reject")]
    assert [e.element for e in result.ends] == ["done"]
    assert "review (review): decision 'reject' leads nowhere: no flow can be taken" in result.problems()


def test_a_loop_with_no_way_out_is_reported():
    result = simulate(crafted(
        node("startEvent", "start"), user("draft", "redo"), node("exclusiveGateway", "again"),
        node("endEvent", "done"),
        flow("f1", "start", "draft"), flow("f2", "draft", "again"), flow("f3", "again", "draft", 'decision == "redo"'),
        flow("f4", "again", "done", 'decision == "finish"'), steps=("draft",)))
    [loop] = result.endless_loops
    assert loop.elements == ("draft", "again")
    assert result.marks()["draft"] == "loop" and result.dead_ends == ()
    assert any(p.startswith("loop with no way out: draft (draft), again (again)") for p in result.problems())


def test_a_loop_of_engine_moves_alone_is_reported():
    result = simulate(crafted(
        node("startEvent", "start"), node("intermediateThrowEvent", "ping"),
        node("exclusiveGateway", "again", default="f4"), node("endEvent", "done"),
        flow("f1", "start", "ping"), flow("f2", "ping", "again"), flow("f3", "again", "ping", "True"),
        flow("f4", "again", "done")))
    assert [loop.elements for loop in result.endless_loops] == [("ping", "again")]


def test_a_loop_with_a_way_out_is_not_reported():
    result = simulate(bundle(shipped("credit_claim")), max_visits=3)
    assert result.endless_loops == () and result.problems() == []


def test_an_unreached_element_is_reported():
    result = simulate(crafted(
        node("startEvent", "start"), node("endEvent", "done"), user("orphan", "ok"),
        flow("f1", "start", "done"), steps=("orphan",)))
    assert result.unreached == ("orphan",)
    assert result.problems() == ["orphan (orphan): no path reaches it"]


def test_elements_cut_off_from_the_start_are_named_in_the_report():
    result = simulate(bundle(without(shipped("credit_claim"), "f_authority_approve")))
    assert result.unreached == ("credit_hours", "approved")
    assert result.problems() == ["credit_hours (登记学时入账): no path reaches it",
                                 "approved (主管部门审核通过): no path reaches it"]


def test_a_condition_on_unknown_data_is_taken_both_ways():
    result = simulate(crafted(
        node("startEvent", "start"), node("exclusiveGateway", "hours", default="f3"),
        node("endEvent", "many"), node("endEvent", "few"),
        flow("f1", "start", "hours"), flow("f2", "hours", "many", "hours > 40 and senior"), flow("f3", "hours", "few")))
    assert {e.element for e in result.ends} == {"many", "few"} and result.paths == 2
    assert result.problems() == []


def test_unknown_conditions_without_a_default_may_leave_no_way():
    result = simulate(crafted(
        node("startEvent", "start"), node("exclusiveGateway", "hours"),
        node("endEvent", "many"), node("endEvent", "few"),
        flow("f1", "start", "hours"), flow("f2", "hours", "many", "hours > 40"),
        flow("f3", "hours", "few", "hours <= 40")))
    assert {e.element for e in result.ends} == {"many", "few"}
    [dead] = result.dead_ends
    assert dead.element == "hours" and "cannot know" in dead.reason


def test_a_condition_reading_a_decision_not_yet_taken_is_a_dead_end():
    result = simulate(crafted(
        node("startEvent", "start"), node("exclusiveGateway", "early", default="f3"), user("review", "ok"),
        node("endEvent", "done"),
        flow("f1", "start", "early"), flow("f2", "early", "done", 'review_decision == "ok"'),
        flow("f3", "early", "review"), flow("f4", "review", "done"), steps=("review",)))
    [dead] = result.dead_ends
    assert dead.element == "early" and "review_decision" in dead.reason


def test_parallel_branches_split_and_join():
    result = simulate(crafted(
        node("startEvent", "start"), node("parallelGateway", "split"), user("left", "ok"), user("right", "ok"),
        node("parallelGateway", "join"), node("endEvent", "done"),
        flow("f1", "start", "split"), flow("f2", "split", "left"), flow("f3", "split", "right"),
        flow("f4", "left", "join"), flow("f5", "right", "join"), flow("f6", "join", "done"),
        steps=("left", "right")))
    assert result.problems() == [] and [e.element for e in result.ends] == ["done"]
    assert result.paths == 2  # left first, or right first


def test_a_join_waiting_for_a_branch_that_ended_is_a_dead_end():
    result = simulate(crafted(
        node("startEvent", "start"), node("parallelGateway", "split"), user("left", "ok"), node("endEvent", "early"),
        node("parallelGateway", "join"), node("endEvent", "done"), node("intermediateThrowEvent", "never"),
        flow("f1", "start", "split"), flow("f2", "split", "left"), flow("f3", "split", "early"),
        flow("f4", "left", "join"), flow("f5", "never", "join"), flow("f6", "join", "done"), steps=("left",)))
    [dead] = result.dead_ends
    assert (dead.element, dead.reason) == ("join", "the join waits for a branch that never arrives")
    assert "done" in result.unreached and "never" in result.unreached


def test_an_inclusive_split_takes_every_possible_set_and_joins():
    result = simulate(crafted(
        node("startEvent", "start"), node("inclusiveGateway", "split", default="fc"), user("check", "ok"),
        node("intermediateThrowEvent", "notify"), node("inclusiveGateway", "join"), node("endEvent", "done"),
        flow("f1", "start", "split"), flow("fa", "split", "check", "amount > 1000"),
        flow("fb", "split", "notify", "urgent"), flow("fc", "split", "join"), flow("fa2", "check", "join"),
        flow("fb2", "notify", "join"), flow("f9", "join", "done"), steps=("check",)))
    assert result.problems() == [] and [e.element for e in result.ends] == ["done"]
    assert result.paths == 4  # none (default), check, notify, both


def test_timers_and_non_interrupting_events_branch():
    reminder = ('<bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">'
                '<bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration>'
                "</bpmn:timerEventDefinition></bpmn:boundaryEvent>")
    result = simulate(crafted(
        node("startEvent", "start"), user("review", "ok"), reminder, node("endEvent", "done"),
        node("endEvent", "reminded"),
        flow("f1", "start", "review"), flow("f2", "review", "done"), flow("f3", "remind", "reminded"),
        steps=("review",)))
    assert result.problems() == []
    assert {e.element for e in result.ends} == {"done", "reminded"}


def test_a_sub_process_is_passed_through_and_reported_not_simulated():
    inner = (f'<bpmn:subProcess id="sub">{node("startEvent", "s_start")}{node("endEvent", "s_end")}'
             f'{flow("sf", "s_start", "s_end")}</bpmn:subProcess>')
    result = simulate(crafted(node("startEvent", "start"), inner, node("endEvent", "done"),
                              flow("f1", "start", "sub"), flow("f2", "sub", "done")))
    assert [e.element for e in result.ends] == ["done"]
    assert result.problems() == ["sub (sub): subProcess is not simulated; paths pass through it"]
    assert set(result.inner) == {"s_start", "s_end"}


def test_marks_take_the_worst_and_flows_are_marked():
    result = simulate(crafted(
        node("startEvent", "start"), user("review", "approve,reject"), node("exclusiveGateway", "verdict"),
        node("endEvent", "done"), node("endEvent", "never"),
        flow("f1", "start", "review"), flow("f2", "review", "verdict"),
        flow("f3", "verdict", "done", 'decision == "approve"'), flow("f4", "verdict", "never", 'decision == "x"'),
        steps=("review",)))
    marks = result.marks()
    assert set(marks.values()) <= set(MARKS)
    assert (marks["verdict"], marks["done"], marks["never"], marks["f4"], marks["review"]) == (
        "dead_end", "end", "unreached", "unreached", "reached")


@pytest.mark.parametrize("condition, env, expected", [
    ('decision == "approve"', {"decision": "approve"}, Truth.TRUE),
    ('decision == "approve"', {"decision": "reject"}, Truth.FALSE),
    ("hours > 40", {}, Truth.UNKNOWN),
    ('decision == "approve" and hours > 40', {"decision": "reject"}, Truth.FALSE),
    ('decision == "approve" or hours > 40', {"decision": "approve"}, Truth.TRUE),
    ('decision == "approve" or hours > 40', {"decision": "reject"}, Truth.UNKNOWN),
    ('not (decision in ("a", "b"))', {"decision": "a"}, Truth.FALSE),
    (None, {}, Truth.TRUE),
])
def test_conditions_evaluate_to_three_values(condition, env, expected):
    assert evaluate_condition(condition, env, {"decision"}) is expected


def test_a_condition_on_an_unset_decision_raises_unset():
    with pytest.raises(Unset) as caught:
        evaluate_condition('review_decision == "ok"', {}, {"decision", "review_decision"})
    assert caught.value.name == "review_decision"
