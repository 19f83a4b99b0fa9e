"""Supplementary claims for last year (学时增补) through the HTTP API: the January window, eligible
routes, the unit's answer, entries, the three reviews, last year's cap and who sees what.

Last year's approved claims are made through the credit-claim API in the real present (its demo
window is open all year); the clock then moves to next January, where that year is "last year".
"""
from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.clock import today
from app.extensions import db
from app.models import HourEntry
from app.services import consistency
from tests.support.files import png
from tests.support.races import run_together
from tests.support.world import T1, T2, T3

SHANGHAI = ZoneInfo("Asia/Shanghai")
REVIEWERS = {"unit_review": "unit_reviewer", "office_review": "authority_reviewer",
             "provincial_filing": "supervisor_reviewer"}
TYPE = "supplementary"


def approved_claim(api, trainee: str, route: str = "exam", hours: int = 16, **details) -> dict:
    claim = api.submitted_claim(trainee, route=route, hours_requested=hours,
                                details=details or {"subjects_passed": 2})
    reviewer = "unit_reviewer" if trainee != T3 else "unit_reviewer_b"
    assert api.decide(reviewer, claim["id"], "approve", hours=hours).status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "approve", hours=hours).status_code == 200
    return claim


def at(api, clock, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0, year: int | None = None):
    """The clock at this moment of next January (China time), when this year is "last year"."""
    clock.freeze(datetime(year or YEAR[0] + 1, month, day, hour, minute, second, tzinfo=SHANGHAI))
    api.forget_tokens()


YEAR = [0]


def next_january(app, api, clock) -> int:
    """T1 has an approved exam claim of 16 hours this year; the clock moves to 10 January next year.
    Returns this year (then "last year")."""
    with app.app_context():
        YEAR[0] = today().year
    approved_claim(api, T1)
    at(api, clock, 1, 10)
    return YEAR[0]


@pytest.fixture
def last_year(app, api, clock) -> int:
    return next_january(app, api, clock)


def ask(api, trainee: str = T1, route: str = "exam"):
    return api.as_(trainee).post("/supplementary", json={"route": route})


def get(api, record_id: int, who: str = T1) -> dict:
    response = api.as_(who).get(f"/supplementary/{record_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def entry(year: int, hours: float = 8, **overrides) -> dict:
    return {"title": "省级公路工程技术培训班", "starts_on": f"{year}-05-10", "ends_on": f"{year}-05-11",
            "hours": hours, **overrides}


def upload(api, record_id: int, who: str = T1, description: str = "结业证书"):
    return api.as_(who).post(f"/supplementary/{record_id}/files", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(png()), "证书.png"), "description": description})


def agreed(api, year: int, route: str = "exam") -> dict:
    record = ask(api, route=route).get_json()
    assert api.decide("unit_reviewer", record["id"], "agree", TYPE).status_code == 200
    return record


def reported(api, year: int, hours: float = 8) -> dict:
    record = agreed(api, year)
    assert api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(year, hours)).status_code == 201
    assert upload(api, record["id"]).status_code == 201
    response = api.as_(T1).post(f"/supplementary/{record['id']}/submit")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def ledger_rows(app, record_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(HourEntry).where(HourEntry.source == TYPE,
                                                             HourEntry.source_id == record_id)).all()
        return [(r.user_id, r.year, r.route, float(r.hours)) for r in rows]


def consistent(app) -> None:
    with app.app_context():
        report = consistency.check_all()
        assert report.ok, report.problems
        assert report.checked["supplementary_ledger"] >= 1
        db.session.remove()


# -- the whole path ----------------------------------------------------------------------------

