"""Property-based tests of API v1 against its own OpenAPI document (Schemathesis).

Every operation in ``/api/v1/openapi.json`` is its own test item, run in
process against the session's Flask app as a trainee (T1), as a unit reviewer
and (read-only operations) as the auditor. The per-test truncation in
``tests/conftest.py`` therefore gives every operation a fresh demo world; the
``seeded`` fixture adds claims in several states, a proof file and open tasks,
and half of the generated path ids are small so that they hit those rows.
Generation is derandomized and bounded (``FUZZ``).

Checks: no 5xx; status code, content type, headers and body conform to the
document; schema-invalid input is rejected; authentication is enforced; 405s
answer properly. On top, stricter than Schemathesis: every status an operation
returns must be declared on that operation. flask-smorest adds a ``default``
error response to every operation, which makes Schemathesis' own
``status_code_conformance`` accept any status at all.

``positive_data_acceptance`` is not run: the document cannot express the
business rules (the yearly window, ID-number checksums, the old password...),
so schema-valid requests are rightly refused with 422.

What the fuzzing found (500s on huge ids and hours, unhashable route choices and
deeply nested JSON; undeclared statuses; a 405 without ``Allow``; an undeclared
download type) was fixed; each has a regression test at the end of this file.
"""
from __future__ import annotations

import io
import tempfile
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

from app import create_app
from app.converters import INT32_MAX
from tests.support.files import pdf, png
from tests.support.world import T1, T2, T3

PREFIX = "/api/v1"
REVIEWER = "unit_reviewer"
AUDITOR = "auditor"


def _render_openapi() -> dict[str, Any]:
    """The OpenAPI document, rendered by a throwaway app (no database is touched)."""
    with tempfile.TemporaryDirectory() as tmp:
        spec_app = create_app({"TESTING": True, "SECRET_KEY": "spec-only",
                               "SQLALCHEMY_DATABASE_URI": "sqlite://",
                               "STORAGE": {"BACKEND": "local", "LOCAL_ROOT": tmp}})
        response = spec_app.test_client().get(PREFIX + "/openapi.json")
        assert response.status_code == 200
        return response.get_json()


OPENAPI = _render_openapi()
schema = schemathesis.openapi.from_dict(OPENAPI, config=SchemathesisConfig())


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half of the path ids are small, so that they name the rows the ``seeded`` fixture made."""
    ids = {name for name, value in (path_parameters or {}).items()  # type(): a bool is no id
           if type(value) is int and 0 <= value <= INT32_MAX}  # out of range: a negative case, left alone
    if not ids:
        return st.just(path_parameters)
    small = st.fixed_dictionaries({name: st.integers(1, 8) if name in ids else st.just(value)
                                   for name, value in path_parameters.items()})
    return st.one_of(st.just(path_parameters), small)


@schema.hook
def filter_query(context, query):
    """A query parameter with no value at all (``{"": []}``) cannot be sent: the request that goes out
    is a valid one, so a negative case built on it would fault the API for the serializer's loss."""
    return not any(value == [] for value in (query or {}).values())


# -- what each operation may answer ---------------------------------------------------
def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in OPENAPI["paths"].items()
            for method, op in item.items() if method in {"get", "post", "put", "patch", "delete"}]


def _parameters(path: str, op: dict[str, Any]) -> list[dict[str, Any]]:
    return [*OPENAPI["paths"][path].get("parameters", []), *op.get("parameters", [])]


