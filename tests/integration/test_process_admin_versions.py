"""Process administrators' drafts, validation with simulation, diff and publishing (API)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ProcessDefinition, ProcessEvent, ProcessInstance, RoleAssignment, User
from tests.support.diagrams import credit_claim_edited, credit_claim_second_unit_review, shipped
from tests.support.world import T1

ADMIN = "process_admin"
XML = {"content_type": "application/xml"}


def _draft(api, content: bytes, **query):
    path = "/process-definitions" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return api.as_(ADMIN).post(path, data=content, **XML)


def _latest_claim_version(api) -> dict:
    groups = api.as_(ADMIN).get("/process-definitions").get_json()["items"]
    claim = next(g for g in groups if g["process_key"] == "credit_claim")
    return next(v for v in claim["versions"] if v["status"] == "published")


def test_every_process_is_listed_with_its_versions(api):
    groups = api.as_(ADMIN).get("/process-definitions").get_json()["items"]
    keys = {g["process_key"] for g in groups}
    assert {"credit_claim", "registration"} <= keys or {"credit_claim", "enrollment"} <= keys
    claim = next(g for g in groups if g["process_key"] == "credit_claim")
    v1 = claim["versions"][0]
    assert v1["status"] == "published" and v1["version"] == 1 and len(v1["content_hash"]) == 64
    assert v1["running"] == 0
    download = api.as_(ADMIN).get(f"/process-definitions/{v1['id']}/bpmn")
    assert download.status_code == 200 and download.data == shipped("credit_claim")
    assert "credit_claim-v1.bpmn" in download.headers["Content-Disposition"]


def test_a_draft_is_saved_never_run_and_can_be_replaced_and_deleted(api, app):
    v1 = _latest_claim_version(api)
    created = _draft(api, credit_claim_second_unit_review(), based_on=v1["id"])
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert draft["status"] == "draft" and draft["version"] is None and draft["problems"] == []
    assert draft["based_on_id"] == v1["id"]
    claim = api.submitted_claim(T1)  # new instances still start on the published version
    with app.app_context():
        instance = db.session.get(ProcessInstance, claim["instance_id"])
        assert instance.definition_id == v1["id"]
    replaced = api.as_(ADMIN).request("PUT", f"/process-definitions/{draft['id']}", data=shipped("credit_claim"), **XML)
    assert replaced.status_code == 200 and replaced.get_json()["content_hash"] == v1["content_hash"]
    assert api.as_(ADMIN).delete(f"/process-definitions/{draft['id']}").status_code == 204
    assert api.as_(ADMIN).get(f"/process-definitions/{draft['id']}").status_code == 404
    with app.app_context():
        actions = db.session.scalars(select(ProcessEvent.action).where(
            ProcessEvent.record_type == "process_definition", ProcessEvent.record_id == draft["id"])
            .order_by(ProcessEvent.id)).all()
    assert actions == ["draft_create", "draft_save", "draft_delete"]


@pytest.mark.parametrize("body, code", [
    (b"not xml at all", "invalid_diagram"),
    (b"<a/>", "invalid_diagram"),
    (b"", "invalid_diagram"),
    (shipped("credit_claim").replace(b'<bpmn:process id="credit_claim"', b'<bpmn:process id="nobody_serves"')
     .replace(b'processRef="credit_claim"', b'processRef="nobody_serves"'), "unknown_process"),
])
def test_what_is_no_diagram_of_a_known_process_is_refused(api, app, body, code):
    with app.app_context():
        before = db.session.query(ProcessDefinition).count()
    response = _draft(api, body)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.query(ProcessDefinition).count() == before


def test_a_diagram_sent_as_json_is_refused(api):
    response = api.as_(ADMIN).post("/process-definitions", json={"bpmn": "x"})
    assert response.status_code == 422
    assert response.get_json()["problems"] == [response.get_json()["error"]["message"]]
    assert "application/xml" in response.get_json()["problems"][0]


UNSERVED = (shipped("credit_claim").replace(b'<bpmn:process id="credit_claim"', b'<bpmn:process id="nobody_serves"')
            .replace(b'processRef="credit_claim"', b'processRef="nobody_serves"'))
# body: the first problem (the error's message, in Chinese), and whether the parser's findings follow it
NOT_DIAGRAMS = {
    b"not xml at all": ("这不是本系统能读取的 BPMN 流程图。", True),
    b"<a/>": ("这不是本系统能读取的 BPMN 流程图。", True),
    b"": ("流程图为空。", False),
    UNSERVED: ("没有流程插件支持流程标识“nobody_serves”", False),
}


@pytest.mark.parametrize("body", list(NOT_DIAGRAMS), ids=["text", "not bpmn", "empty", "unknown process"])
def test_what_is_no_diagram_of_a_known_process_says_its_problems(api, body):
    first, parsed = NOT_DIAGRAMS[body]
    response = _draft(api, body)
    assert response.status_code == 422
    answer = response.get_json()
    problems = answer["problems"]
    assert isinstance(problems, list) and all(isinstance(p, str) and p for p in problems)  # as a 201's
    assert problems[0] == answer["error"]["message"] and problems[0].startswith(first), problems
    assert answer["error"]["fields"]["bpmn"]  # the reasons stay where they were
    if parsed:  # what the parser found follows the message
        assert problems[1:] == answer["error"]["fields"]["bpmn"] and len(problems) > 1
    else:
        assert problems == [answer["error"]["message"]]


def test_the_openapi_document_describes_the_problems_of_a_refused_draft(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    refused = spec["paths"]["/api/v1/process-definitions"]["post"]["responses"]["422"]
    ref = refused["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"][ref]
    assert schema["properties"]["problems"]["type"] == "array" and "problems" in schema["required"]
    assert schema["properties"]["problems"]["items"]["type"] == "string"
    assert "error" in schema["properties"]


BAD_DRAFTS = {
    "sandbox escape": (
        ('<bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>',
         "<bpmn:conditionExpression>__import__('os').system('id') == 0</bpmn:conditionExpression>"),),
    "unknown lane": (('<bpmn:lane id="unit" name="用人单位">', '<bpmn:lane id="someone_else" name="用人单位">'),),
    "handler of another plug-in": (('serviceTaskOperator id="credit_claim_hours"',
                                    'serviceTaskOperator id="approve_enrollment"'),),
    "missing status": (('          <spiffworkflow:property name="status" value="unit_review" />\n', ''),),
    "dead-end path": (('<bpmn:exclusiveGateway id="unit_decision" name="单位审核结果" default="f_unit_reject">',
                       '<bpmn:exclusiveGateway id="unit_decision" name="单位审核结果">'),
                      ('<bpmn:sequenceFlow id="f_unit_reject" name="不通过" sourceRef="unit_decision" '
                       'targetRef="unit_rejected" />',
                       '<bpmn:sequenceFlow id="f_unit_reject" name="不通过" sourceRef="unit_decision" '
                       'targetRef="unit_rejected"><bpmn:conditionExpression>decision == "approve"'
                       '</bpmn:conditionExpression></bpmn:sequenceFlow>')),
}
REASONS = {
    "sandbox escape": "__import__",
    "unknown lane": "someone_else",
    "handler of another plug-in": "approve_enrollment",
    "missing status": "unit_review",
    "dead-end path": "reject",
}


@pytest.mark.parametrize("case", list(BAD_DRAFTS))
def test_a_bad_draft_is_refused_with_its_reason(api, app, case):
    created = _draft(api, credit_claim_edited(*BAD_DRAFTS[case]))
    assert created.status_code == 201, created.get_json()
    draft_id = created.get_json()["id"]
    report = api.as_(ADMIN).post(f"/process-definitions/{draft_id}/validate").get_json()
    assert report["ok"] is False
    assert any(REASONS[case] in problem for problem in report["problems"]), report["problems"]
    refused = api.as_(ADMIN).post(f"/process-definitions/{draft_id}/publish")
    assert refused.status_code == 422
    assert any(REASONS[case] in p for p in refused.get_json()["error"]["fields"]["bpmn"])
    with app.app_context():
        assert db.session.get(ProcessDefinition, draft_id).status == "draft"


def test_validation_walks_every_path_of_a_good_draft(api):
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    report = api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/validate").get_json()
    assert report["ok"] is True, report["problems"]
    assert report["marks"]["unit_review_2"] in ("reached", "end")
    assert "unit_review_2" in report["simulation"]["statuses"]


def test_publishing_makes_the_next_version_for_new_instances_only(api, app):
    running = api.submitted_claim(T1)
    v1 = _latest_claim_version(api)
    draft = _draft(api, credit_claim_second_unit_review(), based_on=v1["id"]).get_json()
    published = api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/publish")
    assert published.status_code == 201, published.get_json()
    assert published.get_json()["version"] == 2 and published.get_json()["status"] == "published"
    fresh = api.submitted_claim(T1)
    with app.app_context():
        assert db.session.get(ProcessInstance, running["instance_id"]).definition_id == v1["id"]
        assert db.session.get(ProcessInstance, fresh["instance_id"]).definition_id == draft["id"]
        event = db.session.scalars(select(ProcessEvent).where(ProcessEvent.action == "publish")).one()
        assert event.instance_id is None and event.process_key == "credit_claim"
        assert event.data["old"]["version"] == 1 and event.data["new"]["version"] == 2
    # a published version never changes, and the same diagram is not published twice
    assert api.as_(ADMIN).request("PUT", f"/process-definitions/{draft['id']}", data=shipped("credit_claim"),
                                  **XML).status_code == 409
    again = _draft(api, credit_claim_second_unit_review()).get_json()
    assert api.as_(ADMIN).post(f"/process-definitions/{again['id']}/publish").status_code == 409


def test_the_diff_names_what_changed_and_the_instances_it_touches(api):
    api.submitted_claim(T1)  # waits at unit_review: its place is the same (not affected)
    at_authority = api.submitted_claim(T1)
    api.decide("unit_reviewer", at_authority["id"], "approve")  # waits at authority_review: now after 单位复核
    v1 = _latest_claim_version(api)
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    response = api.as_(ADMIN).get(f"/process-definitions/diff?from={v1['id']}&to={draft['id']}")
    assert response.status_code == 200, response.get_json()
    diff = response.get_json()
    assert {"unit_review_2", "unit_decision_2"} <= {e["element"] for e in diff["added"]}
    assert diff["removed"] == []
    assert diff["marks"]["unit_review_2"] == "added"
    assert "incoming" in diff["changed"]["authority_review"]
    assert "unit_review" not in diff["changed"]
    affected = {a["instance_id"]: a["steps"] for a in diff["affected_instances"]}
    assert affected == {at_authority["instance_id"]: ["authority_review"]}
    assert diff["affected_count"] == 1
    assert diff["ahead_count"] == 1  # the one at unit_review will meet 单位复核
    for query in ("from=abc&to=1", "to=1", f"from={v1['id']}&to=999999"):
        bad = api.as_(ADMIN).get(f"/process-definitions/diff?{query}")
        assert bad.status_code in (404, 422), query
        assert "error" in bad.get_json()


def test_editing_a_draft_does_not_grow_the_parsed_diagram_cache(api, app):
    from app.services.engine import engine
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    with app.app_context():
        cached = len(engine().specs)
    for n in range(3):  # every save is a new content
        body = credit_claim_second_unit_review().replace(b"\n", b"\n" + b" " * (n + 1) + b"\n", 1)
        assert api.as_(ADMIN).request("PUT", f"/process-definitions/{draft['id']}", data=body, **XML).status_code == 200
        assert api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/validate").get_json()["ok"] is True
    with app.app_context():
        assert len(engine().specs) == cached


# -- a step no candidate can act on ------------------------------------------------------------------

NOBODY_CAN_ACT = "no candidate could act on it"


def _nobody_warnings(report: dict) -> dict[str, str]:
    """The report's "nobody can act" warnings by the step they name."""
    return {w.split(":", 1)[0]: w for w in report["warnings"] if NOBODY_CAN_ACT in w}


