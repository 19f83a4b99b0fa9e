"""An organisation's administrators (管理单位管理员, seed 001 §3.2).

Its administrators hold ``admin`` there; exactly one of them also holds ``super_admin`` (超级管理员).
Administrators list them and add new ones in three ways (the seed's 新增管理员): pick a person of
the organisation (``member``), register a new account (``register``; a password the person must
change at first login), or add an existing account of another organisation, confirmed with that
account's password (``existing``; throttled as logins are). The super administrator alone passes
the title on (设为超级管理员: "变更后原超级管理员会被系统自动删除掉", the old one is no longer an
administrator here; the account stays, with its other roles), resets an administrator's
password, disables an account and deletes an administrator (their rights here, not the account).

Exactly one super administrator, also when two transfers meet: each locks the organisation's row
(SQLite: writers are serialised) and re-reads who holds the title; the partial unique index
``uq_role_assignment_super_admin`` refuses a second holder whatever happens.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select

from ..domain import idnumber
from ..domain.text import control_characters
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ..extensions import db
from ..i18n import _
from ..models import GLOBAL_ROLES, Department, Organisation, RoleAssignment, User
from ..services import access_changes, accounts
from ..services.actors import Actor
from .roles import people, require_admin

ADMIN, SUPER = "admin", "super_admin"
MODES = ("member", "register", "existing")
DISABLE, ENABLE = "account_disable", "account_enable"
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,31}$")
NOT_HERE = ("course_admin", *GLOBAL_ROLES)  # accounts that are no organisation's administrator


def _cause(org_id: int, action: str) -> dict[str, Any]:
    return {"record_type": "organisation", "record_id": org_id, "action": action}


def _org(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(_("Organisation not found."))
    return org


def _holds(user_id: int, org_id: int, role: str) -> bool:
    return db.session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user_id, RoleAssignment.org_id == org_id, RoleAssignment.role == role)) is not None


def _super_of(org_id: int) -> int | None:
    return db.session.scalar(select(RoleAssignment.user_id).where(
        RoleAssignment.org_id == org_id, RoleAssignment.role == SUPER))


def _lock_as_super(actor: Actor, org_id: int) -> None:
    """The actor is the organisation's super administrator, re-read under the organisation's lock."""
    if not actor.has(SUPER, org_id):
        raise Forbidden(_("Only the super administrator may do that."), code="not_super_admin")
    db.session.execute(select(Organisation.id).where(Organisation.id == org_id).with_for_update())
    if _super_of(org_id) != actor.id:
        raise Conflict(_("You are no longer this organisation's super administrator."), code="not_super_admin")


def _admin_here(org_id: int, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not _holds(user_id, org_id, ADMIN):
        raise NotFound(_("No such administrator here."), code="not_an_admin")
    return user


def _only_here(user_id: int, org_id: int) -> bool:
    """Every role of the account is at this organisation (its own, not shared with another)."""
    return all(org == org_id for org in db.session.scalars(
        select(RoleAssignment.org_id).where(RoleAssignment.user_id == user_id)))


# -- reading --------------------------------------------------------------------------------------

def view(user: User, org_id: int, super_id: int | None, departments: dict[int, str]) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "name": user.name,
            "id_number": idnumber.mask(user.id_number), "phone": idnumber.mask_phone(user.phone),
            "super_admin": user.id == super_id, "active": user.is_active,
            "department": departments.get(user.department_id) if user.department_id else None,
            "only_here": _only_here(user.id, org_id)}


def list_admins(actor: Actor, org_id: int) -> list[dict[str, Any]]:
    require_admin(actor, org_id)
    _org(org_id)
    super_id = _super_of(org_id)
    users = db.session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.org_id == org_id, RoleAssignment.role == ADMIN).order_by(User.id))
    names = departments(org_id)
    rows = [view(u, org_id, super_id, names) for u in users]
    return sorted(rows, key=lambda row: not row["super_admin"])


def departments(org_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name).where(
        Department.org_id == org_id, Department.is_active.is_(True)).order_by(Department.id)).all())


def candidates(actor: Actor, org_id: int) -> list[User]:
    """The organisation's people who are not its administrators yet (选择成为管理员)."""
    require_admin(actor, org_id)
    return [u for u in people(org_id) if u.is_active and not _holds(u.id, org_id, ADMIN)]


# -- adding ---------------------------------------------------------------------------------------

def _grant_admin(actor: Actor, org_id: int, user: User, how: str) -> User:
    if _holds(user.id, org_id, ADMIN):
        raise Conflict(_("This account is already an administrator here."), code="already_admin")
    with access_changes.roles_changing(actor, user.id, cause=_cause(org_id, f"admin_add_{how}")):
        db.session.add(RoleAssignment(user_id=user.id, org_id=org_id, role=ADMIN))
    return user


def add(actor: Actor, org_id: int, body: dict[str, Any], ip: str = "") -> User:
    """新增管理员 in one of ``MODES``; the new administrator's account."""
    require_admin(actor, org_id)
    _org(org_id)
    mode = body.get("mode")
    if mode == "member":
        user = db.session.get(User, body.get("user_id") or 0)
        if user is None or user.id not in {u.id for u in candidates(actor, org_id)}:
            raise Invalid(_("Pick a person of this organisation who is not an administrator yet."),
                          code="not_a_member", fields={"user_id": [_("Not a person of this organisation.")]})
        return _grant_admin(actor, org_id, user, mode)
    if mode == "register":
        return _grant_admin(actor, org_id, _register(actor, org_id, body), mode)
    if mode == "existing":
        return _grant_admin(actor, org_id, _existing(body, ip), mode)
    raise Invalid(_("Choose how to add the administrator."), code="invalid", fields={"mode": [", ".join(MODES)]})


