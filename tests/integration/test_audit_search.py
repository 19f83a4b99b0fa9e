"""The audit search (API ``/api/v1/audit/events`` and the page ``/audit``): every event across instances
and the administrative chain, by person, action, process, record, organisation and local days,
newest first, in keyset pages; bad filters are a 422 with a Chinese message."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from app.audit.search import FILTER_KEYS
from app.db import transaction
from app.extensions import db
from app.models import ProcessEvent, User
from app.services.actors import Actor
from app.services.audit import record_admin_event
from tests.support.world import T1, T3

AUDITOR = "auditor"


@pytest.fixture
def history(app, api, clock):
    """Demo events, then on 2026-03-10 (China time) T1's claim submitted and approved by the unit, on
    2026-03-12 T3's claim submitted, and an administrative event (a role change) about T3's account."""
    clock.freeze(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    first = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", first["id"], "approve").status_code == 200
    clock.freeze(datetime(2026, 3, 11, 20, 0, tzinfo=UTC))  # 04:00 on the 12th in Shanghai
    second = api.submitted_claim(T3)
    with app.app_context():
        admin = Actor.load(db.session.scalar(select(User.id).where(User.username == "admin")))
        t3 = db.session.scalar(select(User.id).where(User.username == T3))
        with transaction():
            record_admin_event(admin, "role_change", record_type="user", record_id=t3,
                               old={"roles": ["trainee"]}, new={"roles": ["trainee", "reviewer"]})
    api.as_(AUDITOR)  # the auditor's login (a token_issue event) before anything is counted
    return {"first": first, "second": second, "t3": t3}


def _events(api, **query):
    response = api.as_(AUDITOR).get("/audit/events", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _all(app, *where):
    with app.app_context():
        return db.session.execute(select(ProcessEvent.id).where(*where)
                                  .order_by(ProcessEvent.at.desc(), ProcessEvent.id.desc())).scalars().all()


def _user(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_each_filter_finds_exactly_its_events(app, api, history):
    first, t1 = history["first"], _user(app, T1)
    cases = {
        "person": ({"actor_id": t1}, [ProcessEvent.actor_id == t1]),
        "person by name": ({"actor": "张伟"}, [ProcessEvent.actor_id == t1]),
        "action": ({"action": "submit"}, [ProcessEvent.action == "submit"]),
        "process": ({"process_key": "credit_claim"}, [ProcessEvent.process_key == "credit_claim"]),
        "record": ({"record_type": "claim", "record_id": first["id"]},
                   [ProcessEvent.record_type == "claim", ProcessEvent.record_id == first["id"]]),
        "organisation": ({"org_id": api.world.unit1}, [ProcessEvent.actor_org_id == api.world.unit1]),
        "organisation by name": ({"org": "交通工程"}, [ProcessEvent.actor_org_id == api.world.unit1]),
        "account record": ({"record_type": "user", "record_id": history["t3"]},
                           [ProcessEvent.instance_id.is_(None), ProcessEvent.record_type == "user",
                            ProcessEvent.record_id == history["t3"]]),
    }
    for name, (query, where) in cases.items():
        expected = _all(app, *where)
        found = [item["id"] for item in _events(api, limit=200, **query)["items"]]
        assert expected and found == expected, name


def test_local_days_bound_the_time_range(app, api, history):
    """The 12th in Shanghai starts at 16:00 UTC on the 11th: T3's claim (20:00 UTC on the 11th) is on it."""
    on_12th = _events(api, date_from="2026-03-12", date_to="2026-03-12", limit=200)["items"]
    assert on_12th and {item["record_id"] for item in on_12th if item["record_type"] == "claim"} == \
        {history["second"]["id"]}
    on_10th = _events(api, date_from="2026-03-10", date_to="2026-03-10", limit=200)["items"]
    assert {item["action"] for item in on_10th} >= {"create", "submit"}
    assert {item["record_id"] for item in on_10th if item["record_type"] == "claim"} == {history["first"]["id"]}
    assert _events(api, date_from="2026-03-11", date_to="2026-03-11")["items"] == []


def test_keyset_pages_walk_every_event_once_newest_first(app, api, history):
    expected = _all(app)
    seen, token = [], None
    while True:
        body = _events(api, limit=7, **({"after": token} if token else {}))
        seen.extend(item["id"] for item in body["items"])
        token = body["next"]
        if token is None:
            break
    assert seen == expected


def test_events_say_what_they_are_in_words(api, history):
    items = _events(api, record_type="claim", record_id=history["first"]["id"])["items"]
    submitted = next(item for item in items if item["action"] == "submit")
    assert submitted["action_label"] == "提交审核" and submitted["process_name"] == "学时登记"
    assert submitted["record_label"] == f"学时登记 #{history['first']['id']}" and submitted["actor_name"] == "张伟"
    review = next(item for item in items if item["decision"] == "approve")
    assert review["decision_label"] == "通过" and review["task_name"] and review["actor_org_name"]
    about_t3 = _events(api, record_type="user", record_id=history["t3"])["items"]  # (her enrolment's too)
    admin = next(item for item in about_t3 if item["action"] == "role_change" and item["actor_name"] != "系统"
                 and item["data"].get("new") == {"roles": ["trainee", "reviewer"]})
    assert admin["instance_id"] is None and admin["data"]["old"] == {"roles": ["trainee"]}