def test_a_step_in_a_lane_whose_roles_nobody_holds_is_warned_of(api, app, monkeypatch):
    from app.services import plugins
    from app.services.lanes import org_reviewers
    with app.app_context():  # the unit's steps go to holders of a role nobody has been given
        plugin = plugins.for_key("credit_claim")
        monkeypatch.setitem(plugin.lanes, "unit", org_reviewers("unit_id", ("quality_inspector",)))
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    report = api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/validate").get_json()
    warned = _nobody_warnings(report)
    assert set(warned) == {"unit_review", "unit_review_2"}, report["warnings"]  # not the authority's step
    assert "'unit'" in warned["unit_review_2"] and "quality_inspector" in warned["unit_review_2"]
    assert report["ok"] is True and not any(NOBODY_CAN_ACT in p for p in report["problems"])  # a warning only


def test_a_step_whose_role_nobody_holds_any_more_is_warned_of(api, app):
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    with app.app_context():  # every reviewer's role taken away: nobody reviews for a unit or an authority
        db.session.execute(db.delete(RoleAssignment).where(RoleAssignment.role == "reviewer"))
        db.session.commit()
    report = api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/validate").get_json()
    assert set(_nobody_warnings(report)) == {"unit_review", "unit_review_2", "authority_review"}, report["warnings"]


