"""The reviewer's inbox (GET /tasks): filters, pagination, item shape, and batch decisions."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import HumanTask, TaskCandidate
from tests.support.people import ENROLMENT_PROFILE, NEW_TRAINEE_ID, make_trainee, make_user
from tests.support.world import T1, T2, T3

YEAR = date.today().year


def _tasks(api, who: str, **query) -> dict:
    response = api.as_(who).get("/tasks", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _records(body: dict) -> list[tuple[str, int]]:
    return [(item["record"]["type"], item["record"]["id"]) for item in body["items"]]


def _enrol_newcomer(api, app, world, year: int = YEAR) -> dict:
    make_trainee(app)
    response = api.as_(NEW_TRAINEE_ID).post("/enrollments", json={
        "year": year, "unit_id": world.unit1, **ENROLMENT_PROFILE})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_filter_by_process(api, app, world):
    claim = api.submitted_claim(T1)
    enrolment = _enrol_newcomer(api, app, world)
    assert _records(_tasks(api, "unit_reviewer")) == [("claim", claim["id"]), ("enrollment", enrolment["id"])]
    claims_only = _tasks(api, "unit_reviewer", process="credit_claim")
    assert _records(claims_only) == [("claim", claim["id"])] and claims_only["total"] == 1
    registrations = _tasks(api, "unit_reviewer", process="enrollment")
    assert _records(registrations) == [("enrollment", enrolment["id"])]
    assert registrations["items"][0]["process"] == "enrollment"
    assert _tasks(api, "unit_reviewer", process="nothing_like_this")["total"] == 0
    # the demo enrolments of T1 and T2 were approved by this reviewer
    done = _tasks(api, "unit_reviewer", process="enrollment", status="completed")
    assert done["total"] == 2 and {i["decision"] for i in done["items"]} == {"approve"}


def test_filter_by_status(api, app, world):
    make_user(app, "unit_reviewer_2", "工程公司审核员二", roles=[("reviewer", world.unit1)])
    first, second, third = (api.submitted_claim(t) for t in (T1, T2, T1))
    first_task = api.task_for("unit_reviewer", first["id"])
    assert api.as_("unit_reviewer").post(f"/tasks/{first_task['id']}/claim").status_code == 200
    assert api.decide("unit_reviewer", third["id"], "approve").status_code == 200

    claim_records = {"process": "credit_claim"}
    assert _records(_tasks(api, "unit_reviewer", **claim_records)) == [
        ("claim", first["id"]), ("claim", second["id"])]
    held = [("claim", first["id"])]
    assert _records(_tasks(api, "unit_reviewer", status="claimed", **claim_records)) == held
    assert _records(_tasks(api, "unit_reviewer_2", status="claimed", **claim_records)) == held
    assert _records(_tasks(api, "unit_reviewer", status="mine", **claim_records)) == held
    assert _tasks(api, "unit_reviewer_2", status="mine")["total"] == 0
    assert _records(_tasks(api, "unit_reviewer_2", status="unclaimed", **claim_records)) == [
        ("claim", second["id"])]
    completed = _tasks(api, "unit_reviewer", status="completed", **claim_records)
    assert _records(completed) == [("claim", third["id"])]
    assert completed["items"][0]["status"] == "completed" and completed["items"][0]["completed_at"]
    assert _records(_tasks(api, "authority_reviewer", **claim_records)) == [("claim", third["id"])]


def test_filter_by_year(api, app, world):
    claim = api.submitted_claim(T1)
    enrolment = _enrol_newcomer(api, app, world, year=YEAR + 1)
    assert _records(_tasks(api, "unit_reviewer", year=YEAR + 1)) == [("enrollment", enrolment["id"])]
    assert _records(_tasks(api, "unit_reviewer", year=YEAR)) == [("claim", claim["id"])]
    assert _tasks(api, "unit_reviewer", year=YEAR - 1)["total"] == 0


def test_pagination(api):
    claims = [api.submitted_claim(t) for t in (T1, T2, T1, T2, T1)]
    expected = [("claim", c["id"]) for c in claims]
    pages = [_tasks(api, "unit_reviewer", per_page=2, page=n) for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert [(p["page"], p["per_page"]) for p in pages] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    assert sum((_records(p) for p in pages), []) == expected  # oldest first, no overlap


def test_a_reviewer_of_two_units_pages_through_both(api, app, world):
    """Several branches (two reviewer roles and the person): pages in order, none twice, the
    count right, also for a task listed under both of the reviewer's units."""
    make_user(app, "two_units", "两单位审核员", roles=[("reviewer", world.unit1), ("reviewer", world.unit2),
                                                       ("trainee", world.unit1)])
    claims = [api.submitted_claim(t) for t in (T1, T3, T2, T3, T1, T3, T2)]  # units 1, 2, 1, 2, ...
    expected = sorted(("claim", c["id"]) for c in claims)
    with app.app_context():  # one task also offered to unit 2 (a task may name several organisations)
        task_id = db.session.scalar(db.select(HumanTask.id).where(
            HumanTask.record_type == "claim", HumanTask.record_id == claims[0]["id"], HumanTask.status == "open"))
        db.session.add(TaskCandidate(task_id=task_id, role="reviewer", org_id=world.unit2, status="open",
                                     process_key="credit_claim"))
        db.session.commit()
    for sort, order in (("oldest", expected), ("newest", expected[::-1])):
        pages = [_tasks(api, "two_units", per_page=3, page=n, sort=sort) for n in (1, 2, 3, 4)]
        assert [p["total"] for p in pages] == [7] * 4, sort
        assert sum((_records(p) for p in pages), []) == order, sort
    assert _tasks(api, "two_units", process="credit_claim", per_page=100)["total"] == 7
    assert _tasks(api, "two_units", process="enrollment")["total"] == 0
    unit2_only = [("claim", c["id"]) for c in claims if c["id"] in (claims[1]["id"], claims[3]["id"], claims[5]["id"])]
    assert _records(_tasks(api, "unit_reviewer_b", per_page=100)) == sorted(unit2_only + [("claim", claims[0]["id"])])