def _register(actor: Actor, org_id: int, body: dict[str, Any]) -> User:
    """注册成为管理员: a new account (no resident ID number: staff accounts have none)."""
    errors: dict[str, list[str]] = {}
    username = (body.get("username") or "").strip()
    name = (body.get("name") or "").strip()
    phone = (body.get("phone") or "").strip()
    password = body.get("password") or ""
    if not USERNAME.match(username):
        errors["username"] = [_("3 to 32 letters, digits, '_', '.' or '-', starting with a letter.")]
    if not 2 <= len(name) <= 30 or control_characters(name):
        errors["name"] = [_("A real name of 2 to 30 characters.")]
    if not accounts.PHONE.match(phone):
        errors["phone"] = [_("An 11-digit mobile number.")]
    department_id = body.get("department_id")
    if department_id is not None and department_id not in departments(org_id):
        errors["department_id"] = [_("Not a department of this organisation.")]
    user = User(username=username, name=name, phone=phone, must_change_password=True, department_id=department_id)
    problems = accounts.password_problems(user, password)
    if problems:
        errors["password"] = problems
    elif password != body.get("password_confirm"):
        errors["password_confirm"] = [_("The two passwords differ.")]
    if errors:
        raise Invalid(_("Some administrator details are wrong."), code="invalid", fields=errors)
    if accounts.find_user(username) is not None:
        raise Conflict(_("This username is taken."), code="username_taken", fields={"username": [_("Taken.")]})
    user.password_hash = accounts.hash_password(password)
    db.session.add(user)
    db.session.flush()
    access_changes.record_access_change(actor, access_changes.REGISTER, user.id, new={
        "username": username, "name": name, "must_change_password": True, "roles": []},
        data={"cause": _cause(org_id, "admin_add_register")})
    return user


def _existing(body: dict[str, Any], ip: str) -> User:
    """添加成为管理员: an account of the system, confirmed with its own password (counted as a login)."""
    try:
        user = accounts.authenticate(body.get("username") or "", body.get("password") or "", ip)
    except Unauthorized:
        raise Invalid(_("Wrong username or password."), code="bad_credentials",
                      fields={"password": [_("Wrong username or password.")]}) from None
    if any(r.role in NOT_HERE for r in user.roles):
        raise Conflict(_("This account cannot be an organisation's administrator."), code="global_account")
    return user


# -- the super administrator's actions -------------------------------------------------------------

def make_super(actor: Actor, org_id: int, user_id: int) -> None:
    """设为超级管理员: ``user_id`` (an active administrator here) takes the title, and the actor, as the seed
    says, stops being an administrator here (their other roles, here and elsewhere, stay)."""
    _lock_as_super(actor, org_id)
    user = _admin_here(org_id, user_id)
    if user.id == actor.id:
        raise Conflict(_("You are the super administrator already."), code="already_super")
    if not user.is_active:
        raise Conflict(_("A disabled account cannot be the super administrator."), code="disabled")
    cause = _cause(org_id, "super_admin_transfer")
    with access_changes.roles_changing(actor, actor.id, cause=cause), \
            access_changes.roles_changing(actor, user.id, cause=cause):
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.org_id == org_id, RoleAssignment.role == SUPER))
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.org_id == org_id, RoleAssignment.role == ADMIN,
                                                        RoleAssignment.user_id == actor.id))
        db.session.flush()
        db.session.add(RoleAssignment(user_id=user.id, org_id=org_id, role=SUPER))


def _other_admin(actor: Actor, org_id: int, user_id: int, *, own_account: bool) -> User:
    _lock_as_super(actor, org_id)
    user = _admin_here(org_id, user_id)
    if user.id == actor.id:
        raise Conflict(_("Not on your own account."), code="own_account")
    if own_account and not _only_here(user.id, org_id):
        raise Conflict(_("This account also belongs to another organisation: only an administrator of every "
                         "organisation it belongs to could agree to that. Delete its administrator rights here "
                         "instead."), code="shared_account")
    return user


def reset_password(actor: Actor, org_id: int, user_id: int) -> str:
    """重置密码: a temporary password, shown once; the person must change it at the next login."""
    return accounts.reset_password(actor, _other_admin(actor, org_id, user_id, own_account=True))


def set_active(actor: Actor, org_id: int, user_id: int, active: bool) -> User:
    """禁用 (or enable again) an administrator's account: it can no longer log in, anywhere."""
    user = _other_admin(actor, org_id, user_id, own_account=True)
    if user.is_active != active:
        user.is_active = active
        access_changes.record_access_change(actor, ENABLE if active else DISABLE, user.id,
                                            old={"is_active": not active}, new={"is_active": active},
                                            data={"cause": _cause(org_id, ENABLE if active else DISABLE)})
    return user


def remove(actor: Actor, org_id: int, user_id: int) -> None:
    """删除: the administrator's rights here end; the account stays (the super administrator's cannot)."""
    user = _other_admin(actor, org_id, user_id, own_account=False)
    with access_changes.roles_changing(actor, user.id, cause=_cause(org_id, "admin_remove")):
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id,
                                                        RoleAssignment.org_id == org_id,
                                                        RoleAssignment.role == ADMIN))
