"""年度申报时间与政策设置 through the API: an authority's windows and hours apply to its units (and
not to another authority's), within config's bounds, each change an audit event with old and new."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.models import Organisation, ProcessEvent
from app.models.policy import YearSetting
from app.services import policy
from tests.support.people import make_user
from tests.support.world import T1, T3

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = {"total_hours": 100, "senior_total_hours": 120, "professional_hours": 70, "public_hours": 20}


def at(api, clock, year: int, month: int, day: int) -> None:
    clock.freeze(datetime(year, month, day, 10, tzinfo=SHANGHAI))
    api.forget_tokens()


@pytest.fixture
def june(app, api, clock) -> int:
    """The clock on 15 June of this year (the demo's claim window is open all year)."""
    with app.app_context():
        year = today().year
    at(api, clock, year, 6, 15)
    return year


@pytest.fixture
def city_b_admin(app, world) -> str:
    make_user(app, "city_b_admin", "建设局管理员", roles=[("admin", world.city_b)])
    return "city_b_admin"


@pytest.fixture
def unit_b(app, world) -> int:
    """A unit under the other authority (演示市建设局)."""
    with app.app_context():
        unit = Organisation(name="演示建设工程公司", kind="unit", parent_id=world.city_b)
        db.session.add(unit)
        db.session.commit()
        return unit.id


def put(api, who: str, year: int, **body):
    return api.as_(who).request("PUT", f"/windows/{year}", json=body)


def _settings_and_events(app) -> tuple:
    with app.app_context():
        return (db.session.scalar(select(func.count(YearSetting.id))),
                db.session.scalar(select(func.count(ProcessEvent.id)).where(
                    ProcessEvent.record_type.in_(("window", "policy")))))


def test_a_claim_outside_the_authoritys_window_is_refused_inside_accepted(app, api, world, june, clock,
                                                                          city_b_admin, unit_b):
    year = june
    saved = put(api, "authority_admin", year, claim_opens_on=f"{year}-07-01", claim_closes_on=f"{year}-09-30")
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["claim_window"]["set_by_org_id"] == world.city
    # the other authority closes its own units' window now: nothing to do with the city's units
    assert put(api, city_b_admin, year, claim_opens_on=f"{year}-10-01",
               claim_closes_on=f"{year}-10-31").status_code == 200
    for trainee in (T1, T3):  # both units under the city
        claim = api.new_claim(trainee)
        api.with_proof(trainee, claim["id"])
        refused = api.as_(trainee).post(f"/claims/{claim['id']}/submit")
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "window_closed"
    mine = api.as_(T1).get(f"/windows/{year}").get_json()
    assert mine["claim_window"]["opens_on"] == f"{year}-07-01" and mine["org_id"] == world.unit1
    other = api.as_(city_b_admin).get(f"/windows/{year}", query_string={"org": unit_b}).get_json()
    assert other["claim_window"]["opens_on"] == f"{year}-10-01"
    at(api, clock, year, 7, 10)
    claim = api.new_claim(T1)
    api.with_proof(T1, claim["id"])
    accepted = api.as_(T1).post(f"/claims/{claim['id']}/submit")
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "unit_review"


def test_another_authoritys_window_leaves_these_units_alone(app, api, world, june, city_b_admin, unit_b):
    year = june
    assert put(api, city_b_admin, year, claim_opens_on=f"{year}-01-01",
               claim_closes_on=f"{year}-01-31").status_code == 200
    with app.app_context():
        assert policy.effective(unit_b, year).claim == policy.Window(*(datetime(year, m, d).date()
                                                                       for m, d in ((1, 1), (1, 31))))
        assert policy.effective(world.unit1, year).claim is None  # the platform's schedule
    claim = api.submitted_claim(T1)  # 15 June: the platform's window is open for the city's units
    assert claim["status"] == "unit_review"


def _approved_exam_claim(api, trainee: str = T1) -> None:
    claim = api.submitted_claim(trainee, hours_requested=16)
    assert api.decide("unit_reviewer", claim["id"], "approve", hours=16).status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "approve", hours=16).status_code == 200


