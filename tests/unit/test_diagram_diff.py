"""Comparing two versions of a diagram (workflows.diffing)."""
from __future__ import annotations

import json

from tests.support.diagrams import credit_claim_with_deadline, shipped
from tests.unit.diagrams import bundle, credit_claim_unit_review_2, edited, without
from workflows import diff_bundles

CLAIM = bundle(shipped("credit_claim"))


def test_the_same_diagram_has_no_differences():
    diff = diff_bundles(CLAIM, bundle(shipped("credit_claim")))
    assert diff.empty and diff.marks() == {} and diff.affects(["unit_review", "revise"]) == []


def test_a_second_unit_review_inserted_after_the_first():
    diff = diff_bundles(CLAIM, bundle(credit_claim_unit_review_2()))
    assert [(r.element, r.name, r.kind) for r in diff.added] == [
        ("unit_review_2", "单位复核", "userTask"), ("unit_decision_2", "单位复核结果", "exclusiveGateway")]
    assert diff.removed == ()
    assert diff.changed == {"unit_decision": ("conditions", "outgoing"), "unit_rejected": ("incoming",),
                            "authority_review": ("incoming",)}
    assert diff.changes["authority_review"]["incoming"] == (["unit_decision"], ["unit_decision_2"])
    assert diff.flows_changed == {"f_unit_approve": ("target",)}
    assert {f.flow for f in diff.flows_added} == {"f_unit_2_reviewed", "f_unit_2_approve", "f_unit_2_reject"}
    marks = diff.marks()
    assert (marks["unit_review_2"], marks["unit_decision"], marks["f_unit_approve"]) == ("added", "changed", "changed")
    assert "unit_review" not in marks and "prepare" not in marks
    # claims waiting at the unit's review: the step itself is intact, what follows it is not
    assert diff.affects(["unit_review", "authority_review"]) == ["authority_review"]
    assert diff.affects(["unit_review", "deleting"], ahead=True) == ["unit_review"]


def test_a_changed_property_names_the_property_and_both_values():
    diff = diff_bundles(CLAIM, bundle(edited(
        "credit_claim",
        ('<spiffworkflow:property name="status_label" value="等待单位审核" />',
         '<spiffworkflow:property name="status_label" value="等待用人单位审核" />'
         '<spiffworkflow:property name="due" value="P15D" />'))))
    assert diff.changed == {"unit_review": ("due", "status_label")}
    assert diff.changes["unit_review"] == {"due": (None, "P15D"), "status_label": ("等待单位审核", "等待用人单位审核")}
    assert diff.added == diff.removed == () and diff.flows_changed == {}
    assert diff.affects(["prepare", "unit_review"]) == ["unit_review"]


def test_a_removed_step():
    content = without(shipped("credit_claim"), "revise")
    diff = diff_bundles(CLAIM, bundle(content))
    assert [(r.element, r.kind) for r in diff.removed] == [("revise", "userTask")]
    assert {f.flow for f in diff.flows_removed} == {"f_authority_return", "f_resubmitted"}
    assert diff.changed["authority_decision"] == ("conditions", "outgoing")
    assert diff.changed["to_unit_review"] == ("incoming",)
    assert diff.marks()["revise"] == "removed" and diff.marks()["f_resubmitted"] == "removed"
    assert diff.affects(["revise", "unit_review", "revise"]) == ["revise"]


def test_a_changed_condition():
    diff = diff_bundles(CLAIM, bundle(edited(
        "credit_claim",
        ('sourceRef="unit_decision" targetRef="authority_review">\n'
         '      <bpmn:conditionExpression>decision == "approve"',
         'sourceRef="unit_decision" targetRef="authority_review">\n'
         '      <bpmn:conditionExpression>unit_review_decision == "approve"'))))
    assert diff.flows_changed == {"f_unit_approve": ("condition",)}
    assert diff.changed == {"unit_decision": ("conditions",)}
    old, new = diff.changes["unit_decision"]["conditions"]
    assert ["authority_review", 'decision == "approve"'] in old
    assert ["authority_review", 'unit_review_decision == "approve"'] in new


def test_lane_handler_message_and_default_flow_changes():
    content = edited(
        "credit_claim",
        ("<bpmn:flowNodeRef>unit_review</bpmn:flowNodeRef>", ""),
        ("<bpmn:flowNodeRef>authority_review</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>authority_review</bpmn:flowNodeRef><bpmn:flowNodeRef>unit_review</bpmn:flowNodeRef>"),
        ('serviceTaskOperator id="credit_claim_hours"', 'serviceTaskOperator id="discard_claim"'),
        ('name="主管部门审核结果" default="f_authority_reject"', 'name="主管部门审核结果"'),
        ('targetRef="authority_rejected" />',
         'targetRef="authority_rejected"><bpmn:conditionExpression>decision == "reject"</bpmn:conditionExpression>'
         "</bpmn:sequenceFlow>"),
        ('<bpmn:flowNodeRef>withdrawn</bpmn:flowNodeRef>', ""))
    diff = diff_bundles(CLAIM, bundle(without(content, "withdrawn")))
    assert diff.changed["unit_review"] == ("boundaries", "lane", "messages")
    assert diff.changes["unit_review"]["messages"] == (["withdraw"], [])
    assert diff.changed["credit_hours"] == ("handler",)
    assert diff.changed["authority_decision"] == ("conditions",)
    assert diff.flows_changed["f_authority_reject"] == ("condition", "default")
    assert ["authority_rejected", 'decision == "reject"'] in diff.changes["authority_decision"]["conditions"][1]
    assert [r.element for r in diff.removed] == ["withdrawn"]


def test_as_dict_is_json_ready():
    data = diff_bundles(CLAIM, bundle(credit_claim_unit_review_2())).as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["changes"]["authority_review"]["incoming"] == {"old": ["unit_decision"], "new": ["unit_decision_2"]}
    assert data["marks"]["unit_review_2"] == "added"


def test_a_deadline_added_to_a_step_and_then_moved():
    added = diff_bundles(CLAIM, bundle(credit_claim_with_deadline("P15D")))
    assert {r.element for r in added.added} == {"review_deadline", "expired"}
    assert added.changed["unit_review"] == ("boundaries",)
    assert added.affects(["unit_review"]) == ["unit_review"]
    moved = diff_bundles(bundle(credit_claim_with_deadline("P15D")), bundle(credit_claim_with_deadline("P30D")))
    assert moved.changed == {"review_deadline": ("timer",)}
    assert moved.changes["review_deadline"]["timer"] == (['timeDuration: "P15D"'], ['timeDuration: "P30D"'])


def test_an_element_no_path_reaches_keeps_its_name_and_properties():
    """The engine's spec holds only what a path reaches; the diff reads the drawing itself."""
    diff = diff_bundles(CLAIM, bundle(without(shipped("credit_claim"), "f_authority_approve")))
    assert diff.changed == {"authority_decision": ("conditions", "outgoing"), "credit_hours": ("incoming",)}
    assert [f.flow for f in diff.flows_removed] == ["f_authority_approve"]
