"""Every path of the credit-claim diagram, driven through the HTTP API."""
from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.models import HourEntry, HumanTask
from app.processes.credit_claim.models import ClaimWindow
from app.processes.enrollment.models import Enrollment
from tests.support.world import T1, T3


def _statuses(api, claim_id: int) -> tuple[str, str]:
    claim = api.claim(T1, claim_id)
    return claim["status"], claim["status_label"]


def test_full_approval_credits_the_ledger(api, app):
    claim = api.submitted_claim(T1)
    assert (claim["status"], claim["status_label"]) == ("unit_review", "等待单位审核")

    assert api.decide("unit_reviewer", claim["id"], "approve", hours=16).status_code == 200
    assert _statuses(api, claim["id"]) == ("authority_review", "等待主管部门审核")
    assert api.claim(T1, claim["id"])["hours_reviewed"] == 16.0

    assert api.decide("authority_reviewer", claim["id"], "approve", hours=12).status_code == 200
    final = api.claim(T1, claim["id"])
    assert (final["status"], final["status_label"]) == ("approved", "主管部门审核通过")
    assert final["hours_registered"] == 12.0
    actions = [entry["action"] for entry in final["log"]]
    assert actions == ["authority_review", "unit_review", "submit", "file_add", "create"]

    hours = api.as_(T1).get("/me/hours").get_json()
    assert hours["professional"] == 12.0 and hours["total"] == 12.0
    assert hours["complete"] is False and hours["completion_label"] == "未完成"
    with app.app_context():
        # the claims' entries (the demo declares hours too)
        entries = db.session.scalars(db.select(HourEntry).where(HourEntry.source == "claim")).all()
        assert [(e.source, e.source_id, float(e.hours), e.route) for e in entries] == [
            ("claim", claim["id"], 12.0, "exam")]


def test_unit_rejection_ends_the_claim(api):
    claim = api.submitted_claim(T1)
    refused = api.decide("unit_reviewer", claim["id"], "reject")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "comment_required"
    assert api.decide("unit_reviewer", claim["id"], "reject", comment="材料不全").status_code == 200
    final = api.claim(T1, claim["id"])
    assert (final["status"], final["status_label"]) == ("unit_rejected", "单位审核不通过")
    assert final["log"][0]["remark"] == "不通过。材料不全"
    assert api.task_for("authority_reviewer", claim["id"]) is None
    assert api.as_(T1).post(f"/claims/{claim['id']}/submit").status_code == 409


def test_withdraw_and_resubmit(api, app):
    claim = api.submitted_claim(T1)
    withdrawn = api.as_(T1).post(f"/claims/{claim['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "draft"
    assert api.task_for("unit_reviewer", claim["id"]) is None
    with app.app_context():
        rows = db.session.scalars(db.select(HumanTask).where(
            HumanTask.process_key == "credit_claim", HumanTask.task_spec == "unit_review")).all()
        assert [r.status for r in rows] == ["cancelled"]

    edited = api.as_(T1).patch(f"/claims/{claim['id']}", json={"hours_requested": 8,
                                                              "details": {"subjects_passed": 1}})
    assert edited.status_code == 200 and edited.get_json()["hours_suggested"] == 8.0
    assert api.as_(T1).post(f"/claims/{claim['id']}/submit").status_code == 200
    assert api.decide("unit_reviewer", claim["id"], "approve").status_code == 200
    assert api.claim(T1, claim["id"])["hours_reviewed"] == 8.0  # defaults to the requested hours
    actions = [entry["action"] for entry in api.claim(T1, claim["id"])["log"]]
    assert actions == ["unit_review", "submit", "edit", "withdraw", "submit", "file_add", "create"]


def test_withdraw_refused_once_the_unit_has_acted(api):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve").status_code == 200
    response = api.as_(T1).post(f"/claims/{claim['id']}/withdraw")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_withdrawable"
    assert api.claim(T1, claim["id"])["status"] == "authority_review"


def test_send_back_then_edit_and_resubmit_through_the_unit_again(api):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve").status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "return").status_code == 422
    assert api.decide("authority_reviewer", claim["id"], "return",
                      comment="登记材料有缺失，请重新上传。").status_code == 200
    returned = api.claim(T1, claim["id"])
    assert (returned["status"], returned["status_label"]) == ("returned", "退回修改")
    assert returned["log"][0]["remark"] == "退回修改。登记材料有缺失，请重新上传。"

    assert api.as_(T1).patch(f"/claims/{claim['id']}", json={"title": "【省级】补充材料"}).status_code == 200
    assert api.as_(T1).post(f"/claims/{claim['id']}/submit").status_code == 200
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
    assert api.task_for("authority_reviewer", claim["id"]) is None
    assert api.decide("unit_reviewer", claim["id"], "approve").status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "approve").status_code == 200
    final = api.claim(T1, claim["id"])
    assert final["status"] == "approved" and final["hours_registered"] == 16.0
    assert final["title"] == "【省级】补充材料"


