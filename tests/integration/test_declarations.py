"""Unit-declared hours (单位学时申报) over the API: declaring for several staff, every refusal,
the authority's review (one by one and in batch through /tasks), verification, who sees what."""
from __future__ import annotations

import base64
import io
import os
import time
from datetime import date, timedelta

import pytest
from PIL import Image

from app.clock import today
from app.extensions import db
from app.models import HourEntry
from app.services import consistency
from tests.support.files import jpeg, pdf, png
from tests.support.hostile_files import gif
from tests.support.races import run_together
from tests.support.world import T1, T2, T3

YEAR = date.today().year
LAST_YEAR = YEAR - 1


def bmp() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 9, 9)).save(buf, "BMP")
    return buf.getvalue()


def proof(data: bytes | None = None, filename: str = "结业证书.png") -> dict:
    return {"filename": filename, "content": base64.b64encode(data if data is not None else png()).decode()}


def body(**changes) -> dict:
    values = {"id_numbers": [T1], "year": LAST_YEAR, "learning_form": "post_training",
              "school": "演示交通职业培训学院", "class_name": "公路养护岗位培训", "content": "路面养护",
              "starts_on": f"{LAST_YEAR}-05-06", "ends_on": f"{LAST_YEAR}-05-10", "score": "优秀",
              "hours": 24, "subject": "professional", "proofs": [proof()]}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not ...}


def declare(api, who: str = "unit_reviewer", **changes):
    return api.as_(who).post("/declarations", json=body(**changes))


def declared(api, **changes) -> list[dict]:
    response = declare(api, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["items"]


def get(api, who: str, declaration_id: int) -> dict:
    response = api.as_(who).get(f"/declarations/{declaration_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ledger_rows(app, declaration_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(db.select(HourEntry.user_id, HourEntry.year, HourEntry.category, HourEntry.hours,
                                            HourEntry.reverses_id.is_not(None))
                                  .where(HourEntry.source == "declaration", HourEntry.source_id == declaration_id)
                                  .order_by(HourEntry.id)).all()
        return [(u, y, c, float(h), r) for u, y, c, h, r in rows]


def hours_of(api, who: str, year: int = LAST_YEAR) -> float:
    summary = api.as_(who).get("/me/hours", query_string={"year": year}).get_json()
    return float(summary["professional"])


