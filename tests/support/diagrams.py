"""Small BPMN documents for engine tests, and the shipped ones by name."""
from __future__ import annotations

from pathlib import Path

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
{extra}
<bpmn:process id="{pid}" isExecutable="true">
<bpmn:laneSet id="lanes">{lanes}</bpmn:laneSet>
{body}
</bpmn:process>
</bpmn:definitions>
"""


def shipped(name: str) -> bytes:
    return (BPMN_DIR / f"{name}.bpmn").read_bytes()


DEADLINE = """    <bpmn:boundaryEvent id="review_deadline" attachedToRef="unit_review">
      <bpmn:outgoing>f_deadline</bpmn:outgoing>
      <bpmn:timerEventDefinition id="review_deadline_def">
        <bpmn:timeDuration>"{duration}"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="expired"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="status" value="unit_rejected" />
      <spiffworkflow:property name="status_label" value="单位审核不通过" />
    </spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f_deadline</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_deadline" sourceRef="review_deadline" targetRef="expired" />
"""


def credit_claim_with_deadline(duration: str = "PT1S") -> bytes:
    """credit_claim with a deadline on the unit's review: once it passes, the claim ends rejected.

    Used by the timer-runner race test and by ``bench/scaleout.py``.
    """
    content = shipped("credit_claim").decode("utf-8")
    content = content.replace("<bpmn:flowNodeRef>unit_rejected</bpmn:flowNodeRef>",
                              "<bpmn:flowNodeRef>unit_rejected</bpmn:flowNodeRef>"
                              "<bpmn:flowNodeRef>review_deadline</bpmn:flowNodeRef>"
                              "<bpmn:flowNodeRef>expired</bpmn:flowNodeRef>")
    anchor = '    <bpmn:sequenceFlow id="f_start"'
    content = content.replace(anchor, DEADLINE.format(duration=duration) + anchor, 1)
    return content.encode("utf-8")


def document(body: str, lanes: dict[str, list[str]] | None = None, *, pid: str = "p",
             extra: str = "") -> bytes:
    lane_xml = "".join(
        f'<bpmn:lane id="{lane}" name="{lane}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
        for lane, refs in (lanes or {}).items())
    return HEADER.format(pid=pid, lanes=lane_xml, body=body, extra=extra).encode("utf-8")


def gateway_diagram(condition: str) -> bytes:
    """start -> task -> gateway(condition) -> end_a | default end_b."""
    body = f"""
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="task"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:exclusiveGateway id="gw" default="f4"><bpmn:incoming>f2</bpmn:incoming>
  <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="end_a"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="end_b"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="gw"/>
<bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end_a">
  <bpmn:conditionExpression><![CDATA[{condition}]]></bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="end_b"/>
"""
    return document(body, {"a": ["start", "task", "gw", "end_a", "end_b"]})


def task_with(extension: str, tag: str = "userTask") -> bytes:
    """start -> one task carrying ``extension`` -> end."""
    body = f"""
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:{tag} id="task"><bpmn:extensionElements>{extension}</bpmn:extensionElements>
  <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:{tag}>
<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
"""
    return document(body, {"a": ["start", "task", "end"]})


def timer_diagram(duration_expression: str) -> bytes:
    """A user task with an interrupting timer: when it fires the instance ends as 'expired'."""
    body = f"""
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="task"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="waiting"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:boundaryEvent id="deadline" attachedToRef="task"><bpmn:outgoing>f3</bpmn:outgoing>
  <bpmn:timerEventDefinition id="deadline_def"><bpmn:timeDuration><![CDATA[{duration_expression}]]></bpmn:timeDuration>
  </bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:endEvent id="done"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="done"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="expired"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="expired"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="done"/>
<bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="expired"/>
"""
    return document(body, {"a": ["start", "task", "deadline", "done", "expired"]})


def parallel_review(condition: str, *, pid: str = "parallel_review") -> bytes:
    """Two reviews side by side (lanes a and b), joined, then one gateway deciding on ``condition``.

    start -> split -> review_a | review_b -> join -> decide(condition) -> approved | default returned.
    """
    def review(task: str, lane: str) -> str:
        return f"""<bpmn:userTask id="{task}"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="review_{lane}"/>
  <spiffworkflow:property name="status_label" value="等待审核{lane}"/>
  <spiffworkflow:property name="decisions" value="approve,return"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>to_{task}</bpmn:incoming><bpmn:outgoing>from_{task}</bpmn:outgoing></bpmn:userTask>"""

    def end(element: str, status: str) -> str:
        return f"""<bpmn:endEvent id="{element}"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="{status}"/>
  <spiffworkflow:property name="status_label" value="{status}"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>to_{element}</bpmn:incoming></bpmn:endEvent>"""

    body = f"""
<bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
<bpmn:parallelGateway id="split"><bpmn:incoming>f_start</bpmn:incoming>
  <bpmn:outgoing>to_review_a</bpmn:outgoing><bpmn:outgoing>to_review_b</bpmn:outgoing></bpmn:parallelGateway>
{review("review_a", "a")}
{review("review_b", "b")}
<bpmn:parallelGateway id="join"><bpmn:incoming>from_review_a</bpmn:incoming><bpmn:incoming>from_review_b</bpmn:incoming>
  <bpmn:outgoing>f_joined</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:exclusiveGateway id="decide" default="to_returned"><bpmn:incoming>f_joined</bpmn:incoming>
  <bpmn:outgoing>to_approved</bpmn:outgoing><bpmn:outgoing>to_returned</bpmn:outgoing></bpmn:exclusiveGateway>
{end("approved", "approved")}
{end("returned", "returned")}
<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="split"/>
<bpmn:sequenceFlow id="to_review_a" sourceRef="split" targetRef="review_a"/>
<bpmn:sequenceFlow id="to_review_b" sourceRef="split" targetRef="review_b"/>
<bpmn:sequenceFlow id="from_review_a" sourceRef="review_a" targetRef="join"/>
<bpmn:sequenceFlow id="from_review_b" sourceRef="review_b" targetRef="join"/>
<bpmn:sequenceFlow id="f_joined" sourceRef="join" targetRef="decide"/>
<bpmn:sequenceFlow id="to_approved" sourceRef="decide" targetRef="approved">
  <bpmn:conditionExpression><![CDATA[{condition}]]></bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="to_returned" sourceRef="decide" targetRef="returned"/>
"""
    return document(body, {"a": ["start", "split", "review_a", "join", "decide", "approved", "returned"],
                           "b": ["review_b"]}, pid=pid)


def waiting_event_diagram() -> bytes:
    """start -> event-based gateway -> a message (``change``) or a date (``deadline`` in the data),
    each catch event carrying the status the record shows while it waits."""
    body = """
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:eventBasedGateway id="wait"><bpmn:incoming>f1</bpmn:incoming>
  <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
<bpmn:intermediateCatchEvent id="change_asked"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="open"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
  <bpmn:messageEventDefinition id="change_def" messageRef="change_msg"/></bpmn:intermediateCatchEvent>
<bpmn:intermediateCatchEvent id="deadline_passed"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="open"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
  <bpmn:timerEventDefinition id="deadline_def"><bpmn:timeDate>deadline</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