def test_authority_rejection(api):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve").status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "reject", comment="不符合登记条件").status_code == 200
    final = api.claim(T1, claim["id"])
    assert (final["status"], final["status_label"]) == ("authority_rejected", "主管部门审核不通过")
    assert final["hours_registered"] is None
    assert api.as_(T1).get("/me/hours").get_json()["total"] == 0.0


def test_unit_review_cannot_send_back(api):
    claim = api.submitted_claim(T1)
    response = api.decide("unit_reviewer", claim["id"], "return", comment="x")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_decision"
    assert api.claim(T1, claim["id"])["status"] == "unit_review"


def test_cap_is_enforced_for_reviewers(api):
    first = api.submitted_claim(T1, hours_requested=30, details={"subjects_passed": 4})
    assert api.decide("unit_reviewer", first["id"], "approve", hours=30).status_code == 200
    assert api.decide("authority_reviewer", first["id"], "approve", hours=30).status_code == 200

    second = api.submitted_claim(T1, hours_requested=6, details={"subjects_passed": 1})
    over = api.decide("unit_reviewer", second["id"], "approve", hours=8)
    assert over.status_code == 422
    body = over.get_json()["error"]
    assert body["code"] == "cap_exceeded" and "6.0" in body["message"]
    assert api.claim(T1, second["id"])["status"] == "unit_review"
    assert api.decide("unit_reviewer", second["id"], "approve", hours=6).status_code == 200
    assert api.claim(T1, second["id"])["cap_remaining"] == 6.0


def test_cap_is_enforced_at_submission_and_per_route(api):
    first = api.submitted_claim(T1, hours_requested=36, details={"subjects_passed": 5})
    api.decide("unit_reviewer", first["id"], "approve")
    api.decide("authority_reviewer", first["id"], "approve")
    more = api.new_claim(T1, hours_requested=8, details={"subjects_passed": 1})
    api.with_proof(T1, more["id"])
    assert more["cap_remaining"] == 0.0
    response = api.as_(T1).post(f"/claims/{more['id']}/submit")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "cap_exceeded"
    assert api.claim(T1, more["id"])["status"] == "draft"
    other_route = api.submitted_claim(T1, route="training", details={"days": 2}, hours_requested=12)
    assert other_route["status"] == "unit_review"


def test_submission_refused_when_the_window_is_closed(api, app):
    with app.app_context():
        window = db.session.scalar(db.select(ClaimWindow))
        window.closes_on = date.today() - timedelta(days=1)
        db.session.commit()
    claim = api.new_claim(T1)
    response = api.as_(T1).post(f"/claims/{claim['id']}/submit")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "window_closed"
    assert api.claim(T1, claim["id"])["status"] == "draft"