# Statuses the code returns besides the generic ones derived in _expected_statuses (read from the
# services: Forbidden / Conflict / Invalid raised for ownership, roles, state and business rules).
SPECIFIC = {
    "POST /api/v1/auth/token": {401, 429},
    "POST /api/v1/auth/register": {409},
    "POST /api/v1/claims": {403},
    "PATCH /api/v1/claims/{claim_id}": {403, 409},
    "DELETE /api/v1/claims/{claim_id}": {403, 409},
    "POST /api/v1/claims/{claim_id}/submit": {403, 409, 422},
    "POST /api/v1/claims/{claim_id}/withdraw": {403, 409},
    "POST /api/v1/claims/{claim_id}/files": {403, 409, 413, 422},
    "DELETE /api/v1/claims/{claim_id}/files/{file_id}": {403, 409},
    "POST /api/v1/enrollments": {403, 409},
    "PATCH /api/v1/enrollments/{enrollment_id}": {403, 409},
    "POST /api/v1/enrollments/{enrollment_id}/submit": {403, 409},
    "GET /api/v1/tasks/{task_id}": {403},
    "POST /api/v1/tasks/{task_id}/take": {403, 409},
    "POST /api/v1/tasks/{task_id}/release": {403, 409},
    "POST /api/v1/tasks/{task_id}/claim": {403, 409},
    "POST /api/v1/tasks/{task_id}/unclaim": {403, 409},
    "POST /api/v1/tasks/{task_id}/complete": {403, 409, 422},
    "POST /api/v1/transfers": {403, 409},
    "POST /api/v1/declarations": {403, 409},
    "POST /api/v1/declarations/{declaration_id}/verification": {403, 409},
    "GET /api/v1/transfers": {403},
    "GET /api/v1/transfers/{transfer_id}": {403},
    "POST /api/v1/transfers/{transfer_id}/cancel": {403, 409},
    "POST /api/v1/transfers/{transfer_id}/files": {403, 409, 413, 422},
    "GET /api/v1/transfers/{transfer_id}/files/{file_id}": {403},
    "POST /api/v1/units/{org_id}/parent-change": {403, 409},
    "GET /api/v1/unit-changes/{change_id}": {403},
    "POST /api/v1/unit-changes/{change_id}/cancel": {403, 409},
    "GET /api/v1/process-instances/{instance_id}": {403},
    "POST /api/v1/supplementary": {403, 409},
    "POST /api/v1/supplementary/{record_id}/cancel": {403, 409},
    "POST /api/v1/supplementary/{record_id}/entries": {403, 409},
    "PUT /api/v1/supplementary/{record_id}/entries/{entry_id}": {403, 409},
    "DELETE /api/v1/supplementary/{record_id}/entries/{entry_id}": {403, 409},
    "POST /api/v1/supplementary/{record_id}/submit": {403, 409, 422},
    "POST /api/v1/supplementary/{record_id}/files": {403, 409, 413, 422},
    "DELETE /api/v1/supplementary/{record_id}/files/{file_id}": {403, 409},
    "GET /api/v1/process-instances/{instance_id}/events": {403},
}
PASSWORD_CHANGE_OPERATIONS = {"POST /api/v1/auth/password", "POST /api/v1/auth/logout", "GET /api/v1/me"}


def _expected_statuses(method: str, path: str, op: dict[str, Any]) -> set[int]:
    label = f"{method} {path}"
    expected = {int(code) for code in op["responses"] if code.isdigit() and code.startswith("2")}
    if op.get("security", OPENAPI.get("security")):  # app/api/v1/__init__.py: authenticate_request
        expected.add(401)  # token missing, expired or revoked
        if label not in PASSWORD_CHANGE_OPERATIONS:
            expected.add(403)  # password_change_required
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        expected |= {400, 422}  # malformed JSON / schema validation
    if any(p["in"] == "query" for p in _parameters(path, op)):
        expected.add(422)
    if any(p["in"] == "path" for p in _parameters(path, op)):
        expected.add(404)  # no such row (and ids the int converter does not match)
    return expected | SPECIFIC.get(label, set())


EXPECTED = {f"{m} {p}": _expected_statuses(m, p, op) for m, p, op in _operations()}

SERVED_PROOF_TYPES = {"image/png", "image/jpeg", "application/pdf"}
DOWNLOAD = "GET /api/v1/claims/{claim_id}/files/{file_id}"