def test_a_good_draft_has_no_step_nobody_can_act_on(api):
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    report = api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/validate").get_json()
    assert report["ok"] is True
    assert "unit_review_2" in report["simulation"]["statuses"]  # the steps were reached (and so looked at)
    assert _nobody_warnings(report) == {}, report["warnings"]


def test_the_listing_counts_running_instances_per_version_and_says_who_published(api, app):
    from datetime import UTC, datetime, timedelta
    v1 = _latest_claim_version(api)
    claim = api.submitted_claim(T1)  # running on v1
    started = datetime.now(UTC) - timedelta(seconds=5)
    draft = _draft(api, credit_claim_second_unit_review()).get_json()
    assert api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/publish").status_code == 201
    another_draft = _draft(api, shipped("credit_claim").replace(b"\n", b"\n\n", 1)).get_json()
    groups = api.as_(ADMIN).get("/process-definitions").get_json()["items"]
    versions = {v["id"]: v for g in groups if g["process_key"] == "credit_claim" for v in g["versions"]}
    assert (versions[v1["id"]]["version"], versions[draft["id"]]["version"]) == (1, 2)
    assert versions[v1["id"]]["running"] == 1 and versions[draft["id"]]["running"] == 0
    with app.app_context():
        admin_name = db.session.scalar(select(User.name).where(User.username == ADMIN))
        assert db.session.get(ProcessInstance, claim["instance_id"]).definition_id == v1["id"]
    v2 = versions[draft["id"]]
    assert v2["published_by"] == admin_name and v2["created_by"] == admin_name
    def when(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert started <= when(v2["published_at"]) <= datetime.now(UTC) + timedelta(seconds=5)
    assert when(versions[v1["id"]]["published_at"]) <= when(v2["published_at"])
    unpublished = versions[another_draft["id"]]
    assert unpublished["status"] == "draft" and unpublished["published_by"] is None
    assert unpublished["published_at"] is None and unpublished["running"] == 0
    fresh = api.submitted_claim(T1)  # new instances start on v2: its count moves, v1's does not
    groups = api.as_(ADMIN).get("/process-definitions").get_json()["items"]
    running = {v["id"]: v["running"] for g in groups for v in g["versions"]}
    assert (running[v1["id"]], running[draft["id"]]) == (1, 1), fresh
