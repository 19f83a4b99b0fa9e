"""Login, logout, first-login password change, throttling, roles, language, idle expiry."""
from __future__ import annotations

import time

from app.domain.idnumber import check_digit
from app.extensions import db
from app.models import RoleAssignment, User, WebSession
from tests.support.world import T1

NEW_ID = "44030519850304002" + check_digit("44030519850304002")


def test_login_page_is_chinese_by_default_and_english_on_request(web):
    client = web()
    page = client.text("/login")
    assert "登录" in page and 'lang="zh-CN"' in page
    assert "演示省交通运输行业" in page  # config.toml's REGION_NAME names the platform
    client.get("/lang/en?next=/login")
    assert "Log in" in client.text("/login")


def test_wrong_password_is_shown_next_to_the_form_and_username_kept(web):
    client = web()
    response = client.login("unit_reviewer", "nope")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "用户名或密码错误" in page and 'value="unit_reviewer"' in page


def test_logins_are_throttled_after_repeated_failures(web):
    client = web()
    for _ in range(5):
        assert client.login("unit_reviewer", "wrong").status_code == 401
    blocked = client.login("unit_reviewer")  # even the right password now waits
    assert blocked.status_code == 429 and "登录失败次数过多" in blocked.get_data(as_text=True)
    assert web().login("unit_reviewer_b").status_code == 302  # other accounts are unaffected


def test_reviewer_lands_in_the_inbox_and_trainee_at_home(web):
    reviewer = web("unit_reviewer")
    assert reviewer.get("/").headers["Location"].endswith("/inbox")
    trainee = web(T1)
    assert trainee.get("/").headers["Location"].endswith("/hours")  # 学习首页


def test_logout_revokes_the_session_even_for_a_copied_cookie(app, web):
    client = web("unit_reviewer")
    cookie = client.client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(WebSession.revoked_at)) is not None


def test_idle_session_expires(app, web, monkeypatch):
    client = web("unit_reviewer")
    assert client.get("/inbox").status_code == 200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 31 * 60)
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_static_files_and_pages_that_change_nothing_set_no_session_cookie(web):
    """A response that did not change the session must not send it back: the browser loads a page's
    files while the person switches the language, and an older copy arriving last would undo it."""
    client = web("unit_reviewer")
    for path in ("/static/css/app.css", "/favicon.ico"):
        response = client.get(path)
        assert response.status_code in (200, 304)
        assert "Set-Cookie" not in response.headers, path
    assert "Set-Cookie" in client.get("/inbox").headers  # activity re-signs it (the idle clock)
    assert "Set-Cookie" in client.get("/lang/en").headers


def test_the_api_neither_reads_nor_sends_the_page_session(app, web, api):
    """The API answers by bearer token alone: a browser's session cookie sent along logs nobody in
    and is never sent back (the API does not open the cookie session at all)."""
    client = web("unit_reviewer")
    assert client.get("/inbox").status_code == 200
    anonymous = client.get("/api/v1/tasks")  # the page's cookie, no token
    assert anonymous.status_code == 401 and "Set-Cookie" not in anonymous.headers
    with_token = client.get("/api/v1/tasks", headers=api.as_("unit_reviewer")._headers())
    assert with_token.status_code == 200 and "Set-Cookie" not in with_token.headers
    assert client.get("/inbox").status_code == 200  # the page session is untouched
    cookie = client.client.get_cookie("session").value
    for path, opened in (("/inbox", True), ("/api/v1/tasks", False)):
        with app.test_request_context(path, headers={"Cookie": f"session={cookie}"}) as ctx:
            assert bool(ctx.app.session_interface.open_session(ctx.app, ctx.request).get("sid")) is opened, path


def test_forms_need_the_csrf_token(web):
    client = web("unit_reviewer")
    response = client.post("/logout", {}, csrf=False)
    assert response.status_code == 302
    assert client.get("/inbox").status_code == 200  # still logged in: the forged logout did nothing


def test_first_login_must_change_the_password(app, web):
    client = web()
    client.get("/register")
    response = client.post("/register", {"id_number": NEW_ID, "name": "钱七", "phone": "13900000001"})
    assert response.status_code == 302
    response = client.login(NEW_ID, NEW_ID[-6:])
    assert response.headers["Location"].endswith("/password")
    assert client.get("/me").headers["Location"].endswith("/password")
    weak = client.post("/password", {"old_password": NEW_ID[-6:], "new_password": "short",
                                     "confirm": "short"})
    assert weak.status_code == 422 and "密码至少 8 位" in weak.get_data(as_text=True)
    ok = client.post("/password", {"old_password": NEW_ID[-6:], "new_password": "Qian2026qi",
                                   "confirm": "Qian2026qi"})
    assert ok.status_code == 302
    assert client.get("/me").status_code == 200


def test_role_switcher_changes_what_a_person_sees(app, web, world):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "unit_reviewer"))
        user.roles.append(RoleAssignment(role="reviewer", org_id=world.unit2))
        db.session.commit()
    client = web("unit_reviewer")
    page = client.text("/inbox")
    assert "演示公路养护有限公司" in page  # offered in the switcher
    response = client.post("/role", {"role": f"reviewer:{world.unit2}"})
    assert response.status_code == 302
    assert client.post("/role", {"role": f"reviewer:{world.city}"}).status_code == 302  # not held: refused
    assert "演示公路养护有限公司" in client.text("/inbox")


def test_english_chosen_on_the_login_page_survives_the_login(web):
    client = web()
    client.get("/lang/en?next=/login")
    assert "Log in" in client.text("/login")
    response = client.login("unit_reviewer")
    assert response.status_code == 302
    page = client.text("/inbox")
    assert 'lang="en"' in page and "My tasks" in page
    client.post("/logout")
    assert "Log in" in client.text("/login")  # and it is still English after logging out


def test_the_header_does_not_repeat_a_role_that_is_the_persons_name(web):
    page = web("auditor").text("/processes")  # the demo auditor is called 审计员, as the role
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert header.count("审计员") == 1
    reviewer = web("unit_reviewer").text("/inbox").split("<header", 1)[1].split("</header>", 1)[0]
    assert "工程公司审核员" in reviewer and "审核员 · 演示交通工程有限公司" in reviewer
