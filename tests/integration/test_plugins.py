"""Process plug-ins: discovery, and the deploy-time checks of a diagram against its plug-in."""
from __future__ import annotations

import pytest

from app.errors import Invalid
from app.extensions import db
from app.services import definitions, plugins
from app.services.plugins import ProcessPlugin, Registry, discover
from tests.support.diagrams import parallel_review, shipped

PROCESS_KEYS = {"credit_claim", "enrollment", "staff_transfer", "unit_parent_change", "provider_prefiling",
                "class_publication", "class_enrollment", "provider_postfiling", "supplementary_claim",
                "unit_declaration", "unit_change",
                "person_info_change", "unit_registration"}


def test_every_process_package_is_discovered_without_being_imported_by_hand():
    registry = discover()
    assert set(registry.by_name) == {"credit_claim", "enrollment", "staff_transfer", "unit_change",
                                     "provider_prefiling", "class_publication", "class_enrollment",
                                     "provider_postfiling", "supplementary_claim", "unit_declaration",
                                     "person_info_change", "unit_registration"}
    assert set(registry.by_key) == PROCESS_KEYS
    assert set(registry.by_type) == {"claim", "enrollment", "transfer", "unit_change", "prefiling",
                                     "provider_class", "class_enrollment", "postfiling", "supplementary",
                                     "declaration", "person_info_change", "unit_registration"}
    assert registry.for_key("unit_parent_change").name == "unit_change"
    assert registry.for_key("registration") is None  # the enrolment process's old key
    assert set(registry.handlers) == {"credit_claim_hours", "discard_claim", "approve_enrollment",
                                      "apply_transfer", "apply_parent_change", "route_to_hr", "file_prefiling",
                                      "discard_prefiling", "approve_class", "close_class", "discard_class",
                                      "approve_class_enrollment", "close_class_enrollment",
                                      "discard_class_enrollment", "file_postfiling", "discard_postfiling",
                                      "credit_supplementary_hours", "credit_declaration", "revoke_declaration",
                                      "apply_info_change", "apply_person_info_change", "create_registered_unit"}
    # the order lists, menus and the demo data follow: enrolments first, then claims…
    assert [p.name for p in registry] == ["enrollment", "credit_claim", "supplementary_claim", "staff_transfer",
                                          "person_info_change",
                                          "unit_declaration",
                                          "unit_change",
                                          "provider_prefiling", "class_publication", "class_enrollment",
                                          "provider_postfiling", "unit_registration"]


def _clone(plugin: ProcessPlugin, **changes) -> ProcessPlugin:
    copy = type(plugin)()
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def test_the_registry_refuses_plugins_that_clash():
    registry = discover()
    claims = registry.by_name["credit_claim"]
    for clash in ({"name": "other"}, {"name": "other", "record_type": "x", "processes": {"credit_claim": "x"}},
                  {"name": "other", "record_type": "x", "processes": {"x": "x"}}):
        with pytest.raises(ValueError, match="clashes"):
            Registry([claims, _clone(claims, **clash)])


def _problems(app, content: bytes) -> list[str]:
    with app.app_context():
        with pytest.raises(Invalid) as refused:
            definitions.deploy(content)
        db.session.rollback()
        return refused.value.fields["bpmn"]