def refusal(response, field: str, status: int = 422) -> str:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert field in (error.get("fields") or {}), error
    message = " ".join(error["fields"][field]) if isinstance(error["fields"][field], list) else str(error["fields"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"] + message), error  # Chinese
    return message


# -- declaring ---------------------------------------------------------------------------------

def test_one_declaration_per_person_each_waiting_for_the_authority(api, app, world):
    items = declared(api, id_numbers=[T1, T2])
    assert [i["person"]["name"] for i in items] == ["张伟", "李娜"]
    assert len({i["instance_id"] for i in items}) == 2
    for item in items:
        assert (item["status"], item["status_label"]) == ("pending", "待审核")
        assert item["unit"]["id"] == world.unit1 and item["authority"]["id"] == world.city
        assert item["current_handler"] == item["authority"]["name"] and item["hours_recognised"] is None
        full = get(api, "unit_reviewer", item["id"])
        assert [f["content_type"] for f in full["files"]] == ["image/png"]
        assert api.task_for("authority_reviewer", item["id"], "declaration") is not None
    assert ledger_rows(app, items[0]["id"]) == []


@pytest.mark.parametrize("data,filename,content_type", [
    (jpeg(), "a.jpg", "image/jpeg"), (gif(), "a.gif", "image/gif"), (bmp(), "a.bmp", "image/bmp")])
def test_proofs_may_be_any_of_the_seeds_image_types(api, data, filename, content_type):
    item = declared(api, proofs=[proof(data, filename)])[0]
    assert [f["content_type"] for f in get(api, "unit_reviewer", item["id"])["files"]] == [content_type]


def test_fields_a_learning_form_does_not_use_are_not_kept(api):
    item = declared(api, learning_form="self_study", school="某学校", class_name="某班", score="90")[0]
    assert (item["school"], item["class_name"], item["score"]) == (None, None, None)
    assert item["learning_form_label"] == "自学" and item["content"] == "路面养护"


def test_a_person_not_in_the_unit_is_refused_and_nothing_is_created(api):
    before = len(api.as_("unit_reviewer").get("/declarations").get_json()["items"])
    message = refusal(declare(api, id_numbers=[T1, T3]), "id_numbers")
    assert T3 in message and "不是本单位人员" in message
    assert len(api.as_("unit_reviewer").get("/declarations").get_json()["items"]) == before


def test_an_unknown_id_number_is_refused(api):
    refusal(declare(api, id_numbers=["110101199003077777"]), "id_numbers")


@pytest.mark.parametrize("hours", [0, -2])
def test_hours_must_be_more_than_zero(api, hours):
    refusal(declare(api, hours=hours), "hours")


def test_hours_too_large_are_refused(api):
    assert "200" in refusal(declare(api, hours=201, starts_on=f"{LAST_YEAR}-01-01"), "hours")
    # five days of learning: at most 40 hours (8 a day)
    assert "40" in refusal(declare(api, hours=41), "hours")


def test_a_regions_daily_limit_is_the_one_counted(api, app, monkeypatch):
    regions = {**app.config["POLICY"]["REGIONS"]}
    regions["tianjin"] = {**regions["tianjin"], "DAILY_CAP_HOURS": 6}
    monkeypatch.setitem(app.config["POLICY"], "REGIONS", regions)
    monkeypatch.setitem(app.config["POLICY"], "REGION", "tianjin")
    message = refusal(declare(api, hours=31), "hours")  # five days at 6 a day
    assert "30" in message and "每天 6 学时" in message


@pytest.mark.parametrize("form,missing", [
    ("post_training", "score"), ("post_training", "class_name"), ("training_class", "school"),
    ("degree", "starts_on"), ("self_study", "content"), ("lecture", "ends_on")])
def test_a_field_the_learning_form_needs_is_required(api, form, missing):
    message = refusal(declare(api, learning_form=form, **{missing: None}), missing)
    assert "学习形式" in message


def test_dates_are_checked(api, clock):
    refusal(declare(api, starts_on=f"{LAST_YEAR}-05-10", ends_on=f"{LAST_YEAR}-05-06"), "ends_on")
    tomorrow = (today() + timedelta(days=1)).isoformat()  # the platform's tomorrow (Beijing), not UTC's
    refusal(declare(api, year=YEAR, starts_on=tomorrow, ends_on=tomorrow, hours=8), "ends_on")
    refusal(declare(api, year=YEAR + 1), "year")


def test_unknown_learning_form_and_subject_are_refused(api):
    refusal(declare(api, learning_form="sleeping"), "learning_form")
    refusal(declare(api, subject="sports"), "subject")


@pytest.mark.parametrize("data,filename", [
    (pdf(), "证书.pdf"), (b"not an image at all", "证书.png"), (png()[:60], "证书.png"), (png(), "证书.gif")])
def test_a_bad_image_is_refused_and_nothing_is_created(api, app, data, filename):
    before = len(api.as_("unit_reviewer").get("/declarations").get_json()["items"])
    refusal(declare(api, id_numbers=[T1, T2], proofs=[proof(), proof(data, filename)]), "proofs")
    assert len(api.as_("unit_reviewer").get("/declarations").get_json()["items"]) == before


def test_an_image_over_four_megabytes_is_refused(api):
    buf = io.BytesIO()
    Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3)).save(buf, "PNG")
    assert len(buf.getvalue()) > 4 * 1024 * 1024
    assert "4 MB" in refusal(declare(api, proofs=[proof(buf.getvalue())]), "proofs")


def test_proofs_are_required_and_must_be_base64(api):
    refusal(declare(api, proofs=[]), "proofs")
    refusal(declare(api, proofs=[{"filename": "a.png", "content": "%%%"}]), "proofs")


def test_only_unit_reviewers_declare(api):
    for who in ("authority_reviewer", T1, "provider_admin"):
        response = declare(api, who)
        assert response.status_code == 403, (who, response.get_json())


# -- the authority's review --------------------------------------------------------------------

def test_approved_the_hours_enter_the_ledger_under_the_subject_and_year(api, app):
    before = hours_of(api, T1)
    item = declared(api)[0]
    response = api.decide("authority_reviewer", item["id"], "approve", record_type="declaration", hours=20)
    assert response.status_code == 200, response.get_json()
    after = get(api, "unit_reviewer", item["id"])
    assert (after["status"], after["status_label"], after["hours_recognised"]) == ("approved", "审核通过", 20.0)
    assert ledger_rows(app, item["id"]) == [(after["person"]["id"], LAST_YEAR, "professional", 20.0, False)]
    assert hours_of(api, T1) == before + 20
    # and now it waits for the verification
    assert api.task_for("authority_reviewer", item["id"], "declaration")["name"] == "学时审验"