# -- checks ---------------------------------------------------------------------------
def status_code_declared(ctx, response, case) -> bool | None:
    """The status must be declared on the operation itself, not only through ``default``."""
    if is_unexpected_http_status_case(case) or response.request.method != case.operation.method.upper():
        return None  # probes with another method or a broken request shape: not this operation's answer
    label = case.operation.label
    declared = {str(code) for code in case.operation.definition.raw.get("responses", {})}
    status = str(response.status_code)
    if status in declared or f"{status[0]}XX" in declared:
        return None
    raise AssertionError(f"{label} returned {status}, which it does not declare "
                         f"({sorted(declared - {'default'})})")


CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
    openapi_checks.allow_header_conformance,
    openapi_checks.ignored_auth,
    status_code_declared,
]


# -- state ----------------------------------------------------------------------------
@pytest.fixture
def seeded(api) -> dict[str, int]:
    """Claims in several states, a proof file, open tasks, a pending transfer into the reviewer's
    unit and a pending parent change of it (ids restart with every test)."""
    draft = api.new_claim(T1)
    uploaded = api.as_(T1).upload(draft["id"], png(), "proof.png")
    assert uploaded.status_code == 201, uploaded.get_json()
    submitted = api.submitted_claim(T1)                      # open unit review task
    approved = api.new_claim(T2, title="培训")
    assert api.as_(T2).upload(approved["id"], pdf(), "b.pdf").status_code == 201
    assert api.as_(T2).post(f"/claims/{approved['id']}/submit").status_code == 200
    assert api.decide(REVIEWER, approved["id"], "approve", hours=16).status_code == 200
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": api.world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"})
    assert transfer.status_code == 201, transfer.get_json()
    change = api.as_(REVIEWER).post(f"/units/{api.world.unit1}/parent-change", json={
        "new_parent_id": api.world.city_b, "reason": "业务划归建设局管理"})
    assert change.status_code == 201, change.get_json()
    return {"draft": draft["id"], "file": uploaded.get_json()["id"], "submitted": submitted["id"],
            "transfer": transfer.get_json()["id"], "unit_change": change.get_json()["id"]}


def _run(case, app, api, username: str) -> None:
    if case.operation.label == "POST /api/v1/auth/logout":
        api._tokens.pop(username, None)  # logout revokes the token: a fresh one for every example
    token = api.as_(username).token
    case.operation.schema.app = app  # probes (ignored_auth) use the schema's transport
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


FUZZ = settings(max_examples=30, derandomize=True, deadline=None, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])


@schema.parametrize()
@FUZZ
def test_api_as_trainee(case, app, api, seeded):
    _run(case, app, api, T1)


@schema.parametrize()
@FUZZ
def test_api_as_reviewer(case, app, api, seeded):
    _run(case, app, api, REVIEWER)


@schema.include(method="GET").parametrize()
@FUZZ
def test_read_api_as_auditor(case, app, api, seeded):
    _run(case, app, api, AUDITOR)


@pytest.fixture
def january(app, api, clock) -> dict[str, int]:
    """10 January next year: T1's supplement of this year's exam route, agreed, with an entry and a
    proof (record, entry and file ids 1), so that the generated calls reach its rules."""
    from tests.integration.test_supplementary import agreed, entry, next_january, upload
    year = next_january(app, api, clock)
    record = agreed(api, year)
    assert api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(year)).status_code == 201
    assert upload(api, record["id"]).status_code == 201
    return record


@schema.include(path_regex="^/api/v1/supplementary").parametrize()
@FUZZ
def test_supplementary_api_in_its_window(case, app, api, january):
    _run(case, app, api, T1)


# -- the success paths the generator rarely reaches ----------------------------------------
def _conforms(label: str, response, status: int):
    """The response has the expected status, declared on the operation, and matches its schema."""
    assert response.status_code == status, (label, response.status_code, response.data[:300])
    operation = schema.find_operation_by_label(label)
    assert str(status) in operation.definition.raw["responses"], f"{label} does not declare {status}"
    operation.validate_response(response)
    return response.get_json(silent=True)


def _valid_id_number(first17: str) -> str:
    from app.domain.idnumber import check_digit
    return first17 + check_digit(first17)