@pytest.mark.parametrize("query", [{"per_page": 0}, {"per_page": 101}, {"page": 0},
                                   {"status": "bogus"}, {"year": 1999}])
def test_bad_inbox_queries_are_422(api, query):
    response = api.as_("unit_reviewer").get("/tasks", query_string=query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["fields"]


def test_items_carry_a_record_and_a_masked_summary(api):
    claim = api.submitted_claim(T1, hours_requested=12.5, details={"subjects_passed": 2})
    item = _tasks(api, "unit_reviewer")["items"][0]
    assert item["record"] == {"type": "claim", "id": claim["id"]}
    assert item["process"] == "credit_claim" and item["task"] == "unit_review"
    assert item["status"] == "open" and item["assignee_id"] is None and item["year"] == YEAR
    assert item["subject"] == "张伟" and item["title"] == "【省级】资格证书考试"
    masked = item["subject_id_number"]
    assert "****" in masked and T1 not in masked
    assert masked[:10] == T1[:10] and masked[-4:] == T1[-4:]
    facts = {fact["label"]: fact["value"] for fact in item["facts"]}
    assert facts["登记类别"] == "参加资格证书考试"  # in the reader's language (zh by default)
    assert facts["申请/审核学时"] == "12.5 / -"


def test_trainee_inbox_holds_only_their_own_tasks(api):
    mine = api.new_claim(T1)
    theirs = api.new_claim(T2)
    assert _records(_tasks(api, T1)) == [("claim", mine["id"])]
    assert _records(_tasks(api, T2)) == [("claim", theirs["id"])]
    assert _tasks(api, "unit_reviewer")["total"] == 0  # drafts wait for nobody else


# -- batch ---------------------------------------------------------------------------

def test_batch_results_follow_the_input_order(api):
    unit1 = [api.submitted_claim(t) for t in (T1, T2, T1)]
    unit2 = api.submitted_claim(T3)
    ids = [api.task_for("unit_reviewer", c["id"])["id"] for c in unit1]
    other = api.task_for("unit_reviewer_b", unit2["id"])["id"]
    unknown = 999999
    sent = [ids[2], other, ids[0], unknown, ids[2], ids[1]]

    response = api.as_("unit_reviewer").post("/tasks/batch", json={"task_ids": sent, "decision": "approve"})
    assert response.status_code == 200
    body = response.get_json()
    results = body["results"]
    assert [r["task_id"] for r in results] == [ids[2], other, ids[0], unknown, ids[1]]
    assert [(r["ok"], r["status"]) for r in results] == [
        (True, 200), (False, 403), (True, 200), (False, 404), (True, 200)]
    assert results[1]["error"]["code"] == "forbidden"
    assert results[3]["error"]["code"] == "not_found"
    assert (body["succeeded"], body["failed"]) == (3, 2)

    for claim in unit1:
        trainee = T1 if claim["trainee"]["id"] == api.world.user[T1] else T2
        after = api.claim(trainee, claim["id"])
        assert after["status"] == "authority_review" and after["hours_reviewed"] == 16.0
    assert api.claim(T3, unit2["id"])["status"] == "unit_review"
    assert api.task_for("unit_reviewer_b", unit2["id"])["status"] == "open"
    assert len(_tasks(api, "authority_reviewer", process="credit_claim")["items"]) == 3


def test_batch_item_refusal_does_not_undo_the_others(api):
    first, second = api.submitted_claim(T1), api.submitted_claim(T2)
    ids = [api.task_for("unit_reviewer", c["id"])["id"] for c in (first, second)]
    assert api.decide("unit_reviewer", second["id"], "approve").status_code == 200  # now closed
    body = api.as_("unit_reviewer").post("/tasks/batch", json={
        "task_ids": ids, "decision": "reject", "comment": "材料不全"}).get_json()
    assert [(r["ok"], r["status"]) for r in body["results"]] == [(True, 200), (False, 409)]
    assert body["results"][1]["error"]["code"] == "task_closed"
    assert api.claim(T1, first["id"])["status"] == "unit_rejected"
    assert api.claim(T2, second["id"])["status"] == "authority_review"


def test_batch_applies_the_form_checks_to_each_item(api):
    claim = api.submitted_claim(T1)
    task_id = api.task_for("unit_reviewer", claim["id"])["id"]
    body = api.as_("unit_reviewer").post("/tasks/batch", json={"task_ids": [task_id],
                                                                "decision": "reject"}).get_json()
    assert body["results"][0]["status"] == 422
    assert body["results"][0]["error"]["code"] == "comment_required"
    assert api.claim(T1, claim["id"])["status"] == "unit_review"


@pytest.mark.parametrize("payload", [{"task_ids": [], "decision": "approve"},
                                     {"task_ids": ["1"], "decision": "approve"},
                                     {"task_ids": [1], "decision": "Maybe!"},
                                     {"task_ids": [1]}])
def test_malformed_batch_is_422(api, payload):
    assert api.as_("unit_reviewer").post("/tasks/batch", json=payload).status_code == 422


def test_a_decision_the_step_does_not_offer_fails_each_item(api):
    """Decisions are whatever each step's diagram declares: checked per task, not by the schema."""
    claim = api.submitted_claim(T1)
    task_id = api.task_for("unit_reviewer", claim["id"])["id"]
    body = api.as_("unit_reviewer").post("/tasks/batch", json={"task_ids": [task_id], "decision": "maybe"})
    assert body.status_code == 200
    result = body.get_json()["results"][0]
    assert (result["status"], result["error"]["code"]) == (422, "invalid_decision")
    assert "通过" in result["error"]["message"]  # it names the step's own decisions
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