def _edited(name: str, *pairs: tuple[str, str]) -> bytes:
    text = shipped(name).decode("utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


def test_the_shipped_diagrams_pass_their_plugins_checks(app):
    with app.app_context():
        for key in PROCESS_KEYS:
            assert definitions.check(definitions.engine().bundle(shipped(key))) == [], key


def test_an_unknown_process_key_is_refused(app):
    problems = _problems(app, parallel_review('review_a_decision == "approve"', pid="no_such_process"))
    assert problems == [f"no_such_process: no process plug-in serves this process key "
                        f"(known: {', '.join(sorted(PROCESS_KEYS))})"]


def test_an_unknown_lane_form_decision_and_missing_status_are_all_listed(app):
    content = _edited("staff_transfer",
                      ('<bpmn:lane id="to_unit" name="调入单位">', '<bpmn:lane id="hr" name="人社">'),
                      ('<spiffworkflow:property name="due" value="P15D" />',
                       '<spiffworkflow:property name="form" value="scores" />'),
                      ('value="accept,refuse"', 'value="accept,refuse,escalate"'),
                      ('''          <spiffworkflow:property name="status" value="refused" />
          <spiffworkflow:property name="status_label" value="拒绝转入" />
''', ''))
    problems = _problems(app, content)
    assert any(p.startswith("confirm_transfer: lane 'hr' is not one of staff_transfer's lanes") for p in problems)
    assert any(p.startswith("confirm_transfer: form 'scores' is not one of staff_transfer's") for p in problems)
    assert any(p.startswith("confirm_transfer: decision(s) escalate unknown") for p in problems)
    assert not any("lead nowhere" in p for p in problems)  # the gateway's default takes any other decision
    assert "refused: a EndEvent needs the status and status_label users see" in problems
    assert len(problems) >= 4  # every problem at once, never one at a time


def test_a_handler_of_another_plugin_is_refused(app):
    content = _edited("staff_transfer", ('serviceTaskOperator id="apply_transfer"',
                                         'serviceTaskOperator id="credit_claim_hours"'))
    problems = _problems(app, content)
    assert problems == ["move_person: handler 'credit_claim_hours' is not one of staff_transfer's (apply_transfer)"]


def test_a_decision_that_leads_nowhere_is_refused(app):
    content = _edited("staff_transfer",
                      ('<bpmn:exclusiveGateway id="target_decision" name="调入单位意见" default="f_refuse">',
                       '<bpmn:exclusiveGateway id="target_decision" name="调入单位意见">'),
                      ('<bpmn:sequenceFlow id="f_refuse" name="拒绝" sourceRef="target_decision" '
                       'targetRef="refused" />',
                       '<bpmn:sequenceFlow id="f_refuse" name="拒绝" sourceRef="target_decision" targetRef="refused">'
                       '<bpmn:conditionExpression>confirm_transfer_decision == "accept"</bpmn:conditionExpression>'
                       '</bpmn:sequenceFlow>'))
    problems = _problems(app, content)
    assert "confirm_transfer: decision(s) refuse lead nowhere (no flow tests them and there is no default flow)" \
        in problems


def test_a_gateway_testing_a_decision_the_step_does_not_offer_is_refused(app):
    content = _edited("staff_transfer", ('confirm_transfer_decision == "accept"',
                                         'confirm_transfer_decision == "approve"'))
    problems = _problems(app, content)
    assert any(p.startswith("f_accept: tests decision 'approve', which confirm_transfer does not offer")
               for p in problems), problems


def test_the_bare_decision_after_a_join_is_refused(app):
    """Two parallel reviews, joined, then a gateway on ``decision``: the last review would win."""
    problems = _problems(app, parallel_review('decision == "approve"', pid="unit_parent_change"))
    assert any(p.startswith("to_approved: after the join join, `decision` is whichever branch finished last")
               for p in problems), problems


def test_the_cli_check_reports_plugin_problems(app, tmp_path):
    path = tmp_path / "staff_transfer.bpmn"
    path.write_bytes(_edited("staff_transfer", ('<bpmn:lane id="to_unit" name="调入单位">',
                                                '<bpmn:lane id="hr" name="人社">')))
    result = app.test_cli_runner().invoke(args=["bpmn", "check", str(path)])
    assert result.exit_code == 1 and "lane 'hr' is not one of staff_transfer's lanes" in result.output


def test_plugins_are_reached_only_through_the_registry(app):
    with app.app_context():
        assert plugins.for_type("transfer").name == "staff_transfer"
        assert plugins.for_key("credit_claim").record_type == "claim"
