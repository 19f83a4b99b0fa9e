"""Staff transfers (人员调转) over the API: filing, accepting, refusing, cancelling, who sees what."""
from __future__ import annotations

import io
import time
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import RoleAssignment
from app.processes.enrollment.models import Enrollment
from app.services import consistency
from tests.support.files import png
from tests.support.races import run_together
from tests.support.world import T1, T3, T4

YEAR = date.today().year


def _file(api, who: str = "unit_reviewer_b", id_number: str = T3, **changes):
    body = {"id_number": id_number, "to_unit_id": api.world.unit1, "reason": "工作调动",
            "contact_name": "王经理", "contact_phone": "0571-88888888", **changes}
    return api.as_(who).post("/transfers", json=body)


def _filed(api, **changes) -> dict:
    response = _file(api, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _transfer(api, who: str, transfer_id: int) -> dict:
    response = api.as_(who).get(f"/transfers/{transfer_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _roles(api, who: str) -> list[tuple[str, int]]:
    return sorted((r["role"], r["org_id"]) for r in api.as_(who).get("/me").get_json()["roles"])


def test_filed_it_waits_for_the_target_unit(api, world):
    transfer = _filed(api)
    assert (transfer["status"], transfer["status_label"]) == ("pending", "待转入")
    assert transfer["from_unit"]["id"] == world.unit2 and transfer["to_unit"]["id"] == world.unit1
    assert transfer["person"]["name"] == "王强" and "****" in transfer["person"]["id_number"]
    assert [step["waiting_for"] for step in transfer["waiting"]] == [["演示交通工程有限公司"]]
    task = api.task_for("unit_reviewer", transfer["id"], "transfer")
    assert task is not None and task["process"] == "staff_transfer" and task["subject"] == "王强"
    assert task["title"] == "演示公路养护有限公司 → 演示交通工程有限公司"
    assert api.task_for("unit_reviewer_b", transfer["id"], "transfer") is None  # the filing unit does not decide
    assert [e["action"] for e in transfer["log"]] == ["file"]


def test_accepted_the_person_moves_with_their_records(api, app, world):
    claim_in_review = api.submitted_claim(T3)  # waits for 养护公司's review
    draft = api.new_claim(T3, title="转出前的草稿")
    transfer = _filed(api)
    response = api.decide("unit_reviewer", transfer["id"], "accept", record_type="transfer", comment="欢迎")
    assert response.status_code == 200, response.get_json()
    after = _transfer(api, "unit_reviewer_b", transfer["id"])
    assert (after["status"], after["status_label"]) == ("accepted", "同意转入") and after["moved_at"]
    assert ("trainee", world.unit1) in _roles(api, T3) and ("trainee", world.unit2) not in _roles(api, T3)
    with app.app_context():
        enrolment = db.session.scalar(db.select(Enrollment).where(
            Enrollment.trainee_id == world.user[T3], Enrollment.year == YEAR))
        assert enrolment.unit_id == world.unit1 and enrolment.approved_at is not None
    log = api.as_(T3).get(f"/enrollments/{enrolment.id}").get_json()["log"]
    assert log[0]["action"] == "unit_moved"

    # The claim already under review stays with the old unit; the next ones go to the new unit.
    assert api.task_for("unit_reviewer_b", claim_in_review["id"]) is not None
    assert api.claim(T3, claim_in_review["id"])["status"] == "unit_review"
    api.with_proof(T3, draft["id"])
    assert api.as_(T3).post(f"/claims/{draft['id']}/submit").status_code == 200
    assert api.task_for("unit_reviewer", draft["id"]) is not None
    assert api.task_for("unit_reviewer_b", draft["id"]) is None
    # The person still sees everything of theirs.
    assert api.as_(T3).get(f"/claims/{claim_in_review['id']}").status_code == 200
    assert api.as_(T3).get(f"/transfers/{transfer['id']}").status_code == 200
    with app.app_context():
        assert consistency.check_all().ok


def test_refusing_needs_a_reason_and_moves_nobody(api, world):
    transfer = _filed(api)
    bare = api.decide("unit_reviewer", transfer["id"], "refuse", record_type="transfer")
    assert bare.status_code == 422 and bare.get_json()["error"]["code"] == "comment_required"
    assert api.decide("unit_reviewer", transfer["id"], "refuse", record_type="transfer",
                      comment="编制已满").status_code == 200
    after = _transfer(api, "unit_reviewer_b", transfer["id"])
    assert (after["status"], after["status_label"]) == ("refused", "拒绝转入")
    assert after["refusal_reason"] == "编制已满" and after["moved_at"] is None
    assert _roles(api, T3) == [("trainee", world.unit2)]


def test_the_decisions_are_the_steps_own(api):
    transfer = _filed(api)
    wrong = api.decide("unit_reviewer", transfer["id"], "approve", record_type="transfer")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "invalid_decision"
    assert "同意转入" in wrong.get_json()["error"]["message"]
    assert _transfer(api, "unit_reviewer", transfer["id"])["status"] == "pending"


def test_the_filing_unit_may_cancel_while_it_waits(api, world):
    transfer = _filed(api)
    assert api.as_("unit_reviewer").post(f"/transfers/{transfer['id']}/cancel").status_code == 403
    cancelled = api.as_("unit_reviewer_b").post(f"/transfers/{transfer['id']}/cancel", json={"reason": "填错了"})
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["status"], cancelled.get_json()["status_label"]) == ("cancelled", "已撤销")
    assert api.task_for("unit_reviewer", transfer["id"], "transfer") is None
    closed = api.task_for("unit_reviewer", transfer["id"], "transfer", status="cancelled")
    assert closed is not None
    again = api.as_("unit_reviewer_b").post(f"/transfers/{transfer['id']}/cancel")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_cancellable"
    assert _filed(api)["status"] == "pending"  # nothing pending any more: it may be filed again


def test_no_cancelling_once_the_target_unit_decided(api):
    transfer = _filed(api)
    api.decide("unit_reviewer", transfer["id"], "accept", record_type="transfer")
    response = api.as_("unit_reviewer_b").post(f"/transfers/{transfer['id']}/cancel")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_cancellable"
    assert _transfer(api, "unit_reviewer_b", transfer["id"])["status"] == "accepted"


def test_a_trainee_cannot_file_a_transfer(api, world):
    response = _file(api, who=T3)
    assert response.status_code == 403
    assert api.as_(T3).get("/transfers").get_json() == {"items": [], "total": 0}


@pytest.mark.parametrize("changes, field", [
    ({"id_number": T1}, "id_number"),          # a trainee of another unit
    ({"id_number": "110105194912310021"}, "id_number"),  # nobody with this number
    ({"to_unit_id": 2}, "to_unit_id"),          # not a unit (the city authority)
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"reason": "   "}, "reason"),
])
def test_bad_filings_are_refused_with_the_field_named(api, world, changes, field):
    if "to_unit_id" in changes:
        changes = {"to_unit_id": world.city}
    before = api.as_("unit_reviewer_b").get("/transfers").get_json()["total"]
    response = _file(api, **changes)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert all("\u4e00" <= ch <= "\u9fff" or not ch.isalpha() for ch in error["message"]), error["message"]
    assert api.as_("unit_reviewer_b").get("/transfers").get_json()["total"] == before


