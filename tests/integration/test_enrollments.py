"""Annual enrolment (报名): first enrolment, rejection and resubmission, re-enrolment, refusals."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import HumanTask
from tests.support.people import ENROLMENT_PROFILE, NEW_TRAINEE_ID, OTHER_TRAINEE_ID, make_trainee
from tests.support.world import T1, T2, T3

YEAR = date.today().year
NEWCOMER = NEW_TRAINEE_ID


@pytest.fixture
def newcomer(app, world) -> int:
    return make_trainee(app, NEWCOMER, "赵敏")


def _enrol(api, who: str, year: int, unit_id: int, **changes):
    return api.as_(who).post("/enrollments", json={"year": year, "unit_id": unit_id,
                                                   **ENROLMENT_PROFILE, **changes})


def _get(api, who: str, enrollment_id: int) -> dict:
    response = api.as_(who).get(f"/enrollments/{enrollment_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _roles(api, who: str) -> list[tuple[str, int | None]]:
    return sorted((r["role"], r["org_id"]) for r in api.as_(who).get("/me").get_json()["roles"])


def _registration_tasks(app, enrollment_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(HumanTask).where(
            HumanTask.record_type == "enrollment", HumanTask.record_id == enrollment_id)
            .order_by(HumanTask.id)).all()
        return [(r.task_spec, r.status) for r in rows]


@pytest.fixture
def rejected(api, world, newcomer) -> dict:
    """The newcomer's first enrolment with unit 1, rejected by the unit with a reason."""
    enrolment = _enrol(api, NEWCOMER, YEAR, world.unit1).get_json()
    response = api.decide("unit_reviewer", enrolment["id"], "reject", record_type="enrollment",
                          comment="职称证书信息不符")
    assert response.status_code == 200, response.get_json()
    return enrolment


def test_first_enrolment_waits_for_the_unit(api, world, newcomer):
    assert _roles(api, NEWCOMER) == []
    response = _enrol(api, NEWCOMER, YEAR, world.unit1)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["status_label"]) == ("unit_review", "等待单位审核")
    assert body["unit_id"] == world.unit1 and body["review_comment"] is None
    assert body["trainee"]["name"] == "赵敏" and "****" in body["trainee"]["id_number"]
    assert [e["action"] for e in body["log"]] == ["enroll"]

    task = api.task_for("unit_reviewer", body["id"], "enrollment")
    assert task is not None and task["process"] == "enrollment" and task["year"] == YEAR
    assert "公路工程" in [fact["value"] for fact in task["facts"]] and task["subject"] == "赵敏"
    assert task["title"] == f"{YEAR} · 演示交通工程有限公司"
    assert api.task_for("unit_reviewer_b", body["id"], "enrollment") is None
    assert api.as_("unit_reviewer").get(f"/enrollments/{body['id']}").status_code == 200
    assert api.as_("unit_reviewer_b").get(f"/enrollments/{body['id']}").status_code == 404


def test_rejection_needs_a_reason(api, world, newcomer):
    enrolment = _enrol(api, NEWCOMER, YEAR, world.unit1).get_json()
    refused = api.decide("unit_reviewer", enrolment["id"], "reject", record_type="enrollment")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "comment_required"
    blank = api.decide("unit_reviewer", enrolment["id"], "reject", record_type="enrollment", comment="  ")
    assert blank.status_code == 422
    assert _get(api, NEWCOMER, enrolment["id"])["status"] == "unit_review"


def test_rejected_then_edited_and_approved(api, app, world, rejected):
    after = _get(api, NEWCOMER, rejected["id"])
    assert (after["status"], after["status_label"]) == ("rejected", "审核不通过")
    assert after["review_comment"] == "职称证书信息不符"
    assert api.task_for("unit_reviewer", rejected["id"], "enrollment") is None

    patched = api.as_(NEWCOMER).patch(f"/enrollments/{rejected['id']}", json={"specialty": "桥梁工程"})
    assert patched.status_code == 200 and patched.get_json()["specialty"] == "桥梁工程"
    submitted = api.as_(NEWCOMER).post(f"/enrollments/{rejected['id']}/submit")
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "unit_review"
    assert submitted.get_json()["review_comment"] is None
    task = api.task_for("unit_reviewer", rejected["id"], "enrollment")
    assert task is not None and "桥梁工程" in [fact["value"] for fact in task["facts"]]

    assert api.decide("unit_reviewer", rejected["id"], "approve", record_type="enrollment").status_code == 200
    final = _get(api, NEWCOMER, rejected["id"])
    assert (final["status"], final["status_label"]) == ("approved", "审核通过")
    assert [e["action"] for e in final["log"]] == ["unit_review", "resubmit", "edit", "unit_review", "enroll"]
    assert _roles(api, NEWCOMER) == [("trainee", world.unit1)]
    assert _registration_tasks(app, rejected["id"]) == [
        ("unit_review", "completed"), ("revise", "completed"), ("unit_review", "completed")]


