"""管理单位管理员 through the API: the list, the three ways to add one, 设为超级管理员, 重置密码, 禁用 and
删除, each an access change with old and new values (never a password)."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ProcessEvent, RoleAssignment, User
from tests.support.people import make_user
from tests.support.world import PASSWORD, T1


def _admins(api, org_id: int, who: str = "unit_admin") -> dict[str, dict]:
    response = api.as_(who).get(f"/units/{org_id}/admins")
    assert response.status_code == 200, response.get_json()
    return {row["username"]: row for row in response.get_json()["items"]}


def _roles(app, user_id: int) -> set[tuple[str, int | None]]:
    with app.app_context():
        return set(db.session.execute(select(RoleAssignment.role, RoleAssignment.org_id)
                                      .where(RoleAssignment.user_id == user_id)).all())


def _events(app, action: str, user_id: int) -> list[dict]:
    with app.app_context():
        return [e.data for e in db.session.scalars(select(ProcessEvent).where(
            ProcessEvent.action == action, ProcessEvent.record_type == "user", ProcessEvent.record_id == user_id))]


def test_the_list_shows_the_super_admin_first_with_masked_numbers(api, world):
    rows = _admins(api, world.unit1)
    assert list(rows) == ["unit_admin"]
    assert rows["unit_admin"]["super_admin"] is True and rows["unit_admin"]["active"] is True


def test_add_a_person_of_the_unit(api, app, world):
    body = {"mode": "member", "user_id": world.user[T1]}
    response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id_number"] == "3301061990****0014"  # masked
    assert ("admin", world.unit1) in _roles(app, world.user[T1])
    change = _events(app, "role_change", world.user[T1])[-1]
    assert ["admin", world.unit1] not in change["old"]["roles"] and ["admin", world.unit1] in change["new"]["roles"]
    again = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body)
    assert again.status_code == 422  # already an administrator: no longer a candidate


def test_a_person_of_another_unit_cannot_be_picked(api, app, world):
    response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins",
                                          json={"mode": "member", "user_id": world.user["unit_reviewer_b"]})
    assert response.status_code == 422
    assert ("admin", world.unit1) not in _roles(app, world.user["unit_reviewer_b"])


def test_register_a_new_administrator_who_must_change_the_password(api, app, world):
    body = {"mode": "register", "username": "gc_admin2", "name": "赵六", "phone": "13900000001",
            "password": "Start2024x", "password_confirm": "Start2024x"}
    weak = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json={**body, "password": "abc",
                                                                           "password_confirm": "abc"})
    assert weak.status_code == 422 and "password" in weak.get_json()["error"]["fields"]
    differ = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json={**body, "password_confirm": "x"})
    assert differ.status_code == 422
    response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body)
    assert response.status_code == 201, response.get_json()
    login = api.login("gc_admin2", "Start2024x").get_json()
    assert login["must_change_password"] is True
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "gc_admin2"))
    assert _roles(app, user_id) == {("admin", world.unit1)}
    assert "Start2024x" not in str(_events(app, "account_register", user_id))
    taken = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body)
    assert taken.status_code == 409


def test_add_an_existing_account_with_its_own_password(api, app, world):
    other = world.user["unit_reviewer_b"]
    body = {"mode": "existing", "username": "unit_reviewer_b", "password": "wrong-pass-1"}
    wrong = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body)
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "bad_credentials"
    assert ("admin", world.unit1) not in _roles(app, other)
    right = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json={**body, "password": PASSWORD})
    assert right.status_code == 201, right.get_json()
    assert {("admin", world.unit1), ("reviewer", world.unit2)} <= _roles(app, other)
    assert right.get_json()["only_here"] is False


def test_guessing_an_existing_accounts_password_is_throttled(api, app, world):
    body = {"mode": "existing", "username": "unit_reviewer_b", "password": "wrong-pass-1"}
    codes = [api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body).status_code for _ in range(6)]
    assert codes[0] == 422 and codes[-1] == 429
    right = api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json={**body, "password": PASSWORD})
    assert right.status_code == 429  # the right password too, until the window passes
    assert ("admin", world.unit1) not in _roles(app, world.user["unit_reviewer_b"])


def test_global_accounts_cannot_become_administrators(api, world):
    body = {"mode": "existing", "username": "auditor", "password": PASSWORD}
    assert api.as_("unit_admin").post(f"/units/{world.unit1}/admins", json=body).status_code == 409


def _second_admin(app, world, username: str = "gc_admin2") -> int:
    return make_user(app, username, "赵六", roles=[("admin", world.unit1)])


def test_make_another_administrator_the_super_admin(api, app, world):
    second = _second_admin(app, world)
    response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins/{second}/super")
    assert response.status_code == 200, response.get_json()
    rows = _admins(api, world.unit1, "gc_admin2")
    assert rows["gc_admin2"]["super_admin"] is True and "unit_admin" not in rows
    # seed 001: "变更后原超级管理员会被系统自动删除掉": no longer an administrator here
    assert _roles(app, world.user["unit_admin"]) == set()
    old_side = _events(app, "role_change", world.user["unit_admin"])[-1]
    assert {("super_admin", world.unit1), ("admin", world.unit1)} <= {tuple(r) for r in old_side["old"]["roles"]}
    assert old_side["new"]["roles"] == []
    # the former super admin can no longer do super-admin things (a fresh token: roles are read per request)
    again = api.as_("unit_admin").post(f"/units/{world.unit1}/admins/{second}/super")
    assert again.status_code == 403


def test_reset_password_shows_a_temporary_password_once(api, app, world):
    second = _second_admin(app, world)
    response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins/{second}/reset-password")
    assert response.status_code == 200, response.get_json()
    temporary = response.get_json()["password"]
    assert api.login("gc_admin2", PASSWORD).status_code == 401
    assert api.login("gc_admin2", temporary).get_json()["must_change_password"] is True
    assert temporary not in str(_events(app, "password_reset", second))


def test_disable_an_account_of_this_unit_only(api, app, world):
    second = _second_admin(app, world)
    response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins/{second}/disable")
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert api.login("gc_admin2", PASSWORD).status_code == 401
    event = _events(app, "account_disable", second)[0]
    assert event["old"] == {"is_active": True} and event["new"] == {"is_active": False}
    assert api.as_("unit_admin").post(f"/units/{world.unit1}/admins/{second}/enable").status_code == 200
    assert api.login("gc_admin2", PASSWORD).status_code == 200


def test_an_account_shared_with_another_unit_is_not_disabled_or_reset_here(api, app, world):
    shared = make_user(app, "shared_admin", "钱七", roles=[("admin", world.unit1), ("reviewer", world.unit2)])
    for action in ("disable", "reset-password"):
        response = api.as_("unit_admin").post(f"/units/{world.unit1}/admins/{shared}/{action}")
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "shared_account"
    assert api.login("shared_admin", PASSWORD).status_code == 200


def test_delete_removes_the_rights_not_the_account(api, app, world):
    second = make_user(app, "gc_admin2", "赵六", roles=[("admin", world.unit1), ("reviewer", world.unit1)])
    response = api.as_("unit_admin").delete(f"/units/{world.unit1}/admins/{second}")
    assert response.status_code == 204
    assert _roles(app, second) == {("reviewer", world.unit1)}
    assert api.login("gc_admin2", PASSWORD).status_code == 200
    assert api.as_("unit_admin").delete(f"/units/{world.unit1}/admins/{second}").status_code == 404


def test_the_super_admin_cannot_be_deleted_disabled_or_reset(api, app, world):
    me = world.user["unit_admin"]
    for method, path in (("DELETE", ""), ("POST", "/disable"), ("POST", "/reset-password"), ("POST", "/super")):
        response = api.as_("unit_admin").request(method, f"/units/{world.unit1}/admins/{me}{path}")
        assert response.status_code == 409, (path, response.get_json())
    assert ("super_admin", world.unit1) in _roles(app, me)


def test_two_transfers_at_once_leave_exactly_one_super_admin(api, app, world, monkeypatch):
    """设为超级管理员 twice at once (to two administrators): one wins, the other is refused."""
    import time

    from app.administrators import service
    from tests.support.races import run_together

    first, second = _second_admin(app, world, "gc_admin2"), _second_admin(app, world, "gc_admin3")
    locked = service._lock_as_super

    def slow(actor, org_id):
        locked(actor, org_id)
        time.sleep(0.3)  # hold the organisation's lock: the other request certainly waits on it
    monkeypatch.setattr(service, "_lock_as_super", slow)
    me = api.as_("unit_admin")
    responses = run_together([lambda: me.post(f"/units/{world.unit1}/admins/{first}/super"),
                              lambda: me.post(f"/units/{world.unit1}/admins/{second}/super")])
    codes = sorted(r.status_code for r in responses)
    # the loser: 409 if it read its roles before the winner committed (PostgreSQL), else 403
    assert codes[0] == 200 and codes[1] in (403, 409), [r.get_json() for r in responses]
    with app.app_context():
        holders = db.session.scalars(select(RoleAssignment.user_id).where(
            RoleAssignment.org_id == world.unit1, RoleAssignment.role == "super_admin")).all()
    winner = first if responses[0].status_code == 200 else second
    assert holders == [winner]
    assert ("admin", world.unit1) not in _roles(app, world.user["unit_admin"])


def test_the_database_refuses_a_second_super_admin(app, world):
    import pytest
    from sqlalchemy.exc import IntegrityError

    second = _second_admin(app, world)
    with app.app_context():
        db.session.add(RoleAssignment(user_id=second, org_id=world.unit1, role="super_admin"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
