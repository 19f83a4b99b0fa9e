"""用户单位注册 (public), the applicant's registration page, and 审核用人单位 for the parent authority."""
from __future__ import annotations

import re

from app.domain.credit_code import check_character
from tests.support.people import NEW_TRAINEE_ID, make_user
from tests.support.world import PASSWORD, T1


def _form(world, **changes) -> dict:
    first17 = "91330100MA2P4R6T8"
    form = {"name": "网页注册测试单位", "unit_type": "事业单位", "industry": "水上运输业",
            "credit_code": first17 + check_character(first17), "parent_id": str(world.city),
            "username": "webunit", "admin_name": "孙丽", "phone": "13900000003", "password": PASSWORD,
            "confirm": PASSWORD}
    form.update(changes)
    return form


def test_the_form_is_public_and_linked_from_the_login_and_enrolment_pages(app, web, world):
    client = web()
    assert 'href="/units/register"' in client.text("/login")
    page = client.text("/units/register")
    assert 'name="csrf_token"' in page and 'name="credit_code"' in page
    assert f'<option value="{world.city}">' in page and "演示省交通运输厅" in page  # the authority tree
    assert f'<option value="{world.unit1}">' not in page  # units are no parent authority
    make_user(app, NEW_TRAINEE_ID, "新学员", id_number=NEW_TRAINEE_ID)  # not enrolled yet: picks a unit
    assert 'href="/units/register"' in web(NEW_TRAINEE_ID).text("/enrollment")


def test_registering_then_following_the_registration_until_refused(api, web, world):
    client = web()
    client.get("/units/register")
    response = client.post("/units/register", _form(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    applicant = web("webunit")  # logs in with no role: lands on the registration
    home = applicant.follow(applicant.get("/"))
    page = home.get_data(as_text=True)
    assert home.status_code == 200 and "网页注册测试单位" in page and "待审核" in page
    reviewer = web("authority_reviewer")
    pending = reviewer.text("/units/registrations")
    assert "网页注册测试单位" in pending and "孙丽" in pending
    task_link = re.search(r'href="(/tasks/\d+)\?next=', pending).group(1)
    task_page = reviewer.text(task_link)
    assert "网页注册测试单位" in task_page and "水上运输业" in task_page
    assert reviewer.post(f"{task_link}/complete", {"decision": "reject"}).status_code == 422  # a reason first
    refused = reviewer.post(f"{task_link}/complete", {"decision": "reject", "comment": "请核实单位名称"})
    assert refused.status_code == 302
    assert "网页注册测试单位" in reviewer.text("/units/registrations?tab=reviewed")
    mine = applicant.text("/units/registrations/mine")
    assert "审核不通过" in mine and "请核实单位名称" in mine
    detail = applicant.text(re.search(r'href="(/units/registrations/\d+)"', mine).group(1))
    assert "请核实单位名称" in detail and "审核用人单位" in detail  # the reason and the flow log
    # 重新注册: the form on the same page, filled with the refused details; corrected, it waits again
    assert 'action="/units/registrations/again"' in mine and 'value="网页注册测试单位"' in mine
    bad = applicant.post("/units/registrations/again", {**_form(world), "credit_code": "123"})
    assert bad.status_code == 422 and 'id="credit_code-error"' in bad.get_data(as_text=True)
    again = applicant.post("/units/registrations/again", _form(world, name="网页注册测试单位（更正）"))
    assert again.status_code == 302 and again.headers["Location"].endswith("/units/registrations/mine")
    after = applicant.text("/units/registrations/mine")
    assert "网页注册测试单位（更正）" in after and "待审核" in after
    assert 'action="/units/registrations/again"' not in after  # one waits: no form
    assert "网页注册测试单位（更正）" in reviewer.text("/units/registrations")


def test_bad_details_stay_on_the_form_with_their_errors(web, world):
    client = web()
    client.get("/units/register")
    response = client.post("/units/register", _form(world, credit_code="91330100MA2P4R6T80", password="weak",
                                                    confirm="weak"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="credit_code-error"' in page and 'id="password-error"' in page
    differ = client.post("/units/register", _form(world, confirm="something-else1"))
    assert differ.status_code == 422
    no_token = web().post("/units/register", _form(world), csrf=False)
    assert no_token.status_code == 302  # the app's "form expired" answer: nothing registered
    assert client.post("/login", {"username": "webunit", "password": PASSWORD}).status_code != 302  # no account


def test_who_may_open_the_review_and_detail_pages(api, web, world):
    body = {**{k: v for k, v in _form(world).items() if k != "confirm"}, "parent_id": world.city}
    registered = api.anonymous.post("/units", json=body)
    assert registered.status_code == 201, registered.get_json()
    reg_id = registered.get_json()["id"]
    assert web("authority_reviewer").get(f"/units/registrations/{reg_id}").status_code == 200
    assert web("authority_reviewer_b").get(f"/units/registrations/{reg_id}").status_code == 404
    assert web("unit_admin").get(f"/units/registrations/{reg_id}").status_code == 404
    assert web("unit_admin").get("/units/registrations").status_code == 403  # not an authority
    assert web(T1).get("/units/registrations").status_code == 403
    anonymous = web().get(f"/units/registrations/{reg_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = web("authority_reviewer_b").text("/units/registrations")
    assert "网页注册测试单位" not in other