def test_transfer_to_the_same_unit_is_refused(api, world):
    response = _file(api, to_unit_id=world.unit2)
    assert response.status_code == 422 and "to_unit_id" in response.get_json()["error"]["fields"]


def test_one_pending_transfer_per_person(api):
    _filed(api)
    again = _file(api)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "transfer_pending"


def test_a_person_whose_enrolment_waits_for_review_cannot_be_moved(api, app, world):
    response = api.as_(T3).post("/enrollments", json={"year": YEAR + 1, "unit_id": world.unit1,
                                                      "identity_type": "国有企业", "political_status": "群众",
                                                      "education": "大学本科", "title": "工程师",
                                                      "specialty": "公路工程"})
    assert response.status_code == 201 and response.get_json()["status"] == "unit_review"
    refused = _file(api)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "enrolment_pending"


def test_a_third_unit_sees_neither_the_record_nor_the_task(api, world, third_unit):
    transfer = _filed(api)
    other = api.as_("unit_reviewer_c")
    assert other.get(f"/transfers/{transfer['id']}").status_code == 404
    assert other.get("/transfers").get_json()["total"] == 0
    task = api.task_for("unit_reviewer", transfer["id"], "transfer")
    assert other.get(f"/tasks/{task['id']}").status_code == 403
    assert other.post(f"/tasks/{task['id']}/complete", json={"decision": "accept"}).status_code == 403
    assert other.post(f"/transfers/{transfer['id']}/cancel").status_code == 404
    assert api.as_("authority_reviewer").get(f"/transfers/{transfer['id']}").status_code == 404
    assert _transfer(api, "unit_reviewer", transfer["id"])["status"] == "pending"