def test_recognised_hours_cannot_exceed_the_declared(api, app):
    item = declared(api)[0]
    response = api.decide("authority_reviewer", item["id"], "approve", record_type="declaration", hours=25)
    refusal(response, "hours")
    assert get(api, "unit_reviewer", item["id"])["status"] == "pending" and ledger_rows(app, item["id"]) == []


@pytest.mark.parametrize("hours", [0.04, 12.25])
def test_recognised_hours_are_not_rounded_to_nothing_or_to_another_figure(api, app, hours):
    item = declared(api)[0]
    response = api.decide("authority_reviewer", item["id"], "approve", record_type="declaration", hours=hours)
    refusal(response, "hours")
    assert get(api, "unit_reviewer", item["id"])["status"] == "pending" and ledger_rows(app, item["id"]) == []


def test_hours_with_two_decimals_or_a_year_outside_the_learning_are_refused(api):
    refusal(declare(api, hours=12.25), "hours")
    assert "学习期间" in refusal(declare(api, year=LAST_YEAR - 3), "year")


def test_other_subjects_go_to_their_category(api, app):
    item = declared(api, subject="public_industry")[0]
    api.decide("authority_reviewer", item["id"], "approve", record_type="declaration")
    assert ledger_rows(app, item["id"])[0][2:4] == ("public_industry", 24.0)


def test_refused_the_unit_sees_why_and_nothing_is_credited(api, app):
    item = declared(api)[0]
    no_reason = api.decide("authority_reviewer", item["id"], "reject", record_type="declaration")
    assert no_reason.status_code == 422
    response = api.decide("authority_reviewer", item["id"], "reject", record_type="declaration",
                          comment="证书与培训班不符")
    assert response.status_code == 200, response.get_json()
    seen = get(api, "unit_reviewer", item["id"])
    assert (seen["status_label"], seen["refusal_reason"]) == ("审核不通过", "证书与培训班不符")
    assert seen["current_handler"] is None and ledger_rows(app, item["id"]) == []


def test_batch_approval_and_refusal_through_tasks(api, app):
    items = declared(api, id_numbers=[T1, T2]) + declared(api, id_numbers=[T1], hours=8, learning_form="self_study")
    tasks = [api.task_for("authority_reviewer", i["id"], "declaration")["id"] for i in items]
    reviewer = api.as_("authority_reviewer")
    response = reviewer.post("/tasks/batch", json={"task_ids": tasks[:2], "decision": "approve"})
    assert response.get_json()["succeeded"] == 2, response.get_json()
    response = reviewer.post("/tasks/batch", json={"task_ids": tasks[2:], "decision": "reject",
                                                   "comment": "材料不全"})
    assert response.get_json()["succeeded"] == 1, response.get_json()
    statuses = [get(api, "unit_reviewer", i["id"])["status"] for i in items]
    assert statuses == ["approved", "approved", "refused"]
    assert [len(ledger_rows(app, i["id"])) for i in items] == [1, 1, 0]
    with app.app_context():
        assert consistency.check_all().ok


# -- verification ------------------------------------------------------------------------------

def _approved(api) -> dict:
    item = declared(api)[0]
    assert api.decide("authority_reviewer", item["id"], "approve", record_type="declaration").status_code == 200
    return item