def test_the_supplementary_window_follows_the_authority(app, api, world, clock, city_b_admin):
    with app.app_context():
        year = today().year
    _approved_exam_claim(api)
    assert put(api, "authority_admin", year, supplementary_opens_on=f"{year + 1}-02-01",
               supplementary_closes_on=f"{year + 1}-02-10").status_code == 200
    assert put(api, city_b_admin, year, supplementary_opens_on=f"{year + 1}-01-01",
               supplementary_closes_on=f"{year + 1}-01-31").status_code == 200
    at(api, clock, year + 1, 1, 10)  # config's 1-20 January, and the other authority's: not the city's
    refused = api.as_(T1).post("/supplementary", json={"route": "exam"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "window_closed"
    at(api, clock, year + 1, 2, 5)
    asked = api.as_(T1).post("/supplementary", json={"route": "exam"})
    assert asked.status_code == 201, asked.get_json()
    at(api, clock, year + 1, 2, 11)
    assert api.as_(T1).get(f"/windows/{year}").get_json()["supplementary_window"] == {
        "opens_on": f"{year + 1}-02-01", "closes_on": f"{year + 1}-02-10", "set_by_org_id": world.city,
        "set_by": "演示市交通运输局"}


def test_the_required_hours_follow_the_nearest_authority(app, api, world, june, city_b_admin):
    year = june
    assert api.as_(T1).get("/me/hours").get_json()["required"] == {"total": 90.0, "professional": 60.0,
                                                                 "public": 18.0}
    make_user(app, "province_admin", "省厅管理员", roles=[("admin", world.province)])
    assert put(api, "province_admin", year, total_hours=96, professional_hours=60, public_hours=20).status_code == 200
    assert api.as_(T1).get("/me/hours").get_json()["required"]["total"] == 96.0  # inherited from the province
    assert put(api, city_b_admin, year, total_hours=150, professional_hours=0, public_hours=0).status_code == 200
    assert put(api, "authority_admin", year, **HOURS).status_code == 200
    for trainee in (T1, T3):
        body = api.as_(trainee).get("/me/hours").get_json()
        assert body["required"] == {"total": 100.0, "professional": 70.0, "public": 20.0}, trainee
    effective = api.as_("province_admin").get(f"/windows/{year}", query_string={"org": world.unit1}).get_json()
    assert effective["hours"]["set_by_org_id"] == world.city and effective["hours"]["senior_total"] == "120.0"
    assert put(api, "authority_admin", year).status_code == 200  # all inherited again: the province's
    assert api.as_(T1).get("/me/hours").get_json()["required"]["total"] == 96.0


@pytest.mark.parametrize("body, field", [
    ({"claim_opens_on": "{y}-09-01", "claim_closes_on": "{y}-08-01"}, "claim_closes_on"),  # start after end
    ({"claim_opens_on": "{p}-12-01", "claim_closes_on": "{y}-08-01"}, "claim_opens_on"),  # outside the year
    ({"claim_opens_on": "{y}-09-01"}, "claim_closes_on"),  # one date only
    ({"supplementary_opens_on": "{y}-01-01", "supplementary_closes_on": "{y}-01-20"}, "supplementary_opens_on"),
    ({"supplementary_opens_on": "{n}-03-01", "supplementary_closes_on": "{n}-04-01"}, "supplementary_closes_on"),
    ({"supplementary_opens_on": "{n}-01-20", "supplementary_closes_on": "{n}-01-10"}, "supplementary_closes_on"),
    ({"total_hours": 80, "professional_hours": 60, "public_hours": 18}, "total_hours"),  # below config's 90
    ({"total_hours": 201, "professional_hours": 60, "public_hours": 18}, "total_hours"),  # above config's 200
    ({"total_hours": 90, "professional_hours": 80, "public_hours": 18}, "public_hours"),  # parts exceed the total
    ({"total_hours": 100, "senior_total_hours": 95, "professional_hours": 60, "public_hours": 18},
     "senior_total_hours"),
    ({"total_hours": 100}, "professional_hours"),
    ({"total_hours": 100.05, "professional_hours": 60, "public_hours": 18}, "total_hours"),
    ({"total_hours": 100, "professional_hours": -1, "public_hours": 18}, "professional_hours"),
])
def test_settings_outside_configs_bounds_are_refused(app, api, june, body, field):
    year = june
    before = _settings_and_events(app)
    filled = {k: v.format(y=year, p=year - 1, n=year + 1) if isinstance(v, str) else v for k, v in body.items()}
    response = put(api, "authority_admin", year, **filled)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"], response.get_json()
    assert _settings_and_events(app) == before


def test_config_sets_the_bounds_and_the_years_that_may_change(app, api, june, monkeypatch):
    year = june
    body = {"total_hours": 80, "professional_hours": 60, "public_hours": 18}
    assert put(api, "authority_admin", year, **body).status_code == 422
    monkeypatch.setitem(app.config, "AUTHORITY_SETTINGS", {"MIN_TOTAL_HOURS": 72})
    assert put(api, "authority_admin", year, **body).status_code == 200
    bounds = api.as_("authority_admin").get(f"/windows/{year}").get_json()["bounds"]
    assert bounds["min_total_hours"] == "72" and bounds["supplementary_latest"] == f"{year + 1}-03-31"
    assert put(api, "authority_admin", year + 2, **body).status_code == 422  # only last, this and next year
    assert put(api, "authority_admin", year - 2, **body).status_code == 422
    assert put(api, "authority_admin", year + 1, **body).status_code == 200


def test_each_change_is_an_audit_event_with_old_and_new_values(app, api, world, june):
    year = june
    first = {"claim_opens_on": f"{year}-03-01", "claim_closes_on": f"{year}-11-30", **HOURS}
    assert put(api, "authority_admin", year, **first).status_code == 200
    assert put(api, "authority_admin", year, **{**first, "total_hours": 110}).status_code == 200
    assert put(api, "authority_admin", year, **{**first, "total_hours": 110}).status_code == 200  # no change
    with app.app_context():
        events = db.session.scalars(select(ProcessEvent).where(ProcessEvent.record_type.in_(("window", "policy")))
                                    .order_by(ProcessEvent.id)).all()
        assert [(e.action, e.record_type) for e in events] == [
            ("window_set", "window"), ("policy_set", "policy"), ("policy_set", "policy")]
        assert {e.actor_org_id for e in events} == {world.city}
        assert {e.actor_id for e in events} == {world.user["authority_admin"]}
        assert events[0].data["old"]["claim_opens_on"] is None
        assert events[0].data["new"]["claim_opens_on"] == f"{year}-03-01" and events[0].data["year"] == year
        assert events[1].data["old"]["total_hours"] is None and events[1].data["new"]["total_hours"] == "100.0"
        assert events[2].data["old"]["total_hours"] == "100.0" and events[2].data["new"]["total_hours"] == "110.0"


def test_only_the_authoritys_administrators_may_set_and_others_see_only_their_subtree(app, api, world, june,
                                                                                      unit_b):
    year = june
    for who in ("unit_admin", "unit_reviewer", "authority_reviewer", T1, "auditor"):
        refused = put(api, who, year, **HOURS)
        assert refused.status_code == 403 and "error" in refused.get_json(), who
    assert put(api, "authority_admin", year, org_id=world.city_b, **HOURS).status_code == 403
    assert _settings_and_events(app) == (0, 0)
    assert api.as_("authority_admin").get(f"/windows/{year}", query_string={"org": unit_b}).status_code == 403
    assert api.as_(T1).get(f"/windows/{year}", query_string={"org": world.unit2}).status_code == 403
    assert api.as_("authority_reviewer").get(f"/windows/{year}", query_string={"org": world.unit2}).status_code == 200
    assert api.as_("auditor").get(f"/windows/{year}", query_string={"org": unit_b}).status_code == 200
    assert api.as_("auditor").get(f"/windows/{year}", query_string={"org": 999999}).status_code == 404
    assert api.as_("auditor").get("/windows/1999").status_code == 422


def test_the_routes_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    operations = paths["/api/v1/windows/{year}"]
    assert {"get", "put"} <= set(operations)
    assert {"403", "422"} <= set(operations["put"]["responses"])


def test_two_administrators_saving_at_once_leave_one_row_and_a_consistent_history(app, api, world, june):
    from tests.support.races import run_together

    year = june
    make_user(app, "authority_admin_2", "市局管理员二", roles=[("admin", world.city)])
    a, b = api.as_("authority_admin"), api.as_("authority_admin_2")  # log in before the race
    bodies = [{**HOURS, "total_hours": 100}, {**HOURS, "total_hours": 110}]
    responses = run_together([lambda: a.request("PUT", f"/windows/{year}", json=bodies[0]),
                              lambda: b.request("PUT", f"/windows/{year}", json=bodies[1])])
    assert [r.status_code for r in responses] == [200, 200], [r.get_json() for r in responses]
    with app.app_context():
        assert db.session.scalar(select(func.count(YearSetting.id))) == 1
        events = db.session.scalars(select(ProcessEvent).where(ProcessEvent.record_type == "policy")
                                    .order_by(ProcessEvent.id)).all()
        assert len(events) == 2 and events[0].data["old"]["total_hours"] is None
        assert events[1].data["old"] == events[0].data["new"]  # the second saw the first's values
        final = db.session.scalar(select(YearSetting.total_hours))
        assert str(final) == events[1].data["new"]["total_hours"]