<bpmn:userTask id="review"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="reviewing"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="closed"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="closed"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="done"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="status" value="done"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="change_asked"/>
<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="deadline_passed"/>
<bpmn:sequenceFlow id="f4" sourceRef="change_asked" targetRef="review"/>
<bpmn:sequenceFlow id="f5" sourceRef="deadline_passed" targetRef="closed"/>
<bpmn:sequenceFlow id="f6" sourceRef="review" targetRef="done"/>
"""
    return document(body, {"a": ["start", "wait", "change_asked", "deadline_passed", "review", "closed", "done"]},
                    extra='<bpmn:message id="change_msg" name="change"/>')


# -- edited versions of the credit claim, as a process administrator would make them ------------

SECOND_REVIEW = """    <bpmn:userTask id="unit_review_2" name="单位复核">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="unit_review_2" />
          <spiffworkflow:property name="status_label" value="等待单位复核" />
          <spiffworkflow:property name="decisions" value="approve,reject" />
          <spiffworkflow:property name="comment_required" value="reject" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_unit_approve</bpmn:incoming>
      <bpmn:outgoing>f_unit_2_reviewed</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="unit_decision_2" name="单位复核结果" default="f_unit_2_reject">
      <bpmn:incoming>f_unit_2_reviewed</bpmn:incoming>
      <bpmn:outgoing>f_unit_2_approve</bpmn:outgoing>
      <bpmn:outgoing>f_unit_2_reject</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_unit_2_reviewed" sourceRef="unit_review_2" targetRef="unit_decision_2" />
    <bpmn:sequenceFlow id="f_unit_2_approve" sourceRef="unit_decision_2" targetRef="authority_review">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_unit_2_reject" sourceRef="unit_decision_2" targetRef="unit_rejected" />
"""
SECOND_REVIEW_DI = """      <bpmndi:BPMNShape id="unit_review_2_di" bpmnElement="unit_review_2">
        <dc:Bounds x="625" y="470" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="unit_decision_2_di" bpmnElement="unit_decision_2" isMarkerVisible="true">
        <dc:Bounds x="760" y="485" width="50" height="50" />
      </bpmndi:BPMNShape>
"""


def credit_claim_second_unit_review() -> bytes:
    """credit_claim with a second unit review (单位复核) after the unit approves, before the authority."""
    content = shipped("credit_claim").decode("utf-8")
    content = content.replace('<bpmn:sequenceFlow id="f_unit_approve" name="通过" sourceRef="unit_decision" '
                              'targetRef="authority_review">',
                              '<bpmn:sequenceFlow id="f_unit_approve" name="通过" sourceRef="unit_decision" '
                              'targetRef="unit_review_2">')
    content = content.replace("      <bpmn:incoming>f_unit_approve</bpmn:incoming>\n"
                              "      <bpmn:outgoing>f_authority_reviewed",
                              "      <bpmn:incoming>f_unit_2_approve</bpmn:incoming>\n"
                              "      <bpmn:outgoing>f_authority_reviewed")
    content = content.replace("      <bpmn:incoming>f_unit_reject</bpmn:incoming>\n",
                              "      <bpmn:incoming>f_unit_reject</bpmn:incoming>\n"
                              "      <bpmn:incoming>f_unit_2_reject</bpmn:incoming>\n")
    content = content.replace("<bpmn:flowNodeRef>unit_decision</bpmn:flowNodeRef>",
                              "<bpmn:flowNodeRef>unit_decision</bpmn:flowNodeRef>"
                              "<bpmn:flowNodeRef>unit_review_2</bpmn:flowNodeRef>"
                              "<bpmn:flowNodeRef>unit_decision_2</bpmn:flowNodeRef>")
    anchor = '    <bpmn:sequenceFlow id="f_start"'
    content = content.replace(anchor, SECOND_REVIEW + anchor, 1)
    content = content.replace('      <bpmndi:BPMNShape id="unit_decision_di"', SECOND_REVIEW_DI
                              + '      <bpmndi:BPMNShape id="unit_decision_di"', 1)
    assert content.count("unit_review_2") >= 6, "the credit claim diagram changed: update this edit"
    return content.encode("utf-8")


def credit_claim_edited(*replacements: tuple[str, str]) -> bytes:
    """credit_claim with text replacements (each must apply)."""
    content = shipped("credit_claim").decode("utf-8")
    for old, new in replacements:
        assert old in content, old
        content = content.replace(old, new)
    return content.encode("utf-8")
