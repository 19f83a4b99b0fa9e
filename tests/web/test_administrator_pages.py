"""The pages 管理单位管理员 and 角色管理: the administrator hat only, CSRF on every form, the temporary
password shown once, refusals shown on the page (never a 500), and a role's member sees its work."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import RoleAssignment, User
from tests.support.people import make_user
from tests.support.web import logged_in
from tests.support.world import T1, T2


def test_the_super_admin_sees_the_list_the_actions_and_the_three_ways_to_add(app, world):
    make_user(app, "gc_admin2", "赵六", roles=[("admin", world.unit1)])
    page = logged_in(app, "unit_admin").text("/org/admins")
    assert "管理单位管理员" in page and "工程公司管理员" in page and "赵六" in page
    assert "超级管理员" in page and "设为超级管理员" in page and "重置密码" in page and "禁用" in page
    assert 'data-confirm=' in page  # 删除 asks first
    for way in ("选择成为管理员", "注册成为管理员", "添加成为管理员"):
        assert way in page
    assert "张伟" in page  # a person of the unit, offered in the first way
    assert "王强" not in page  # another unit's trainee is not


def test_a_plain_admin_sees_the_list_without_the_super_admins_actions(app, world):
    make_user(app, "gc_admin2", "赵六", roles=[("admin", world.unit1)])
    page = logged_in(app, "gc_admin2").text("/org/admins")
    assert "工程公司管理员" in page and "重置密码" not in page and "设为超级管理员" not in page
    response = logged_in(app, "gc_admin2").post(f"/org/admins/{world.user['unit_admin']}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == world.user["unit_admin"], RoleAssignment.role == "admin")) is not None


def test_others_are_refused_and_each_unit_sees_its_own(app, world):
    assert logged_in(app, "unit_reviewer").get("/org/admins").status_code == 403
    assert logged_in(app, T1).get("/org/roles").status_code == 403
    page = logged_in(app, "unit_admin_b").text("/org/admins")
    assert "养护公司管理员" in page and "工程公司管理员" not in page


def test_add_a_person_of_the_unit(app, world):
    client = logged_in(app, "unit_admin")
    client.get("/org/admins")
    response = client.post("/org/admins/add/member", {"member-user_id": world.user[T1]})
    assert response.status_code == 302
    assert "张伟" in client.text("/org/admins").split("新增管理员")[0]


def test_register_shows_the_problems_then_adds(app, world):
    client = logged_in(app, "unit_admin")
    client.get("/org/admins")
    body = {"register-username": "gc_admin2", "register-name": "赵六", "register-phone": "12",
            "register-password": "abc", "register-password_confirm": "abc", "register-department_id": "0"}
    bad = client.post("/org/admins/add/register", body)
    assert bad.status_code == 422
    assert "11-digit" in bad.get_data(as_text=True) or "11 位" in bad.get_data(as_text=True)
    good = client.post("/org/admins/add/register", {**body, "register-phone": "13900000001",
                                                    "register-password": "Start2024x",
                                                    "register-password_confirm": "Start2024x"})
    assert good.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "gc_admin2"))
        assert user.must_change_password is True


def test_reset_password_shows_the_temporary_password_once(app, world):
    second = make_user(app, "gc_admin2", "赵六", roles=[("admin", world.unit1)])
    client = logged_in(app, "unit_admin")
    client.get("/org/admins")
    response = client.post(f"/org/admins/{second}/reset-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    match = re.search(r'data-testid="temporary-password">.*?<code>([^<]+)</code>', response.get_data(as_text=True),
                      re.S)
    assert match is not None
    assert match.group(1) not in client.text("/org/admins")  # once
    assert logged_in(app, "gc_admin2", match.group(1)).get("/").status_code in (200, 302)


def test_disable_and_delete(app, world):
    second = make_user(app, "gc_admin2", "赵六", roles=[("admin", world.unit1)])
    client = logged_in(app, "unit_admin")
    client.get("/org/admins")
    assert client.post(f"/org/admins/{second}/disable").status_code == 302
    assert "已禁用" in client.text("/org/admins")
    assert client.post(f"/org/admins/{second}/delete").status_code == 302
    assert "赵六" not in client.text("/org/admins").split("新增管理员")[0]


def test_forms_need_the_csrf_token(app, world):
    second = make_user(app, "gc_admin2", "赵六", roles=[("admin", world.unit1)])
    client = logged_in(app, "unit_admin")
    assert client.post(f"/org/admins/{second}/delete", csrf=False).status_code == 302  # "the form expired"
    with app.app_context():
        assert db.session.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == second)) is not None


def test_a_role_gives_its_member_the_reviewer_hat(app, world):
    client = logged_in(app, "unit_admin")
    page = client.text("/org/roles")
    assert "角色管理" in page and "审核" in page
    assert client.post("/org/roles", {"name": "学时审核员", "modules": ["review"]}).status_code == 302
    bad = client.post("/org/roles", {"name": "学时审核员", "modules": ["review"]})
    assert bad.status_code == 409  # the same name again: shown on the page
    page = client.text("/org/roles")
    role_id = int(re.search(r'data-testid="role-(\d+)"', page).group(1))
    assert client.post(f"/org/roles/{role_id}/members", {"user_ids": [str(world.user[T2])]}).status_code == 302
    assert f'value="reviewer:{world.unit1}"' in _home(app, T2)  # the header offers her the unit's reviewer hat
    assert client.post(f"/org/roles/{role_id}/delete").status_code == 302
    assert f'value="reviewer:{world.unit1}"' not in _home(app, T2)


def _home(app, who: str) -> str:
    client = logged_in(app, who)
    response = client.follow(client.get("/"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_super_admin_hat_opens_the_pages_too(app, world):
    client = logged_in(app, "unit_admin")
    client.get("/org/admins")
    client.post("/role", {"role": f"super_admin:{world.unit1}"})
    page = client.text("/org/roles")
    assert f'<option value="super_admin:{world.unit1}" selected>' in page
    assert 'href="/org/admins"' in page and "角色管理" in page