@pytest.mark.parametrize("query, field", [
    ({"actor_id": "abc"}, "actor_id"), ({"actor_id": 2**31}, "actor_id"), ({"record_type": "claim"}, "record_id"),
    ({"record_id": 5}, "record_type"), ({"date_from": "2026-03-12", "date_to": "2026-03-10"}, "date_to"),
    ({"date_from": "1999-12-31"}, "date_from"), ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "2026-02-30"}, "date_from"), ({"after": "nope"}, "after"),
    ({"after": "99999999999999999_1"}, "after"),
    ({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"action": "DROP TABLE"}, "action"),
    ({"process_key": "x" * 61}, "process_key"), ({"actor": "张\x00伟"}, "actor"), ({"actor": " "}, "actor"),
    ({"sort": "id"}, "sort"),
])
def test_bad_filters_are_refused_in_chinese(api, query, field):
    response = api.as_(AUDITOR).get("/audit/events", query_string=query)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error["fields"][field])), error


def test_a_name_matching_too_many_people_is_refused(app, api, world):
    from tests.support.people import make_user

    for n in range(51):
        make_user(app, f"auditcase{n:02d}", f"重名{n}")
    response = api.as_(AUDITOR).get("/audit/events", query_string={"actor": "重名"})
    assert response.status_code == 422 and "actor" in response.get_json()["error"]["fields"]
    assert _events(api, actor="重名1")["items"] == []  # a few match: none of them acted


# -- the page -------------------------------------------------------------------------------------

def test_the_page_lists_filters_and_links_events(api, web, history):
    page = web(AUDITOR).text(f"/audit?record_type=claim&record_id={history['first']['id']}")
    assert f'href="/processes/{history["first"]["instance_id"]}"' in page
    assert "提交审核" in page and "张伟" in page and "<script>" not in page
    assert f"/audit/events.csv?record_type=claim&amp;record_id={history['first']['id']}" in page
    assert f"/audit/events.xlsx?record_type=claim&amp;record_id={history['first']['id']}" in page
    admin_page = web("process_admin").text(f"/audit?record_type=user&record_id={history['t3']}")
    assert "role_change" in admin_page and "&#34;reviewer&#34;" in admin_page  # old and new values, escaped


def test_the_page_pages_forwards_and_back(app, web, history):
    client = web(AUDITOR)
    expected = _all(app)
    first = client.text("/audit")
    older = _link(first, "next")
    assert older and _link(first, "prev") is None
    second = client.text(older)
    back = client.text(_link(second, "prev"))
    assert _ids(back) == _ids(first) == expected[:50] and _ids(second) == expected[50:100]


def _link(page: str, rel: str) -> str | None:
    import html
    import re
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(match.group(1)) if match else None


def _ids(page: str) -> list[int]:
    import re
    return [int(n) for n in re.findall(r'<td data-label="编号" class="num">(\d+)</td>', page)]


def test_the_page_shows_bad_filters_next_to_their_field(web, world):
    client = web(AUDITOR)
    response = client.get("/audit?record_type=claim&record_id=x")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-record_id-error"' in page and 'aria-describedby="f-record_id-error"' in page
    assert "/audit/events.csv" not in page  # nothing to export until the search is right
    swapped = client.get("/audit?date_from=2026-03-12&date_to=2026-03-01")
    assert swapped.status_code == 422 and 'id="f-date_to-error"' in swapped.get_data(as_text=True)


def test_a_person_link_narrows_to_that_person(app, web, history):
    t1 = _user(app, T1)
    page = web(AUDITOR).text(f"/audit?actor_id={t1}")
    assert _ids(page) == _all(app, ProcessEvent.actor_id == t1)[:50]
    token = urlparse(_link(page, "next") or "?").query
    assert not token or parse_qs(token)["actor_id"] == [str(t1)]


def test_totals_are_not_counted(app, api, history):
    """A page never counts the matches (a count over millions of events is a scan)."""
    body = _events(api)
    assert set(body) == {"items", "next"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessEvent)) > 50
    assert len(body["items"]) == 50 and body["next"]


def test_times_are_stored_in_utc_and_compared_in_utc(app, api, history, clock):
    clock.freeze(datetime(2026, 3, 12, 15, 59, tzinfo=UTC))  # 23:59 on the 12th in Shanghai
    api.forget_tokens()  # the day's tokens have expired
    api.submitted_claim(T1)
    last = _events(api, date_to="2026-03-12", limit=1)["items"][0]
    assert datetime.fromisoformat(last["at"]) == datetime(2026, 3, 12, 15, 59, tzinfo=UTC)
    assert _events(api, date_from="2026-03-13", date_to="2026-03-13")["items"] == []
    clock.advance(timedelta(minutes=2))
    api.submitted_claim(T3)
    after_midnight = _events(api, date_from="2026-03-13", date_to="2026-03-13")["items"]
    assert {item["action"] for item in after_midnight} >= {"create", "submit"}


def test_an_event_of_no_instance_about_a_record_links_to_its_instance(app, web, history):
    first = history["first"]
    with app.app_context():
        auditor = Actor.load(_user(app, AUDITOR))
        with transaction():
            record_admin_event(auditor, "proof_read", record_type="claim", record_id=first["id"],
                               process_key="credit_claim", data={"file_id": 1})
    page = web(AUDITOR).text("/audit?action=proof_read")
    assert f'<a href="/processes/{first["instance_id"]}">学时登记 #{first["id"]}</a>' in page
    assert f'href="/audit?record_type=claim&amp;record_id={first["id"]}"' in page


def test_the_page_answers_any_query_string_with_200_or_422(web, world):
    """Fuzzed query strings: the page shows results or says what is wrong, never a server error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = web(AUDITOR)
    names = st.sampled_from([*FILTER_KEYS, "after", "before", "unknown"])

    @settings(max_examples=80, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.dictionaries(names, st.text(max_size=30) | st.integers().map(str), max_size=4))
    def check(query):
        response = client.get("/audit", query_string=query)
        assert response.status_code in (200, 422), (query, response.status_code)
        export = client.get("/audit/events.csv", query_string=query)
        export.get_data()
        assert export.status_code in (200, 302), (query, export.status_code)

    check()