def test_asked_agreed_reported_reviewed_and_filed_into_last_year(app, api, world, last_year):
    response = ask(api)
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert (record["year"], record["route"], record["status_label"]) == (last_year, "exam", "个人申请中")
    assert (record["handled_label"], record["consent_label"]) == ("未处理", "未处理")
    assert api.as_(T1).get("/supplementary").get_json()["items"][0]["handled_label"] == "未处理"

    assert api.decide("unit_reviewer", record["id"], "agree", TYPE).status_code == 200
    listed = api.as_(T1).get("/supplementary").get_json()
    assert listed["total"] == 1 and listed["items"][0]["handled_label"] == "已处理"
    detail = get(api, record["id"])
    assert (detail["consent_label"], detail["status_label"]) == ("同意", "个人保存")

    added = api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year, 6))
    assert added.status_code == 201
    second = api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year, 3, title="专题讲座"))
    changed = api.as_(T1).request("PUT", f"/supplementary/{record['id']}/entries/{second.get_json()['id']}",
                              json=entry(last_year, 4, title="专题讲座"))
    assert changed.status_code == 200 and changed.get_json()["hours"] == 4.0
    assert upload(api, record["id"]).status_code == 201
    assert get(api, record["id"])["hours_total"] == 10.0

    submitted = api.as_(T1).post(f"/supplementary/{record['id']}/submit")
    assert submitted.status_code == 200 and submitted.get_json()["status_label"] == "个人上报"
    assert api.decide("unit_reviewer", record["id"], "approve", TYPE).status_code == 200
    assert get(api, record["id"])["status_label"] == "企业审核通过"
    assert api.decide("authority_reviewer", record["id"], "approve", TYPE).status_code == 200  # 学时办
    assert get(api, record["id"])["status_label"] == "学时办审核通过"
    assert api.decide("supervisor_reviewer", record["id"], "approve", TYPE).status_code == 200  # 省级备案
    final = get(api, record["id"])
    assert (final["status"], final["status_label"]) == ("filed", "终审通过")
    actions = [e["action"] for e in final["log"]]
    assert actions[:4] == ["provincial_filing", "office_review", "unit_review", "submit"]
    assert actions[-2:] == ["consent", "create"] and "entry_edit" in actions

    assert ledger_rows(app, record["id"]) == [(world.user[T1], last_year, "exam", 10.0)]
    hours = api.as_(T1).get("/me/hours", query_string={"year": last_year}).get_json()
    assert hours["professional"] == 26.0  # the claim's 16 and the supplement's 10
    consistent(app)


def test_each_review_may_refuse_and_the_trainee_reports_again_after_the_window(app, api, last_year, clock):
    record = reported(api, last_year)
    at(api, clock, 2, 15)  # the window has closed: a returned supplement may still be reported again
    refusals = [("unit_review", "企业审核不通过"), ("office_review", "学时办审核不通过"),
                ("provincial_filing", "省级审核不通过")]
    for step, label in refusals:
        for earlier in list(REVIEWERS)[:list(REVIEWERS).index(step)]:
            assert api.decide(REVIEWERS[earlier], record["id"], "approve", TYPE).status_code == 200
        refused = api.decide(REVIEWERS[step], record["id"], "reject", TYPE)
        assert error(refused, 422)["code"] == "comment_required"
        assert api.decide(REVIEWERS[step], record["id"], "reject", TYPE, comment="材料不清晰").status_code == 200
        assert get(api, record["id"])["status_label"] == label
        assert api.as_(T1).post(f"/supplementary/{record['id']}/submit").status_code == 200
    for step in REVIEWERS:
        assert api.decide(REVIEWERS[step], record["id"], "approve", TYPE).status_code == 200
    assert get(api, record["id"])["status"] == "filed"
    assert len(ledger_rows(app, record["id"])) == 1
    consistent(app)


def test_the_unit_refuses_the_request(app, api, last_year):
    record = ask(api).get_json()
    assert error(api.decide("unit_reviewer", record["id"], "refuse", TYPE), 422)["code"] == "comment_required"
    assert api.decide("unit_reviewer", record["id"], "refuse", TYPE, comment="不符合增补条件").status_code == 200
    detail = get(api, record["id"])
    shown = (detail["status_label"], detail["consent_label"], detail["handled_label"])
    assert shown == ("拒绝增补", "不同意", "已处理")
    refused = error(api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year)), 409)
    assert refused["code"] == "not_editable" and "拒绝增补" in refused["message"]
    assert ask(api).status_code == 201  # a refused request does not stop another one
    assert ledger_rows(app, record["id"]) == []


# -- the window --------------------------------------------------------------------------------

