"""年度申报时间与政策设置, the page: an authority administrator sees config's bounds, what is in force
and the history, and saves the year's settings through a CSRF-protected form; nobody else opens it."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.models import ProcessEvent
from app.models.policy import YearSetting
from tests.support.world import T1

PAGE = "/admin/windows"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def year(app, clock) -> int:
    with app.app_context():
        current = today().year
    clock.freeze(datetime(current, 6, 15, 10, tzinfo=SHANGHAI))
    return current


def _rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(YearSetting.id))),
                db.session.scalar(select(func.count(ProcessEvent.id)).where(
                    ProcessEvent.record_type.in_(("window", "policy")))))


def _form(year: int, **extra: str) -> dict[str, str]:
    return {"claim_opens_on": f"{year}-03-01", "claim_closes_on": f"{year}-11-30",
            "supplementary_opens_on": "", "supplementary_closes_on": "",
            "total_hours": "100", "senior_total_hours": "", "professional_hours": "70", "public_hours": "20", **extra}


def test_the_page_shows_bounds_values_in_force_and_a_protected_form(web, year):
    client = web("authority_admin")
    page = client.text(PAGE)
    assert 'name="csrf_token"' in page and 'name="claim_opens_on"' in page and 'name="total_hours"' in page
    for bound in (f"{year}-01-01", f"{year}-12-31", f"{year + 1}-03-31"):  # config's bounds
        assert bound in page, bound
    assert f"{year + 1}-01-01 – {year + 1}-01-20" in page  # the supplementary window in force (config)
    assert "90" in page and "演示市交通运输局" in page
    assert PAGE in client.text("/inbox")  # in the header


def test_saving_changes_what_is_in_force_and_the_history_shows_old_and_new(app, web, year):
    client = web("authority_admin")
    client.get(PAGE)
    saved = client.post(f"{PAGE}?year={year}", _form(year))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    page = client.follow(saved).get_data(as_text=True)
    assert f"{year}-03-01 – {year}-11-30" in page
    assert re.search(r'name="total_hours"[^>]*value="100(\.0)?"', page)
    assert _rows(app) == (1, 2)
    client.post(f"{PAGE}?year={year}", _form(year, total_hours="110"))
    page = client.text(f"{PAGE}?year={year}")
    history = page[page.index("<caption>"):]
    assert "110.0" in history and "100.0" in history  # the second change: before and after
    assert _rows(app) == (1, 3)


@pytest.mark.parametrize("fields, problem", [
    ({"claim_opens_on": "{y}-09-01", "claim_closes_on": "{y}-08-01"}, "claim_closes_on"),
    ({"total_hours": "500"}, "total_hours"),
    ({"supplementary_opens_on": "{y}-01-05", "supplementary_closes_on": "{y}-01-10"}, "supplementary_opens_on"),
])
def test_a_bad_value_is_a_form_error_and_nothing_is_saved(app, web, year, fields, problem):
    client = web("authority_admin")
    client.get(PAGE)
    response = client.post(f"{PAGE}?year={year}", _form(year, **{k: v.format(y=year) for k, v in fields.items()}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{problem}-error"' in body
    assert _rows(app) == (0, 0)


def test_a_post_without_the_csrf_token_changes_nothing(app, web, year):
    client = web("authority_admin")
    response = client.post(f"{PAGE}?year={year}", _form(year), csrf=False)
    assert response.status_code == 302  # back, with "the form expired"
    assert _rows(app) == (0, 0)


@pytest.mark.parametrize("who", ["unit_admin", "unit_reviewer", "authority_reviewer", T1, "auditor",
                                 "process_admin"])
def test_nobody_else_opens_the_page(app, web, year, who):
    client = web(who)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}?year={year}", _form(year)).status_code == 403
    assert _rows(app) == (0, 0)
    home = client.follow(client.get("/"))
    assert home.status_code == 200 and 'href="/admin/windows"' not in home.get_data(as_text=True)


def test_an_administrator_of_one_authority_may_not_open_another(web, world, year):
    client = web("authority_admin")
    assert client.get(f"{PAGE}?org={world.city_b}").status_code == 403
    assert client.get(f"{PAGE}?org={world.city}").status_code == 200


def test_the_trainees_hour_pages_show_the_authoritys_requirement(web, year):
    trainee = web(T1)
    assert "/ 90.0" in trainee.text("/hours")  # config's (Zhejiang) total
    admin = web("authority_admin")
    admin.get(PAGE)
    assert admin.post(f"{PAGE}?year={year}", _form(year)).status_code == 302
    page = trainee.text("/hours")
    assert "/ 100.0" in page and "/ 70.0" in page and "/ 20.0" in page


def test_the_trainees_claim_page_shows_the_authoritys_window(web, year):
    assert 'class="button primary" href="/claims/new"' in web(T1).text("/me")  # the platform's: open
    admin = web("authority_admin")
    admin.get(PAGE)
    closed = _form(year, claim_opens_on=f"{year}-07-01", claim_closes_on=f"{year}-07-31")
    assert admin.post(f"{PAGE}?year={year}", closed).status_code == 302
    page = web(T1).text("/me")
    assert f"{year}-07-01" in page and f"{year}-07-31" in page
    assert 'class="button primary" href="/claims/new"' not in page  # closed on 15 June: no new claim