def test_changing_the_unit_moves_the_review(api, world, rejected):
    assert api.as_(NEWCOMER).patch(f"/enrollments/{rejected['id']}",
                                   json={"unit_id": world.unit2}).status_code == 200
    assert api.as_(NEWCOMER).post(f"/enrollments/{rejected['id']}/submit").status_code == 200
    assert api.task_for("unit_reviewer", rejected["id"], "enrollment") is None
    task = api.task_for("unit_reviewer_b", rejected["id"], "enrollment")
    assert task is not None and task["title"] == f"{YEAR} · 演示公路养护有限公司"
    assert api.as_("unit_reviewer").get(f"/enrollments/{rejected['id']}").status_code == 404

    approved = api.decide("unit_reviewer_b", rejected["id"], "approve", record_type="enrollment")
    assert approved.status_code == 200
    final = _get(api, NEWCOMER, rejected["id"])
    assert final["status"] == "approved" and final["unit_id"] == world.unit2
    assert _roles(api, NEWCOMER) == [("trainee", world.unit2)]


def test_only_a_rejected_enrolment_can_be_edited_or_resubmitted(api, world, newcomer):
    enrolment = _enrol(api, NEWCOMER, YEAR, world.unit1).get_json()
    for response in (api.as_(NEWCOMER).patch(f"/enrollments/{enrolment['id']}", json={"specialty": "隧道"}),
                     api.as_(NEWCOMER).post(f"/enrollments/{enrolment['id']}/submit")):
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_editable"
    assert _get(api, NEWCOMER, enrolment["id"])["specialty"] == "公路工程"


def test_edit_is_validated(api, world, rejected):
    for body in ({"unit_id": world.city}, {"unit_id": 999999}, {"education": "小学"}, {"specialty": "  "}):
        response = api.as_(NEWCOMER).patch(f"/enrollments/{rejected['id']}", json=body)
        assert response.status_code == 422, body
        assert set(response.get_json()["error"]["fields"]) == set(body)
    assert _get(api, NEWCOMER, rejected["id"])["unit_id"] == world.unit1


# -- re-enrolment --------------------------------------------------------------------

def test_same_unit_next_year_is_approved_at_once(api, app, world):
    response = _enrol(api, T1, YEAR + 1, world.unit1)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["status_label"]) == ("approved", "审核通过")
    assert _registration_tasks(app, body["id"]) == []
    assert api.task_for("unit_reviewer", body["id"], "enrollment") is None
    actions = [e["action"] for e in body["log"]]
    assert "auto_approve" in actions and actions[-1] == "enroll"
    assert body["log"][0]["remark"] == "同一单位再次报名，无需审核。"
    assert _roles(api, T1) == [("trainee", world.unit1)]


def test_other_unit_next_year_needs_review(api, app, world):
    body = _enrol(api, T1, YEAR + 1, world.unit2).get_json()
    assert body["status"] == "unit_review"
    assert _registration_tasks(app, body["id"]) == [("unit_review", "open")]
    assert api.task_for("unit_reviewer_b", body["id"], "enrollment") is not None
    assert api.task_for("unit_reviewer", body["id"], "enrollment") is None


def test_enrolling_twice_for_a_year_is_refused(api, world):
    response = _enrol(api, T1, YEAR, world.unit1)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_enrolled"
    assert api.as_(T1).get("/enrollments").get_json()["total"] == 1


@pytest.mark.parametrize("changes, field", [
    ({"identity_type": "外星人"}, "identity_type"),
    ({"political_status": "未知"}, "political_status"),
    ({"title": "院士"}, "title"),
    ({"unit_id": 999999}, "unit_id"),
    ({"specialty": ""}, "specialty"),
    ({"year": YEAR - 1}, "year"),
    ({"year": YEAR + 2}, "year"),
])
def test_invalid_enrolment_is_422_with_fields(api, world, newcomer, changes, field):
    response = _enrol(api, NEWCOMER, **{"year": YEAR, "unit_id": world.unit1, **changes})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert api.as_(NEWCOMER).get("/enrollments").get_json()["total"] == 0


def test_authority_is_not_a_unit(api, world, newcomer):
    response = _enrol(api, NEWCOMER, YEAR, world.city)
    assert response.status_code == 422 and "unit_id" in response.get_json()["error"]["fields"]


def test_staff_cannot_enrol(api, world):
    response = _enrol(api, "unit_reviewer", YEAR, world.unit1)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_enrolments_of_others_are_not_found(api, app, world):
    t1_enrolment = api.as_(T1).get("/enrollments").get_json()["items"][0]
    for who in (T2, T3):
        assert api.as_(who).get(f"/enrollments/{t1_enrolment['id']}").status_code == 404
    make_trainee(app, OTHER_TRAINEE_ID, "钱多")
    assert api.as_(OTHER_TRAINEE_ID).get("/enrollments").get_json() == {"items": [], "total": 0}
    assert api.as_(OTHER_TRAINEE_ID).get(f"/enrollments/{t1_enrolment['id']}").status_code == 404
    for response in (api.as_(T2).patch(f"/enrollments/{t1_enrolment['id']}", json={"specialty": "x"}),
                     api.as_(T2).post(f"/enrollments/{t1_enrolment['id']}/submit")):
        assert response.status_code == 404
    assert api.as_("auditor").get(f"/enrollments/{t1_enrolment['id']}").status_code == 200