def test_the_window_opens_on_1_january_and_closes_after_20_january(app, api, last_year, clock):
    approved_at = YEAR[0]
    at(api, clock, 12, 31, 23, 59, 59, year=approved_at)  # still this year: nothing to supplement yet
    closed = error(ask(api), 409)
    assert closed["code"] == "window_closed"
    assert closed["message"] == "每年1月1日至1月20日方可增补上一年度学时。"

    at(api, clock, 1, 1, 0, 0)
    first = ask(api)
    assert first.status_code == 201 and first.get_json()["year"] == approved_at
    assert api.as_(T1).post(f"/supplementary/{first.get_json()['id']}/cancel").status_code == 200

    at(api, clock, 1, 20, 23, 59)
    last = ask(api)
    assert last.status_code == 201
    assert api.decide("unit_reviewer", last.get_json()["id"], "agree", TYPE).status_code == 200
    record_id = last.get_json()["id"]
    assert api.as_(T1).post(f"/supplementary/{record_id}/entries", json=entry(approved_at)).status_code == 201
    assert upload(api, record_id).status_code == 201

    at(api, clock, 1, 21, 0, 0)
    late = error(ask(api, route="exam"), 409)
    assert late["code"] == "window_closed" and "1月20日" in late["message"]
    late_report = error(api.as_(T1).post(f"/supplementary/{record_id}/submit"), 409)
    assert late_report["code"] == "window_closed"  # the first report falls in the window too
    assert get(api, record_id)["status_label"] == "个人保存"


def test_the_window_is_configurable(app, api, last_year, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPLEMENTARY", {**app.config["SUPPLEMENTARY"], "WINDOW_END": "01-05"})
    message = error(ask(api), 409)["message"]
    assert message == "每年1月1日至1月5日方可增补上一年度学时。"


# -- what may be asked -------------------------------------------------------------------------

def test_only_a_route_with_a_finally_approved_claim_last_year(app, api, last_year, clock):
    refused = error(ask(api, route="paper"), 422)
    assert refused["code"] == "route_not_eligible"
    assert refused["fields"]["route"] == [f"{last_year}年度在该类别没有终审通过的登记。"]
    assert refused["message"] == f"只能对{last_year}年度已终审通过的登记类别申请增补。"
    unknown = error(ask(api, route="sports"), 422)
    assert "route" in unknown["fields"]
    assert error(ask(api, trainee=T2), 422)["code"] == "route_not_eligible"  # T2 has no approved claim
    assert error(api.as_("unit_reviewer").post("/supplementary", json={"route": "exam"}), 403)
    assert ask(api).status_code == 201
    again = error(ask(api), 409)
    assert again["code"] == "already_requested" and "已申请" in again["message"]


def test_a_claim_not_finally_approved_makes_no_route_eligible(app, api, clock):
    with app.app_context():
        YEAR[0] = today().year
    claim = api.submitted_claim(T2, route="training", details={"days": 2}, hours_requested=12)
    assert api.decide("unit_reviewer", claim["id"], "approve", hours=12).status_code == 200  # the unit only
    at(api, clock, 1, 10)
    assert error(ask(api, trainee=T2, route="training"), 422)["code"] == "route_not_eligible"


# -- cancelling (撤销增补) -----------------------------------------------------------------------

def test_cancel_before_the_unit_acts(app, api, last_year):
    record = ask(api).get_json()
    cancelled = api.as_(T1).post(f"/supplementary/{record['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status_label"] == "已撤销增补"
    assert api.task_for("unit_reviewer", record["id"], TYPE) is None
    again = error(api.as_(T1).post(f"/supplementary/{record['id']}/cancel"), 409)
    assert again["code"] == "not_cancellable" and "已撤销增补" in again["message"]
    assert error(api.as_("unit_reviewer").post(f"/supplementary/{record['id']}/cancel"), 403)


def test_cancel_after_the_unit_acts(app, api, last_year):
    refused = ask(api).get_json()
    api.decide("unit_reviewer", refused["id"], "refuse", TYPE, comment="不同意")
    assert error(api.as_(T1).post(f"/supplementary/{refused['id']}/cancel"), 409)["code"] == "not_cancellable"

    record = agreed(api, last_year)  # agreed, nothing reported yet: the seed lets the trainee withdraw
    assert api.as_(T1).post(f"/supplementary/{record['id']}/cancel").get_json()["status_label"] == "已撤销增补"

    record = reported(api, last_year)  # reported: no more
    refused = error(api.as_(T1).post(f"/supplementary/{record['id']}/cancel"), 409)
    assert refused["code"] == "not_cancellable" and "个人上报" in refused["message"]
    assert get(api, record["id"])["status_label"] == "个人上报"


# -- last year's cap, counted across sources --------------------------------------------------

def test_the_cap_counts_last_years_hours_of_every_source_on_the_route(app, api, last_year, monkeypatch):
    record = agreed(api, last_year)
    assert upload(api, record["id"]).status_code == 201
    assert api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year, 12)).status_code == 201
    assert api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year, 10)).status_code == 201
    over = error(api.as_(T1).post(f"/supplementary/{record['id']}/submit"), 422)  # 16 + 22 > 36
    assert over["code"] == "cap_exceeded" and over["fields"]["hours"] == ["最多 20.0。"]
    assert "20.0" in over["message"] and "36" in over["message"]
    entries = get(api, record["id"])["entries"]
    assert api.as_(T1).delete(f"/supplementary/{record['id']}/entries/{entries[1]['id']}").status_code == 204
    assert api.as_(T1).post(f"/supplementary/{record['id']}/submit").status_code == 200
    for step in ("unit_review", "office_review"):
        assert api.decide(REVIEWERS[step], record["id"], "approve", TYPE).status_code == 200

    policy = app.config["POLICY"]
    monkeypatch.setitem(app.config, "POLICY", {**policy, "ROUTE_CAP_HOURS": 20})  # the cap lowered meanwhile
    late = error(api.decide("supervisor_reviewer", record["id"], "approve", TYPE), 422)
    assert late["code"] == "cap_exceeded"  # checked again when filed: 16 + 12 > 20
    assert ledger_rows(app, record["id"]) == []
    monkeypatch.setitem(app.config, "POLICY", policy)
    assert api.decide("supervisor_reviewer", record["id"], "approve", TYPE).status_code == 200
    assert ledger_rows(app, record["id"])[0][3] == 12.0
    consistent(app)


