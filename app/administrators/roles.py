"""An organisation's own roles (角色管理, seed 001 §3.2): what they are and how they give work.

Design. Lanes, candidates (``task_candidate``) and pages ask one thing of a person: the (base role,
organisation) pairs they hold (``reviewer`` at 工程公司…). An organisation's administrators define
roles (``org_role``: a name) carrying *permission modules* (``org_role_module``) and give them to
their people (``org_role_member``). A module is a key of ``MODULES``: it grants one base role at the
role's organisation (``review`` → ``reviewer``: the inbox's review tasks and review pages; ``admin``
→ ``admin``: the administration pages). ``role_source`` adds those pairs to every ``Actor`` as one
more arm of the one query that builds it (``actors.add_role_source``), so the inbox, the runner's
candidate check and the header's role choices see them with no change, and a membership removed
is a candidacy removed at the next request.

A grant holds only while the member still belongs to the organisation (holds a role of its own
there): a trainee transferred away loses what their old unit's roles gave, with no clean-up.
Modules never grant ``super_admin`` (one per organisation, transferred only by 设为超级管理员).
Creating, editing, deleting a role and changing its members are audit events (old and new values);
a member's change of roles is also an access change of their account.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, case, cast, delete, exists, func, or_, select

from ..domain.text import control_characters
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _, _l
from ..models import Organisation, RoleAssignment, User
from ..services import access_changes, actors
from ..services.actors import Actor
from ..services.audit import record_admin_event
from .models import OrgRole, OrgRoleMember, OrgRoleModule

RECORD_TYPE = "org_role"
CREATE, UPDATE, DELETE, MEMBERS = "org_role_create", "org_role_update", "org_role_delete", "org_role_members"
ACTIONS = {CREATE: _l("Role created"), UPDATE: _l("Role edited"), DELETE: _l("Role deleted"),
           MEMBERS: _l("Role members changed")}
MAX_ROLES, MAX_MEMBERS = 50, 500


@dataclass(frozen=True)
class Module:
    key: str
    label: Any
    grants: str  # the base role it gives at the role's organisation
    description: Any


MODULES = {m.key: m for m in (
    Module("review", _l("审核"), "reviewer", _l("Review tasks in the inbox (学时审批, 审核账户) and the review pages")),
    Module("admin", _l("管理直属账户"), "admin", _l("The administration pages: departments, administrators, roles")),
)}


def role_source(user_id: Any) -> Any:
    """The (user, base role, organisation) rows the user's organisation roles grant."""
    grant = cast(case({key: m.grants for key, m in MODULES.items()}, value=OrgRoleModule.module), String(20))
    belongs = exists().where(RoleAssignment.user_id == OrgRoleMember.user_id, RoleAssignment.org_id == OrgRole.org_id)
    return (select(OrgRoleMember.user_id, grant.label("role"), OrgRole.org_id)
            .join(OrgRole, OrgRole.id == OrgRoleMember.role_id)
            .join(OrgRoleModule, OrgRoleModule.role_id == OrgRole.id)
            # one comparison per module, not IN (…): an IN list is expanded again at every run of the
            # statement, and this one runs on every API request (the token's look-up)
            .where(OrgRoleMember.user_id == user_id, or_(*(OrgRoleModule.module == key for key in MODULES)),
                   belongs))


actors.add_role_source("org_roles", role_source)


# -- who may ------------------------------------------------------------------------------------

def require_admin(actor: Actor, org_id: int | None) -> int:
    """Administrators of ``org_id`` (a plain one, its super administrator, or a role's ``admin``)."""
    if org_id is None or not (actor.has("admin", org_id) or actor.has("super_admin", org_id)):
        raise Forbidden(_("Only this organisation's administrators may do that."), code="not_admin")
    return org_id


def my_org(actor: Actor, org_id: int | None) -> int:
    """The organisation the actor manages: the one named, or their only one."""
    if org_id is not None:
        return require_admin(actor, org_id)
    mine = actor.orgs("admin") | actor.orgs("super_admin")
    if len(mine) != 1:
        raise (Forbidden(_("Only this organisation's administrators may do that."), code="not_admin") if not mine
               else Invalid(_("Name the organisation (org_id)."), code="org_required"))
    return next(iter(mine))


def people(org_id: int) -> list[User]:
    """The organisation's people: everyone holding a role of their own there, active accounts first."""
    held = select(RoleAssignment.user_id).where(RoleAssignment.org_id == org_id)
    return list(db.session.scalars(select(User).where(User.id.in_(held)).order_by(User.is_active.desc(), User.id)))