def test_successful_writes_conform_to_the_document(api, seeded):
    """Schema-valid bodies rarely pass the business rules, so the fuzzing mostly sees 4xx on writes:
    walk every write operation's success path once and check each answer against the document."""
    t1, year = api.as_(T1), date.today().year
    claim = _conforms("POST /api/v1/claims", t1.post("/claims", json={
        "year": year, "route": "seminar", "title": "省级研修班", "details": {"level": "provincial"},
        "hours_requested": 12}), 201)
    cid = claim["id"]
    _conforms("PATCH /api/v1/claims/{claim_id}", t1.patch(f"/claims/{cid}", json={"title": "省级研修班（补）"}), 200)
    proof = _conforms("POST /api/v1/claims/{claim_id}/files", t1.upload(cid, pdf(), "证明.pdf"), 201)
    extra = _conforms("POST /api/v1/claims/{claim_id}/files", t1.upload(cid, png(), "extra.png"), 201)
    _conforms("DELETE /api/v1/claims/{claim_id}/files/{file_id}", t1.delete(f"/claims/{cid}/files/{extra['id']}"),
              204)
    _conforms("POST /api/v1/claims/{claim_id}/submit", t1.post(f"/claims/{cid}/submit"), 200)
    _conforms("POST /api/v1/claims/{claim_id}/withdraw", t1.post(f"/claims/{cid}/withdraw"), 200)
    _conforms("POST /api/v1/claims/{claim_id}/submit", t1.post(f"/claims/{cid}/submit"), 200)
    reviewer = api.as_(REVIEWER)
    task = api.task_for(REVIEWER, cid)
    _conforms("GET /api/v1/tasks/{task_id}", reviewer.get(f"/tasks/{task['id']}"), 200)
    _conforms("POST /api/v1/tasks/{task_id}/claim", reviewer.post(f"/tasks/{task['id']}/claim"), 200)
    _conforms("POST /api/v1/tasks/{task_id}/unclaim", reviewer.post(f"/tasks/{task['id']}/unclaim"), 200)
    _conforms("POST /api/v1/tasks/{task_id}/complete", reviewer.post(
        f"/tasks/{task['id']}/complete", json={"decision": "approve", "hours": 12, "comment": "材料齐全\n同意"}), 200)
    authority = api.task_for("authority_reviewer", cid)
    _conforms("POST /api/v1/tasks/batch", api.as_("authority_reviewer").post("/tasks/batch", json={
        "task_ids": [authority["id"], 2**31 - 1], "decision": "approve", "hours": 12}), 200)
    _conforms("GET /api/v1/claims/{claim_id}", t1.get(f"/claims/{cid}"), 200)
    _conforms("GET /api/v1/claims/{claim_id}/log", t1.get(f"/claims/{cid}/log", query_string={"per_page": 2}), 200)
    _conforms("GET /api/v1/me/hours", t1.get("/me/hours"), 200)
    _conforms("GET /api/v1/process-instances/{instance_id}/events",
              api.as_(AUDITOR).get(f"/process-instances/{claim['instance_id'] or 1}/events"), 200)
    assert proof["id"] in [f["id"] for f in t1.get(f"/claims/{cid}").get_json()["files"]]
    gone = api.new_claim(T1)
    _conforms("DELETE /api/v1/claims/{claim_id}", t1.delete(f"/claims/{gone['id']}"), 204)

    profile = {"identity_type": "国有企业", "political_status": "群众", "education": "大学本科",
               "title": "工程师", "title_date": None, "specialty": "公路工程"}
    enrolment = _conforms("POST /api/v1/enrollments", t1.post("/enrollments", json={
        "year": year + 1, "unit_id": api.world.unit2, **profile}), 201)
    assert api.decide("unit_reviewer_b", enrolment["id"], "reject", record_type="enrollment",
                      comment="请改报本单位").status_code == 200
    _conforms("PATCH /api/v1/enrollments/{enrollment_id}", t1.patch(
        f"/enrollments/{enrolment['id']}", json={"unit_id": api.world.unit1}), 200)
    _conforms("POST /api/v1/enrollments/{enrollment_id}/submit", t1.post(f"/enrollments/{enrolment['id']}/submit"),
              200)
    _conforms("GET /api/v1/enrollments/{enrollment_id}", t1.get(f"/enrollments/{enrolment['id']}"), 200)

    id_number = _valid_id_number("11010119900307123")
    _conforms("POST /api/v1/auth/register", api.anonymous.post("/auth/register", json={
        "id_number": id_number, "name": "赵六", "phone": None}), 201)
    token = _conforms("POST /api/v1/auth/token", api.login(id_number, id_number[-6:]), 200)
    newcomer = api.anonymous
    newcomer.token = token["access_token"]
    _conforms("GET /api/v1/me", newcomer.get("/me"), 200)
    _conforms("POST /api/v1/auth/password", newcomer.post("/auth/password", json={
        "old_password": id_number[-6:], "new_password": "a-much-better-one-2026"}), 200)
    _conforms("POST /api/v1/auth/logout", newcomer.post("/auth/logout"), 200)