# -- refusals, each with its field and words ---------------------------------------------------

@pytest.mark.parametrize(("body", "field", "message"), [
    ({"starts_on": "2001-05-10"}, "starts_on", "增补只针对{year}年度。"),
    ({"ends_on": "{next}-01-02"}, "ends_on", "增补只针对{year}年度。"),
    ({"starts_on": "{year}-06-10", "ends_on": "{year}-06-01"}, "ends_on", "结束日期早于开始日期。"),
    ({"hours": 1.25}, "hours", "学时必须大于 0，最多一位小数。"),
    ({"hours": 40}, "hours", "每个途径每年度最多可计 36 个学时。"),
])
def test_entry_refusals(app, api, last_year, body, field, message):
    record = agreed(api, last_year)
    values = {k: v.format(year=last_year, next=last_year + 1) if isinstance(v, str) else v for k, v in body.items()}
    refused = error(api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year, **values)), 422)
    assert field in refused["fields"]
    assert refused["message"] == message.format(year=last_year)
    assert get(api, record["id"])["entries"] == []


def test_schema_refusals_and_what_a_report_needs(app, api, last_year):
    record = agreed(api, last_year)
    path = f"/supplementary/{record['id']}"
    blank = error(api.as_(T1).post(f"{path}/entries", json=entry(last_year, title=" ")), 422)
    assert "title" in blank["fields"]
    extra = error(api.as_(T1).post(f"{path}/entries", json={**entry(last_year), "route": "paper"}), 422)
    assert "route" in extra["fields"]
    none = error(api.as_(T1).post(f"{path}/submit"), 422)
    assert none["code"] == "entry_required" and none["message"] == "上报前请至少添加一条增补记录。"
    api.as_(T1).post(f"{path}/entries", json=entry(last_year))
    no_proof = error(api.as_(T1).post(f"{path}/submit"), 422)
    assert no_proof["code"] == "proof_required" and "file" in no_proof["fields"]
    long = error(upload(api, record["id"], description="说" * 34), 422)
    assert "description" in long["fields"] and "33" in long["message"]
    assert error(api.as_(T1).request("PUT", f"{path}/entries/999999", json=entry(last_year)), 404)
    assert get(api, record["id"])["status_label"] == "个人保存"


def test_entries_wait_for_the_units_agreement(app, api, last_year):
    record = ask(api).get_json()
    refused = error(api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year)), 409)
    assert refused["code"] == "not_editable" and "个人申请中" in refused["message"]
    assert error(upload(api, record["id"]), 409)["code"] == "not_editable"
    assert error(api.as_(T1).post(f"/supplementary/{record['id']}/submit"), 409)