def _role(actor: Actor, role_id: int, *, lock: bool = False) -> OrgRole:
    row = db.session.get(OrgRole, role_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(_("Role not found."))
    require_admin(actor, row.org_id)
    return row


def _modules(role_id: int) -> list[str]:
    return sorted(db.session.scalars(select(OrgRoleModule.module).where(OrgRoleModule.role_id == role_id)))


def _members(role_id: int) -> list[int]:
    return sorted(db.session.scalars(select(OrgRoleMember.user_id).where(OrgRoleMember.role_id == role_id)))


def view(row: OrgRole) -> dict[str, Any]:
    members = db.session.execute(select(User.id, User.name, User.username).join(
        OrgRoleMember, OrgRoleMember.user_id == User.id).where(OrgRoleMember.role_id == row.id).order_by(User.id))
    return {"id": row.id, "org_id": row.org_id, "name": row.name, "modules": _modules(row.id),
            "members": [{"id": m.id, "name": m.name, "username": m.username} for m in members]}


def list_roles(actor: Actor, org_id: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    org_id = my_org(actor, org_id)
    rows = db.session.scalars(select(OrgRole).where(OrgRole.org_id == org_id).order_by(OrgRole.id))
    return org_id, [view(row) for row in rows]


def _checked(name: Any, modules: Any) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not 1 <= len(name) <= 30 or control_characters(name):
        errors["name"] = [_("A name of 1 to 30 characters.")]
    unknown = [m for m in modules or [] if m not in MODULES]
    if unknown:
        errors["modules"] = [_("Unknown permission modules: %(names)s.", names=", ".join(map(str, unknown)))]
    if errors:
        raise Invalid(_("Some role details are wrong."), code="invalid", fields=errors)
    return name, sorted(set(modules or []))


def _name_free(org_id: int, name: str, role_id: int | None = None) -> None:
    taken = db.session.scalar(select(OrgRole.id).where(OrgRole.org_id == org_id, OrgRole.name == name,
                                                       OrgRole.id != (role_id or 0)))
    if taken is not None:
        raise Conflict(_("This organisation already has a role of that name."), code="role_exists",
                       fields={"name": [_("Name taken.")]})


def _members_changing(actor: Actor, role: OrgRole, user_ids: list[int], cause: str) -> Any:
    """Each member whose pairs change gets an access change (their roles before and after)."""
    before = {uid: _pairs(uid) for uid in user_ids}

    def done() -> None:
        db.session.flush()
        for uid, old in before.items():
            new = _pairs(uid)
            if new != old:
                access_changes.record_access_change(
                    actor, access_changes.ROLE_CHANGE, uid, old={"granted_roles": old}, new={"granted_roles": new},
                    data={"cause": {"record_type": RECORD_TYPE, "record_id": role.id, "action": cause}})
    return done


def _pairs(user_id: int) -> list[list[Any]]:
    db.session.flush()
    rows = db.session.execute(role_source(user_id)).all()
    return sorted([[r.role, r.org_id] for r in set(rows)], key=lambda p: (p[0], p[1]))


def create_role(actor: Actor, org_id: int | None, name: Any, modules: Any) -> OrgRole:
    org_id = my_org(actor, org_id)
    name, modules = _checked(name, modules)
    db.session.get(Organisation, org_id, with_for_update=True)  # one name per organisation, two at once too
    _name_free(org_id, name)
    if db.session.scalar(select(func.count(OrgRole.id)).where(OrgRole.org_id == org_id)) >= MAX_ROLES:
        raise Conflict(_("An organisation may define at most %(n)s roles.", n=MAX_ROLES), code="too_many_roles")
    row = OrgRole(org_id=org_id, name=name)
    db.session.add(row)
    db.session.flush()
    db.session.add_all(OrgRoleModule(role_id=row.id, module=m) for m in modules)
    db.session.flush()
    record_admin_event(actor, CREATE, record_type=RECORD_TYPE, record_id=row.id, org_id=org_id,
                       new={"name": name, "modules": modules})
    return row


def update_role(actor: Actor, role_id: int, changes: dict[str, Any]) -> OrgRole:
    row = _role(actor, role_id, lock=True)
    old = {"name": row.name, "modules": _modules(row.id)}
    name, modules = _checked(changes.get("name", row.name), changes.get("modules", old["modules"]))
    if name != row.name:
        _name_free(row.org_id, name, row.id)
    if (name, modules) == (old["name"], old["modules"]):
        return row
    after = _members_changing(actor, row, _members(row.id), UPDATE)
    row.name = name
    db.session.execute(delete(OrgRoleModule).where(OrgRoleModule.role_id == row.id))
    db.session.add_all(OrgRoleModule(role_id=row.id, module=m) for m in modules)
    after()
    record_admin_event(actor, UPDATE, record_type=RECORD_TYPE, record_id=row.id, org_id=row.org_id, old=old,
                       new={"name": name, "modules": modules})
    return row


def delete_role(actor: Actor, role_id: int) -> None:
    row = _role(actor, role_id, lock=True)
    old = {"name": row.name, "modules": _modules(row.id), "members": _members(row.id)}
    after = _members_changing(actor, row, old["members"], DELETE)
    db.session.execute(delete(OrgRoleMember).where(OrgRoleMember.role_id == row.id))
    db.session.execute(delete(OrgRoleModule).where(OrgRoleModule.role_id == row.id))
    after()
    record_admin_event(actor, DELETE, record_type=RECORD_TYPE, record_id=row.id, org_id=row.org_id, old=old)
    db.session.delete(row)
    db.session.flush()


def set_members(actor: Actor, role_id: int, user_ids: list[int]) -> OrgRole:
    """The role's members become ``user_ids``: people of the role's organisation only."""
    row = _role(actor, role_id, lock=True)
    wanted = sorted(set(user_ids))
    if len(wanted) > MAX_MEMBERS:
        raise Invalid(_("At most %(n)s members.", n=MAX_MEMBERS), code="too_many_members")
    ours = {u.id for u in people(row.org_id)}
    strangers = [uid for uid in wanted if uid not in ours]
    if strangers:
        raise Invalid(_("Only people of this organisation can hold its roles."), code="not_a_member",
                      fields={"user_ids": [str(uid) for uid in strangers]})
    old = _members(row.id)
    if old == wanted:
        return row
    after = _members_changing(actor, row, sorted(set(old) | set(wanted)), MEMBERS)
    db.session.execute(delete(OrgRoleMember).where(OrgRoleMember.role_id == row.id,
                                                   OrgRoleMember.user_id.not_in(wanted)))
    db.session.add_all(OrgRoleMember(role_id=row.id, user_id=uid) for uid in wanted if uid not in old)
    after()
    record_admin_event(actor, MEMBERS, record_type=RECORD_TYPE, record_id=row.id, org_id=row.org_id,
                       old={"members": old}, new={"members": wanted})
    return row
