"""Changing an organisation's internal departments (内设部门): add, rename, move, 禁用 / 启用.

Only the organisation's own administrators; every change is an administrative audit event with the
old and new values (``record_type`` ``department``). Names are unique among siblings (whatever the
case), a department never ends up under itself, departments nest at most ``MAX_DEPTH`` levels, and
one change to an organisation's departments runs at a time (its row is locked) so that two
administrators adding the same name at once make one department.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..models import Department, Organisation, User
from ..services.actors import Actor
from ..services.audit import record_admin_event
from .service import DEPARTMENT, manages, visible_org

MAX_DEPTH = 5  # levels of departments


def _require_manager(actor: Actor, org_id: int) -> Organisation:
    org = visible_org(actor, org_id)
    if not manages(actor, org_id):
        raise Forbidden(_("Only the organisation's own administrators may change its departments."))
    # One change to an organisation's departments at a time: the sibling-name and cycle checks hold.
    db.session.execute(select(Organisation.id).where(Organisation.id == org_id).with_for_update())
    return org


def _department(org_id: int, department_id: int | None) -> Department:
    row = db.session.get(Department, department_id) if department_id else None
    if row is None or row.org_id != org_id:
        raise NotFound(_("Department not found."))
    return row


def _depth(row: Department | None) -> int:
    depth = 0
    while row is not None:
        depth += 1
        row = db.session.get(Department, row.parent_id) if row.parent_id else None
    return depth


def _check_parent(org_id: int, parent_id: int | None, moving: Department | None = None) -> Department | None:
    if parent_id is None:
        return None
    parent = db.session.get(Department, parent_id)
    if parent is None or parent.org_id != org_id:
        raise Invalid(_("The parent department must be a department of the same organisation."),
                      fields={"parent_id": [_("Choose a department of this organisation.")]})
    if not parent.is_active:
        raise Invalid(_("The parent department is disabled."),
                      fields={"parent_id": [_("Choose an enabled department.")]})
    node: Department | None = parent
    while moving is not None and node is not None:
        if node.id == moving.id:
            raise Invalid(_("A department cannot be placed under itself or one of its sub-departments."),
                          fields={"parent_id": [_("Choose another parent department.")]})
        node = db.session.get(Department, node.parent_id) if node.parent_id else None
    return parent


def _check_name(org_id: int, parent_id: int | None, name: str, exclude: int | None = None) -> None:
    clash = db.session.scalar(select(Department.id).where(
        Department.org_id == org_id, Department.parent_id.is_(None) if parent_id is None
        else Department.parent_id == parent_id, func.lower(Department.name) == name.lower(),
        Department.id != (exclude or 0)))
    if clash is not None:
        raise Conflict(_("A department named “%(name)s” already exists at this level.", name=name),
                       fields={"name": [_("Choose another name.")]})


def _subtree_height(row: Department) -> int:
    kids = list(db.session.scalars(select(Department).where(Department.parent_id == row.id)))
    return 1 + max((_subtree_height(kid) for kid in kids), default=0)


def _state(row: Department) -> dict[str, Any]:
    return {"name": row.name, "parent_id": row.parent_id, "active": row.is_active}


def add_department(actor: Actor, org_id: int, name: str, parent_id: int | None = None) -> Department:
    _require_manager(actor, org_id)
    parent = _check_parent(org_id, parent_id)
    if _depth(parent) + 1 > MAX_DEPTH:
        raise Invalid(_("Departments nest at most %(n)s levels deep.", n=MAX_DEPTH),
                      fields={"parent_id": [_("Choose a department higher up.")]})
    _check_name(org_id, parent_id, name)
    row = Department(org_id=org_id, parent_id=parent_id, name=name, is_active=True)
    db.session.add(row)
    db.session.flush()
    record_admin_event(actor, "department_create", record_type=DEPARTMENT, record_id=row.id, org_id=org_id,
                       old=None, new=_state(row))
    return row


def _blockers(row: Department) -> tuple[int, int]:
    subs = db.session.scalar(select(func.count(Department.id)).where(
        Department.parent_id == row.id, Department.is_active.is_(True)))
    people = db.session.scalar(select(func.count(User.id)).where(
        User.department_id == row.id, User.is_active.is_(True)))
    return subs or 0, people or 0


def update_department(actor: Actor, org_id: int, department_id: int, changes: dict[str, Any]) -> Department:
    """Rename (``name``), move (``parent_id``, None: top level), disable or enable (``active``).

    A department is disabled only once it is empty: no enabled sub-department and nobody working in
    it (they are moved first), so that nobody ends up in a department that no longer exists; it is
    enabled again only under an enabled parent."""
    _require_manager(actor, org_id)
    row = _department(org_id, department_id)
    before = _state(row)
    name = changes.get("name", row.name)
    parent_id = changes.get("parent_id", row.parent_id)
    if parent_id != row.parent_id:
        parent = _check_parent(org_id, parent_id, moving=row)
        if _depth(parent) + _subtree_height(row) > MAX_DEPTH:
            raise Invalid(_("Departments nest at most %(n)s levels deep.", n=MAX_DEPTH),
                          fields={"parent_id": [_("Choose a department higher up.")]})
    if name != row.name or parent_id != row.parent_id:
        _check_name(org_id, parent_id, name, exclude=row.id)
    active = changes.get("active", row.is_active)
    if row.is_active and not active:
        subs, people = _blockers(row)
        if subs or people:
            raise Conflict(_("“%(name)s” still has %(subs)s enabled sub-departments and %(people)s people: move or "
                             "disable them first.", name=row.name, subs=subs, people=people), code="department_in_use")
    if active and not row.is_active and row.parent_id is not None and parent_id == row.parent_id:
        _check_parent(org_id, row.parent_id)  # enabled again under an enabled parent only
    row.name, row.parent_id = name, parent_id
    if (row.name, row.parent_id) != (before["name"], before["parent_id"]):
        record_admin_event(actor, "department_edit", record_type=DEPARTMENT, record_id=row.id, org_id=org_id,
                           old={k: before[k] for k in ("name", "parent_id")},
                           new={"name": row.name, "parent_id": row.parent_id})
    if active != row.is_active:
        row.is_active = active
        record_admin_event(actor, "department_enable" if active else "department_disable", record_type=DEPARTMENT,
                           record_id=row.id, org_id=org_id, old={"active": not active}, new={"active": active})
    db.session.flush()
    return row