def test_verification_passed(api, app):
    item = _approved(api)
    response = api.as_("authority_reviewer").post(f"/declarations/{item['id']}/verification",
                                                  json={"result": "pass"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["status_label"]) == ("verified", "审验通过")
    assert len(ledger_rows(app, item["id"])) == 1
    again = api.as_("authority_reviewer").post(f"/declarations/{item['id']}/verification", json={"result": "pass"})
    assert again.status_code == 409


def test_verification_failed_reverses_the_hours_and_keeps_the_history(api, app):
    before = hours_of(api, T1)
    item = _approved(api)
    assert hours_of(api, T1) == before + 24
    verifier = api.as_("authority_reviewer")
    no_reason = verifier.post(f"/declarations/{item['id']}/verification", json={"result": "fail"})
    refusal(no_reason, "reason")
    response = verifier.post(f"/declarations/{item['id']}/verification",
                             json={"result": "fail", "reason": "培训记录查无此人"})
    assert response.status_code == 200, response.get_json()
    seen = response.get_json()
    assert (seen["status"], seen["status_label"], seen["verification_reason"]) == \
        ("revoked", "审验不通过", "培训记录查无此人")
    assert seen["revoked_at"] is not None and seen["hours_recognised"] is None
    person = seen["person"]["id"]
    assert ledger_rows(app, item["id"]) == [(person, LAST_YEAR, "professional", 24.0, False),
                                            (person, LAST_YEAR, "professional", -24.0, True)]
    assert hours_of(api, T1) == before
    # the person sees it, and why
    mine = api.as_(T1).get("/declarations").get_json()["items"]
    assert any(d["id"] == item["id"] and d["verification_reason"] == "培训记录查无此人" for d in mine)
    # declared again: a new declaration, reviewed on its own
    again = declared(api)[0]
    assert again["id"] != item["id"] and again["status"] == "pending"
    with app.app_context():
        assert consistency.check_all().ok


def test_verification_through_tasks_too(api, app):
    item = _approved(api)
    response = api.decide("authority_reviewer", item["id"], "fail", record_type="declaration", comment="不符")
    assert response.status_code == 200, response.get_json()
    assert get(api, "unit_reviewer", item["id"])["status"] == "revoked"
    assert sum(r[3] for r in ledger_rows(app, item["id"])) == 0


def test_only_the_authority_verifies_and_only_approved_hours(api):
    pending = declared(api)[0]
    response = api.as_("authority_reviewer").post(f"/declarations/{pending['id']}/verification",
                                                  json={"result": "pass"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_verifiable"
    item = _approved(api)
    for who, status in (("unit_reviewer", 403), ("authority_reviewer_b", 404), (T2, 404)):
        response = api.as_(who).post(f"/declarations/{item['id']}/verification", json={"result": "pass"})
        assert response.status_code == status, (who, response.get_json())
    bad = api.as_("authority_reviewer").post(f"/declarations/{item['id']}/verification", json={"result": "maybe"})
    refusal(bad, "result")


# -- lists and who sees what -------------------------------------------------------------------

def test_tabs(api):
    pending = declared(api)[0]
    refused = declared(api)[0]
    api.decide("authority_reviewer", refused["id"], "reject", record_type="declaration", comment="不符")
    approved = _approved(api)

    def ids(tab: str) -> set[int]:
        response = api.as_("unit_reviewer").get("/declarations", query_string={"tab": tab})
        assert response.status_code == 200, response.get_json()
        return {d["id"] for d in response.get_json()["items"]}

    assert {pending["id"], refused["id"], approved["id"]} <= ids("all")
    assert pending["id"] in ids("pending") and refused["id"] not in ids("pending")
    assert approved["id"] in ids("approved") and refused["id"] in ids("refused")
    assert api.as_("unit_reviewer").get("/declarations", query_string={"tab": "odd"}).status_code == 422


def test_a_third_organisation_sees_nothing(api, third_unit):
    item = declared(api)[0]
    for who in ("unit_reviewer_b", "unit_reviewer_c", "authority_reviewer_b", "provider_admin", T3):
        assert api.as_(who).get(f"/declarations/{item['id']}").status_code == 404, who
        listed = api.as_(who).get("/declarations").get_json()["items"]
        assert item["id"] not in {d["id"] for d in listed}, who
        file_id = get(api, "unit_reviewer", item["id"])["files"][0]["id"]
        assert api.as_(who).get(f"/declarations/{item['id']}/files/{file_id}").status_code == 404, who
        assert api.task_for(who, item["id"], "declaration") is None, who
    for who in ("unit_reviewer", "authority_reviewer", T1, "auditor"):
        assert api.as_(who).get(f"/declarations/{item['id']}").status_code == 200, who


# -- a race on one instance --------------------------------------------------------------------

def test_approval_racing_refusal(api, app, slow_lock):
    item = declared(api)[0]
    task = api.task_for("authority_reviewer", item["id"], "declaration")
    reviewer = api.as_("authority_reviewer")
    started = time.perf_counter()
    approve, reject = run_together([
        lambda: reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}),
        lambda: reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "reject", "comment": "不符"})])
    assert time.perf_counter() - started >= 0.6
    assert sorted([approve.status_code, reject.status_code]) == [200, 409]
    status = get(api, "unit_reviewer", item["id"])["status"]
    assert status == ("approved" if approve.status_code == 200 else "refused")
    assert len(ledger_rows(app, item["id"])) == (1 if status == "approved" else 0)
    with app.app_context():
        assert consistency.check_all().ok


def test_two_verifications_racing(api, app, slow_lock):
    item = _approved(api)
    verifier = api.as_("authority_reviewer")
    url = f"/declarations/{item['id']}/verification"
    first, second = run_together([lambda: verifier.post(url, json={"result": "fail", "reason": "不符"}),
                                  lambda: verifier.post(url, json={"result": "fail", "reason": "不符"})])
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert len(ledger_rows(app, item["id"])) == 2  # one credit, one reversal: never two
    with app.app_context():
        assert consistency.check_all().ok