def test_successful_transfer_and_parent_change_calls_conform_to_the_document(api, seeded):
    """The same for the routes of staff transfers and parent changes, and taking a task."""
    world, filer, target = api.world, api.as_("unit_reviewer_b"), api.as_(REVIEWER)
    _conforms("POST /api/v1/transfers/{transfer_id}/cancel", filer.post(
        f"/transfers/{seeded['transfer']}/cancel", json={}), 200)
    transfer = _conforms("POST /api/v1/transfers", filer.post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "13800000000"}), 201)
    attached = _conforms("POST /api/v1/transfers/{transfer_id}/files", filer.post(
        f"/transfers/{transfer['id']}/files", content_type="multipart/form-data",
        data={"file": (io.BytesIO(pdf()), "调函.pdf")}), 201)
    download = target.get(f"/transfers/{transfer['id']}/files/{attached['id']}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    _conforms("GET /api/v1/transfers", target.get("/transfers", query_string={"direction": "in"}), 200)
    _conforms("GET /api/v1/transfers/{transfer_id}", target.get(f"/transfers/{transfer['id']}"), 200)
    task = api.task_for(REVIEWER, transfer["id"], "transfer")
    _conforms("POST /api/v1/tasks/{task_id}/take", target.post(f"/tasks/{task['id']}/take"), 200)
    _conforms("POST /api/v1/tasks/{task_id}/release", target.post(f"/tasks/{task['id']}/release"), 200)
    _conforms("POST /api/v1/tasks/{task_id}/complete", target.post(
        f"/tasks/{task['id']}/complete", json={"decision": "accept"}), 200)

    _conforms("GET /api/v1/unit-changes/{change_id}", target.get(f"/unit-changes/{seeded['unit_change']}"), 200)
    _conforms("POST /api/v1/unit-changes/{change_id}/cancel", target.post(
        f"/unit-changes/{seeded['unit_change']}/cancel", json={}), 200)
    _conforms("POST /api/v1/units/{org_id}/parent-change", filer.post(
        f"/units/{world.unit2}/parent-change", json={"new_parent_id": world.city_b, "reason": "划转"}), 201)


def test_successful_supplementary_calls_conform_to_the_document(app, api, seeded, clock):
    """The same for supplementary claims: next January, T1 supplements this year's approved claim."""
    from tests.integration.test_supplementary import approved_claim, at, entry
    year = date.today().year
    approved_claim(api, T2)
    at(api, clock, 1, 10, year=year + 1)
    t2 = api.as_(T2)
    asked = _conforms("POST /api/v1/supplementary", t2.post("/supplementary", json={"route": "exam"}), 201)
    sid = asked["id"]
    _conforms("GET /api/v1/supplementary", t2.get("/supplementary"), 200)
    assert api.decide(REVIEWER, sid, "agree", "supplementary").status_code == 200
    first = _conforms("POST /api/v1/supplementary/{record_id}/entries",
                      t2.post(f"/supplementary/{sid}/entries", json=entry(year, 4)), 201)
    _conforms("PUT /api/v1/supplementary/{record_id}/entries/{entry_id}",
              t2.request("PUT", f"/supplementary/{sid}/entries/{first['id']}", json=entry(year, 5)), 200)
    extra = _conforms("POST /api/v1/supplementary/{record_id}/entries",
                      t2.post(f"/supplementary/{sid}/entries", json=entry(year, 1)), 201)
    _conforms("DELETE /api/v1/supplementary/{record_id}/entries/{entry_id}",
              t2.delete(f"/supplementary/{sid}/entries/{extra['id']}"), 204)
    for name in ("a.png", "b.png"):
        proof = _conforms("POST /api/v1/supplementary/{record_id}/files", t2.post(
            f"/supplementary/{sid}/files", content_type="multipart/form-data",
            data={"file": (io.BytesIO(png()), name), "description": "证书"}), 201)
    _conforms("DELETE /api/v1/supplementary/{record_id}/files/{file_id}",
              t2.delete(f"/supplementary/{sid}/files/{proof['id']}"), 204)
    _conforms("POST /api/v1/supplementary/{record_id}/submit", t2.post(f"/supplementary/{sid}/submit"), 200)
    _conforms("GET /api/v1/supplementary/{record_id}", t2.get(f"/supplementary/{sid}"), 200)
    again = _conforms("POST /api/v1/supplementary", t2.post("/supplementary", json={"route": "exam"}), 409)
    assert again["error"]["code"] == "already_requested"
    other = api.as_("unit_reviewer_b").post("/supplementary", json={"route": "exam"})
    assert _conforms("POST /api/v1/supplementary", other, 403)["error"]["message"]
    refused = api.as_(T1).post(f"/supplementary/{sid}/cancel")
    _conforms("POST /api/v1/supplementary/{record_id}/cancel", refused, 404)


# -- regression tests for what the fuzzing found ----------------------------------------
def _error(response) -> dict[str, Any]:
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and set(body) == {"error"}, (response.status_code, response.data[:300])
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


@pytest.mark.parametrize("label", list(EXPECTED))
def test_every_status_an_operation_returns_is_declared(label):
    method, path = label.split(" ", 1)
    declared = {int(code) for code in OPENAPI["paths"][path][method.lower()]["responses"] if code.isdigit()}
    assert EXPECTED[label] - declared == set()


# Found: JsonApi.handle_http_exception built a new response and dropped MethodNotAllowed's
# Allow header (RFC 9110 15.5.6).
@pytest.mark.parametrize("method, path", [("PUT", "/claims"), ("DELETE", "/me"), ("GET", "/auth/token")])
def test_405_lists_the_allowed_methods(api, method, path):
    response = api.as_(T1).request(method, path)
    assert response.status_code == 405 and _error(response)["code"] == "method_not_allowed"
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed, "405 without an Allow header"


# Found: the download declared application/octet-stream while it serves the file's checked type.
def test_download_declares_the_content_types_it_serves(api, seeded):
    response = api.as_(T1).get(f"/claims/{seeded['draft']}/files/{seeded['file']}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    content = OPENAPI["paths"]["/api/v1/claims/{claim_id}/files/{file_id}"]["get"]["responses"]["200"]["content"]
    assert set(content) >= SERVED_PROOF_TYPES


def test_successful_declaration_calls_conform_to_the_document(api, seeded):
    """Unit-declared hours: declare for two people, list, read, approve, verify, download a proof."""
    from tests.integration.test_declarations import body
    unit, authority = api.as_(REVIEWER), api.as_("authority_reviewer")
    made = _conforms("POST /api/v1/declarations", unit.post("/declarations", json=body(id_numbers=[T1, T2])), 201)
    first = made["items"][0]["id"]
    _conforms("GET /api/v1/declarations", unit.get("/declarations", query_string={"tab": "pending"}), 200)
    detail = _conforms("GET /api/v1/declarations/{declaration_id}", unit.get(f"/declarations/{first}"), 200)
    download = unit.get(f"/declarations/{first}/files/{detail['files'][0]['id']}")
    assert download.status_code == 200 and download.mimetype == "image/png"
    assert api.decide("authority_reviewer", first, "approve", record_type="declaration").status_code == 200
    _conforms("POST /api/v1/declarations/{declaration_id}/verification", authority.post(
        f"/declarations/{first}/verification", json={"result": "fail", "reason": "查无记录"}), 200)


# One operation per path id; username that reaches the lookup.
ID_PATHS = [
    ("GET", "/claims/{n}", T1), ("GET", "/claims/{n}/log", T1), ("PATCH", "/claims/{n}", T1),
    ("DELETE", "/claims/{n}", T1),
    ("POST", "/claims/{n}/submit", T1), ("POST", "/claims/{n}/withdraw", T1),
    ("POST", "/claims/{n}/files", T1), ("GET", "/claims/{n}/files/1", T1),
    ("DELETE", "/claims/{n}/files/1", T1), ("GET", "/claims/1/files/{n}", T1),
    ("GET", "/enrollments/{n}", T1), ("PATCH", "/enrollments/{n}", T1), ("POST", "/enrollments/{n}/submit", T1),
    ("GET", "/tasks/{n}", REVIEWER), ("POST", "/tasks/{n}/claim", REVIEWER),
    ("POST", "/tasks/{n}/unclaim", REVIEWER), ("POST", "/tasks/{n}/complete", REVIEWER),
    ("POST", "/tasks/{n}/take", REVIEWER), ("POST", "/tasks/{n}/release", REVIEWER),
    ("GET", "/transfers/{n}", REVIEWER), ("POST", "/transfers/{n}/cancel", REVIEWER),
    ("POST", "/transfers/{n}/files", REVIEWER), ("GET", "/transfers/1/files/{n}", REVIEWER),
    ("POST", "/units/{n}/parent-change", REVIEWER), ("GET", "/unit-changes/{n}", REVIEWER),
    ("POST", "/unit-changes/{n}/cancel", REVIEWER),
    ("GET", "/declarations/{n}", REVIEWER), ("POST", "/declarations/{n}/verification", REVIEWER),
    ("GET", "/declarations/1/files/{n}", REVIEWER),
    ("GET", "/process-instances/{n}", AUDITOR), ("GET", "/process-instances/{n}/events", AUDITOR),
]
# Found: path ids beyond the INTEGER id columns reached the database (OverflowError, a 500, on
# SQLite from 2**63; a 422 on PostgreSQL from 2**31). The app's int converter now stops at 2**31-1.
@pytest.mark.parametrize("method, path, username, n", [
    pytest.param(method, path, username, n, id=f"{method} {path} n=2^{n.bit_length() - 1}")
    for method, path, username in ID_PATHS for n in (2**31, 2**63, 10**4000)])
def test_ids_beyond_the_id_column_are_not_found(api, seeded, method, path, username, n):
    kwargs: dict[str, Any] = {"json": {}} if method == "PATCH" else {}
    if path.endswith("/complete"):
        kwargs = {"json": {"decision": "approve"}}
    if path.endswith("/files"):
        kwargs = {"content_type": "multipart/form-data",
                  "data": {"file": (io.BytesIO(png()), "a.png"), "description": "证明"}}
    response = api.as_(username).request(method, path.format(n=n), **kwargs)
    assert response.status_code == 404, (response.status_code, response.data[:300])
    assert _error(response)["code"] == "not_found"


# Found: ids in JSON bodies were not range-checked (500 on SQLite from 2**63, a 422 without the
# field on PostgreSQL from 2**31). Now validate=Range(1, 2**31 - 1).
@pytest.mark.parametrize("case, n", [pytest.param(c, n, id=f"{c} n=2^{n.bit_length() - 1}")
                                     for c in ("batch", "enrol", "patch-enrolment") for n in (2**31, 2**63)])
def test_ids_beyond_the_id_column_in_bodies_are_refused(api, seeded, case, n):
    profile = {"identity_type": "国有企业", "political_status": "群众", "education": "大学本科",
               "title": "工程师", "specialty": "公路工程"}
    next_year = date.today().year + 1
    if case == "batch":
        response = api.as_(REVIEWER).post("/tasks/batch", json={"task_ids": [n], "decision": "approve"})
        if response.status_code == 200:  # refused item by item is as good as refused as a whole
            [item] = response.get_json()["results"]
            assert (item["ok"], item["status"]) == (False, 404)
            return
        field = "task_ids"
    elif case == "enrol":
        response = api.as_(T1).post("/enrollments", json={"year": next_year, "unit_id": n, **profile})
        field = "unit_id"
    else:  # only a rejected enrolment may be edited
        created = api.as_(T1).post("/enrollments", json={"year": next_year, "unit_id": api.world.unit2, **profile})
        assert created.status_code == 201, created.get_json()
        rejected = api.decide("unit_reviewer_b", created.get_json()["id"], "reject", record_type="enrollment",
                              comment="单位不符")
        assert rejected.status_code == 200, rejected.get_json()
        response = api.as_(T1).patch(f"/enrollments/{created.get_json()['id']}", json={"unit_id": n})
        field = "unit_id"
    assert response.status_code == 422, (response.status_code, response.data[:300])
    assert field in _error(response).get("fields", {})


# Found: parse_hours quantized before any upper bound; 1e308.quantize(Decimal("0.1")) needs more than
# the decimal context's 28 digits (InvalidOperation, a 500). Now bounded first, and in the schemas.
@pytest.mark.parametrize("where", ["create", "patch", "complete", "batch"])
@pytest.mark.parametrize("hours", [1e308, 123456789012345678901234567890], ids=["1e308", "30-digits"])
def test_hours_too_large_for_the_decimal_context_are_refused(api, seeded, where, hours):
    if where == "create":
        response = api.as_(T1).post("/claims", json={
            "year": date.today().year, "route": "exam", "title": "x", "details": {"subjects_passed": 2},
            "hours_requested": hours})
        field = "hours_requested"
    elif where == "patch":
        response = api.as_(T1).patch(f"/claims/{seeded['draft']}", json={"hours_requested": hours})
        field = "hours_requested"
    else:
        task = api.task_for(REVIEWER, seeded["submitted"])
        form = {"decision": "approve", "hours": hours}
        if where == "complete":
            response = api.as_(REVIEWER).post(f"/tasks/{task['id']}/complete", json=form)
        else:
            response = api.as_(REVIEWER).post("/tasks/batch", json={"task_ids": [task["id"]], **form})
            if response.status_code == 200:  # refused item by item is as good as refused as a whole
                [item] = response.get_json()["results"]
                assert (item["ok"], item["status"]) == (False, 422)
                return
        field = "hours"
    assert response.status_code == 422, (response.status_code, response.data[:300])
    assert field in _error(response).get("fields", {})


# Found: _choice (app/domain/routes.py) did `value not in choices` on any JSON value; a list or
# object raised TypeError (unhashable).
@pytest.mark.parametrize("route, details", [
    ("seminar", {"level": []}), ("research", {"level": ["national"], "rank": 1}),
    ("paper", {"journal": {"core": 1}, "rank": 1})])
def test_unhashable_route_choices_are_refused(api, seeded, route, details):
    body = {"year": date.today().year, "route": route, "title": "x", "details": details, "hours_requested": 6}
    created = api.as_(T1).post("/claims", json=body)
    assert created.status_code == 422, (created.status_code, created.data[:300])
    patched = api.as_(T1).patch(f"/claims/{seeded['draft']}", json={"route": route, "details": details})
    assert patched.status_code == 422, (patched.status_code, patched.data[:300])
    assert any(key.startswith("details") for key in _error(patched).get("fields", {}))


# Found: json.loads raises RecursionError on deep nesting, which webargs did not turn into a 400
# (app/api/v1/blueprint.py now does).
def test_deeply_nested_json_is_a_bad_request(api):
    depth = 100_000
    body = '{"year": 2026, "route": "exam", "title": "x", "details": {"a": ' + "[" * depth + "]" * depth + "}}"
    response = api.as_(T1).post("/claims", data=body, content_type="application/json")
    assert response.status_code == 400 and _error(response)["code"] == "bad_request"
