"""Every route of 管理单位管理员 and 角色管理 x every kind of caller: the expected status, and a refusal
changes nothing. Setting: unit 1 (工程公司) has its super admin (unit_admin), a plain admin (gc_admin2),
and a role 学时审核员 with the review module; unit 2's super admin (unit_admin_b) runs unit 2, with a
role of its own. No unit's administrator ever sees or changes another unit's administrators or roles;
a plain administrator never does the super administrator's things."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.administrators.models import OrgRole, OrgRoleMember, OrgRoleModule
from app.extensions import db
from app.models import ProcessEvent, RoleAssignment, User
from tests.support.matrix import call, check_route
from tests.support.people import make_user
from tests.support.world import T1, T2

PLAIN = "gc_admin2"
CALLERS = ["unit_admin_b", "unit_reviewer", "authority_admin", "process_admin", "auditor", T1, PLAIN, "unit_admin",
           None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    names = {"sup": "unit_admin", "plain": PLAIN, "b": "unit_admin_b", "auth": "authority_admin"}
    table = {caller: status for caller in CALLERS}
    table.update({names[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


ROUTES = {
    "list admins": ("GET", "/units/{unit1}/admins", None, _all(403, sup=200, plain=200), None),
    "list unit 2's admins": ("GET", "/units/{unit2}/admins", None, _all(403, b=200), None),
    "add a member": ("POST", "/units/{unit1}/admins", "{member}", _all(403, sup=201, plain=201), "unit_admin"),
    "add to unit 2": ("POST", "/units/{unit2}/admins", "{member}", _all(403, b=422), None),
    "register": ("POST", "/units/{unit1}/admins", "{register}", _all(403, sup=201, plain=201), "unit_admin"),
    "make super": ("POST", "/units/{unit1}/admins/{plain}/super", None, _all(403, sup=200), "unit_admin"),
    "reset password": ("POST", "/units/{unit1}/admins/{plain}/reset-password", None, _all(403, sup=200),
                       "unit_admin"),
    "disable": ("POST", "/units/{unit1}/admins/{plain}/disable", None, _all(403, sup=200), "unit_admin"),
    "enable": ("POST", "/units/{unit1}/admins/{plain}/enable", None, _all(403, sup=200), "unit_admin"),
    "delete": ("DELETE", "/units/{unit1}/admins/{plain}", None, _all(403, sup=204), "unit_admin"),
    "unit 2: delete": ("DELETE", "/units/{unit2}/admins/{b}", None, _all(403, b=409), None),
    "roles": ("GET", "/roles?org_id={unit1}", None, _all(403, sup=200, plain=200), None),
    "my roles": ("GET", "/roles", None, _all(403, sup=200, plain=200, b=200, auth=200), None),
    "new role": ("POST", "/roles", {"name": "新角色", "modules": ["review"]},
                 _all(403, sup=201, plain=201, b=201, auth=201), "unit_admin"),
    "edit role": ("PATCH", "/roles/{role}", {"name": "改名"}, _all(403, sup=200, plain=200), "unit_admin"),
    "role members": ("POST", "/roles/{role}/members", "{members}", _all(403, sup=200, plain=200), "unit_admin"),
    "delete role": ("DELETE", "/roles/{role}", None, _all(403, sup=204, plain=204), "unit_admin"),
    "unit 2's role": ("PATCH", "/roles/{role_b}", {"name": "改名"}, _all(403, b=200), "unit_admin_b"),
}


@pytest.fixture
def setting(app, world) -> dict:
    plain = make_user(app, PLAIN, "赵六", roles=[("admin", world.unit1)])
    with app.app_context():
        ids = {}
        for key, org in (("role", world.unit1), ("role_b", world.unit2)):
            role = OrgRole(org_id=org, name="学时审核员")
            db.session.add(role)
            db.session.flush()
            db.session.add(OrgRoleModule(role_id=role.id, module="review"))
            ids[key] = role.id
        db.session.commit()
    return {"unit1": world.unit1, "unit2": world.unit2, "plain": plain, "b": world.user["unit_admin_b"], **ids}


def _state(app) -> tuple:
    """Everything these routes can change, and the log of changes."""
    with app.app_context():
        return (tuple(db.session.execute(select(RoleAssignment.user_id, RoleAssignment.org_id, RoleAssignment.role)
                                         .order_by(RoleAssignment.id))),
                tuple(db.session.execute(select(User.id, User.is_active, User.password_hash).order_by(User.id))),
                tuple(db.session.execute(select(OrgRole.id, OrgRole.name).order_by(OrgRole.id))),
                tuple(db.session.execute(select(OrgRoleModule.role_id, OrgRoleModule.module)
                                         .order_by(OrgRoleModule.role_id, OrgRoleModule.module))),
                tuple(db.session.execute(select(OrgRoleMember.role_id, OrgRoleMember.user_id)
                                         .order_by(OrgRoleMember.role_id, OrgRoleMember.user_id))),
                db.session.scalar(select(db.func.count(ProcessEvent.id))))


def _cases() -> list[tuple[str, str | None]]:
    """(route, the caller whose call changes the state): one case per caller a route lets change it,
    the other such callers left out of that case (each case starts from the same state)."""
    cases = []
    for route, (method, _path, _body, expected, changer) in ROUTES.items():
        changers = [who for who, status in expected.items() if status < 300] if method != "GET" and changer else []
        cases += [(route, who) for who in changers] or [(route, changer)]
    return cases


@pytest.mark.parametrize(("route", "changer"), _cases())
def test_route_by_caller(api, app, world, setting, route, changer):
    method, template, body, expected, _changer = ROUTES[route]
    others = {who for who, status in expected.items() if status < 300 and who != changer} if changer else set()
    callers = [who for who in CALLERS if who not in others]
    count = iter(range(100))
    for who in CALLERS:  # log in first: a login is a change of its own (a token issued)
        if who is not None:
            api.as_(who)

    def send(who: str | None):
        payload = body
        if body == "{member}":
            payload = {"mode": "member", "user_id": world.user[T2]}
        elif body == "{register}":
            payload = {"mode": "register", "username": f"newadmin{next(count)}", "name": "孙八",
                       "phone": "13900000002", "password": "Start2024x", "password_confirm": "Start2024x"}
        elif body == "{members}":
            payload = {"user_ids": [world.user[T2]]}
        return call(api, who, method, template.format(**setting), payload)
    check_route(api, route, callers, expected, changer, lambda: _state(app), send)