def test_submission_refused_without_an_approved_enrolment(api, app):
    with app.app_context():
        db.session.execute(db.update(Enrollment).where(Enrollment.trainee_id == api.world.user[T3])
                           .values(status="unit_review", approved_at=None))
        db.session.commit()
    claim = api.new_claim(T3)
    response = api.as_(T3).post(f"/claims/{claim['id']}/submit")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_enrolled"
    assert api.claim(T3, claim["id"])["status"] == "draft"


def test_delete_a_draft_only(api):
    draft = api.new_claim(T1)
    assert api.as_(T1).delete(f"/claims/{draft['id']}").status_code == 204
    assert api.as_(T1).get(f"/claims/{draft['id']}").status_code == 404
    submitted = api.submitted_claim(T1)
    response = api.as_(T1).delete(f"/claims/{submitted['id']}")
    assert response.status_code == 409
    assert api.claim(T1, submitted["id"])["status"] == "unit_review"


def test_editing_refused_while_under_review(api):
    claim = api.submitted_claim(T1)
    response = api.as_(T1).patch(f"/claims/{claim['id']}", json={"title": "改一下"})
    assert response.status_code == 409
    assert api.claim(T1, claim["id"])["title"] == claim["title"]


def test_a_claim_needs_a_proof_before_it_is_submitted(api):
    draft = api.new_claim(T1)
    response = api.as_(T1).post(f"/claims/{draft['id']}/submit")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "proof_required" and "证明材料" in error["message"]
    assert api.claim(T1, draft["id"])["status"] == "draft"
    api.with_proof(T1, draft["id"])
    assert api.as_(T1).post(f"/claims/{draft['id']}/submit").status_code == 200


def test_how_many_proofs_is_set_per_route(api, app):
    claims = app.config["CLAIMS"]
    app.config["CLAIMS"] = {**claims, "MIN_PROOFS_BY_ROUTE": {"training": 0, "paper": 2}}
    try:
        training = api.new_claim(T1, route="training", details={"days": 1}, hours_requested=6)
        assert api.as_(T1).post(f"/claims/{training['id']}/submit").status_code == 200  # none needed
        paper = api.new_claim(T1, route="paper", details={"journal": "core", "rank": 1, "count": 1},
                              hours_requested=24)
        api.with_proof(T1, paper["id"])
        refused = api.as_(T1).post(f"/claims/{paper['id']}/submit")
        assert refused.status_code == 422 and "2" in refused.get_json()["error"]["message"]
        api.with_proof(T1, paper["id"])
        assert api.as_(T1).post(f"/claims/{paper['id']}/submit").status_code == 200
    finally:
        app.config["CLAIMS"] = claims


def test_a_title_of_only_spaces_is_refused_in_chinese(api):
    body = {"year": date.today().year, "route": "exam", "title": "   ", "details": {"subjects_passed": 1},
            "hours_requested": 8}
    response = api.as_(T1).post("/claims", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["title"] == ["不能为空。"]
    too_long = api.as_(T1).post("/claims", json={**body, "title": "长" * 101})
    assert too_long.get_json()["error"]["fields"]["title"] == ["长度应为 1 到 100 个字符。"]
    wrong_type = api.as_(T1).post("/claims", json={**body, "title": "考试", "year": "2026"})
    assert wrong_type.get_json()["error"]["fields"]["year"] == ["应为整数。"]
    assert api.as_(T1).get("/claims").get_json()["total"] == 0
    english = api.as_(T1).post("/claims", json={**body, "title": " "}, headers={"Accept-Language": "en"})
    assert english.get_json()["error"]["fields"]["title"] == ["May not be blank."]


def test_a_handled_task_shows_what_was_decided(api):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve", hours=12).status_code == 200
    handled = api.task_for("unit_reviewer", claim["id"], status="completed")
    facts = {fact["label"]: fact["value"] for fact in handled["facts"]}
    assert facts["申请/审核学时"] == "16.0 / 12.0"  # the reviewed hours, not "-"
    assert facts["登记类别"] == "参加资格证书考试"  # in Chinese, not the English route name