def test_both_units_keep_the_record_in_their_lists(api, world):
    transfer = _filed(api)
    outgoing = api.as_("unit_reviewer_b").get("/transfers", query_string={"direction": "out"}).get_json()
    incoming = api.as_("unit_reviewer").get("/transfers", query_string={"direction": "in"}).get_json()
    assert transfer["id"] in [t["id"] for t in outgoing["items"]]
    assert transfer["id"] in [t["id"] for t in incoming["items"]]
    pending = api.as_("unit_reviewer").get("/transfers", query_string={"direction": "in", "status": "pending"})
    assert [t["id"] for t in pending.get_json()["items"]] == [transfer["id"]]
    # the demo's finished transfer (刘洋, accepted) is in both units' records
    done = api.as_("unit_reviewer").get("/transfers", query_string={"status": "accepted"}).get_json()["items"]
    assert [t["person"]["name"] for t in done] == ["刘洋"]
    assert api.as_("unit_reviewer").get("/transfers", query_string={"direction": "sideways"}).status_code == 422


def test_the_demo_transfer_is_finished_and_the_person_moved(api, world):
    assert _roles(api, T4) == [("trainee", world.unit1)]
    transfers = api.as_("unit_reviewer_b").get("/transfers", query_string={"direction": "out"}).get_json()["items"]
    assert [(t["person"]["name"], t["status_label"]) for t in transfers] == [("刘洋", "同意转入")]


def test_an_attachment_while_it_waits_and_not_after(api):
    transfer = _filed(api)
    upload = api.as_("unit_reviewer_b").post(
        f"/transfers/{transfer['id']}/files", content_type="multipart/form-data",
        data={"file": (io.BytesIO(png()), "调函.png")})
    assert upload.status_code == 201, upload.get_json()
    file_id = upload.get_json()["id"]
    assert api.as_("unit_reviewer").get(f"/transfers/{transfer['id']}/files/{file_id}").status_code == 200
    assert _transfer(api, "unit_reviewer", transfer["id"])["files"][0]["filename"] == "调函.png"
    api.decide("unit_reviewer", transfer["id"], "accept", record_type="transfer")
    late = api.as_("unit_reviewer_b").post(
        f"/transfers/{transfer['id']}/files", content_type="multipart/form-data",
        data={"file": (io.BytesIO(png()), "晚了.png")})
    assert late.status_code == 409


def test_the_target_unit_has_fifteen_days(api, clock):
    transfer = _filed(api)
    task = api.task_for("unit_reviewer", transfer["id"], "transfer")
    assert task["due_at"] is not None and not task["overdue"]
    clock.advance(timedelta(days=14, hours=23))
    api.forget_tokens()  # a token lives eight hours
    assert not api.task_for("unit_reviewer", transfer["id"], "transfer")["overdue"]
    clock.advance(timedelta(hours=2))
    api.forget_tokens()
    assert api.task_for("unit_reviewer", transfer["id"], "transfer")["overdue"]


def test_the_person_who_moved_is_staff_of_the_new_unit_only(api, app, world):
    transfer = _filed(api)
    api.decide("unit_reviewer", transfer["id"], "accept", record_type="transfer")
    with app.app_context():
        roles = db.session.scalars(db.select(RoleAssignment).where(
            RoleAssignment.user_id == world.user[T3])).all()
        assert [(r.role, r.org_id) for r in roles] == [("trainee", world.unit1)]


# -- the filing unit cancelling while the target unit accepts ----------------------------------

def test_cancel_racing_the_acceptance(api, app, world, slow_lock):
    transfer = _filed(api)
    task = api.task_for("unit_reviewer", transfer["id"], "transfer")
    filer, target = api.as_("unit_reviewer_b"), api.as_("unit_reviewer")
    started = time.perf_counter()
    cancel, accept = run_together([
        lambda: filer.post(f"/transfers/{transfer['id']}/cancel", json={"reason": "人员不走了"}),
        lambda: target.post(f"/tasks/{task['id']}/complete", json={"decision": "accept"})])
    assert time.perf_counter() - started >= 0.6  # one after the other, under the instance lock
    assert sorted([cancel.status_code, accept.status_code]) == [200, 409], (cancel.get_json(), accept.get_json())
    status = _transfer(api, "unit_reviewer", transfer["id"])["status"]
    person_unit = _roles(api, T3)
    if accept.status_code == 200:  # the acceptance came first: moved, and too late to cancel
        assert cancel.get_json()["error"]["code"] == "not_cancellable"
        assert status == "accepted" and person_unit == [("trainee", world.unit1)]
    else:  # cancelled first: the task was gone, nobody moved
        assert accept.get_json()["error"]["code"] == "task_closed"
        assert status == "cancelled" and person_unit == [("trainee", world.unit2)]
    with app.app_context():
        assert consistency.check_all().ok