# -- who sees what -----------------------------------------------------------------------------

def test_a_third_organisation_sees_nothing(app, api, last_year):
    record = reported(api, last_year)
    for who in ("unit_reviewer_b", "authority_reviewer_b", "hr_reviewer", "provider_admin", T2, T3):
        assert error(api.as_(who).get(f"/supplementary/{record['id']}"), 404)["message"] == "未找到该增补申请。"
        assert api.as_(who).get("/supplementary").get_json()["total"] == 0
        assert api.task_for(who, record["id"], TYPE) is None
    for who in ("unit_reviewer", "authority_reviewer", "supervisor_reviewer", "auditor"):
        assert api.as_(who).get(f"/supplementary/{record['id']}").status_code == 200
    assert error(api.as_("unit_reviewer").post(f"/supplementary/{record['id']}/submit"), 403)
    assert api.task_for("authority_reviewer", record["id"], TYPE) is None  # not before the unit approves


# -- races on one instance (slow_lock holds the instance's row lock) -----------------------------

def test_cancel_racing_the_units_refusal(app, api, last_year, slow_lock):
    record = ask(api).get_json()
    task = api.task_for("unit_reviewer", record["id"], TYPE)
    reviewer, trainee = api.as_("unit_reviewer"), api.as_(T1)  # logged in before the race
    responses = run_together([
        lambda: reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "refuse", "comment": "不同意"}),
        lambda: trainee.post(f"/supplementary/{record['id']}/cancel"),
    ])
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [200, 409], [r.get_json() for r in responses]
    final = get(api, record["id"])
    if codes[0] == 200:  # the refusal won: nothing waited for the cancel any more
        assert (final["status"], final["consent"]) == ("refused", "refused")
        assert responses[1].get_json()["error"]["code"] == "not_cancellable"
    else:
        assert (final["status"], final["consent"]) == ("cancelled", "")
        assert responses[0].get_json()["error"]["code"] == "task_closed"
    consistent_without_filing(app)


def test_two_reports_at_once_report_once(app, api, last_year, slow_lock):
    record = agreed(api, last_year)
    api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(last_year))
    upload(api, record["id"])
    trainee = api.as_(T1)
    responses = run_together([lambda: trainee.post(f"/supplementary/{record['id']}/submit")] * 2)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    final = get(api, record["id"])
    assert final["status_label"] == "个人上报"
    assert [e["action"] for e in final["log"]].count("submit") == 1
    assert api.task_for("unit_reviewer", record["id"], TYPE) is not None
    consistent_without_filing(app)


def consistent_without_filing(app) -> None:
    with app.app_context():
        report = consistency.check_all()
        assert report.ok, report.problems
        db.session.remove()


def test_a_claim_approved_after_a_supplement_counts_the_supplement_in_its_cap(app, api, clock):
    """A claim of the same year still under review when its route was supplemented: its approval
    counts the supplement's hours against the route's 36 too."""
    with app.app_context():
        YEAR[0] = today().year
    approved_claim(api, T1)  # 16 hours
    pending = api.submitted_claim(T1, route="exam", details={"subjects_passed": 2}, hours_requested=16)
    assert api.decide("unit_reviewer", pending["id"], "approve", hours=16).status_code == 200
    at(api, clock, 1, 10)
    record = reported(api, YEAR[0], hours=12)  # 16 + 12 of 36: the pending claim is not in the ledger
    for step in REVIEWERS:
        assert api.decide(REVIEWERS[step], record["id"], "approve", TYPE).status_code == 200
    over = error(api.decide("authority_reviewer", pending["id"], "approve", hours=16), 422)
    assert over["code"] == "cap_exceeded" and over["fields"]["hours"] == ["最多 8.0。"]
    assert api.decide("authority_reviewer", pending["id"], "approve", hours=8).status_code == 200
    hours = api.as_(T1).get("/me/hours", query_string={"year": YEAR[0]}).get_json()
    assert hours["professional"] == 36.0
    consistent(app)


def test_two_requests_at_once_make_one_supplement(app, api, last_year):
    trainee = api.as_(T1)
    responses = run_together([lambda: trainee.post("/supplementary", json={"route": "exam"})] * 2)
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.get_json()["error"]["code"] == "already_requested"
    assert api.as_(T1).get("/supplementary").get_json()["total"] == 1
    consistent_without_filing(app)
