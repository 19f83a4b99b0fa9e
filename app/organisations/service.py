"""The organisation tree (组织架构树), reading an organisation and its departments (内设部门; their
changes: ``departments``), and an authority's subordinate units (管理下级单位).

Who sees what: the reviewers and administrators of an organisation see it and everything below
it (an authority its subtree; a unit itself); the global roles (system, process administrators,
auditors) read the whole tree and change nothing. Only an organisation's own administrators
change its departments; only an administrator of an authority above a unit removes it.

The tree costs two statements whatever its size: the organisations (one recursive query for the
part the person may see) and the people counted per organisation (one grouped query).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, or_, select

from ..domain import N_
from ..domain.idnumber import mask, mask_phone
from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..i18n import _
from ..models import GLOBAL_ROLES, Department, Organisation, ProcessEvent, ProcessInstance, RoleAssignment, User
from ..models.process import TaskCandidate
from ..services.access_changes import roles_changing
from ..services.actors import Actor
from ..services.audit import record_admin_event

STAFF_ROLES = ("reviewer", "admin", "super_admin")
ADMIN_ROLES = ("admin", "super_admin")
PEOPLE_ROLES = ("trainee", "reviewer", "admin")
DEPARTMENT, ORGANISATION = "department", "organisation"
ACTIONS = {"department_create": N_("新增部门"), "department_edit": N_("修改部门"),
           "department_disable": N_("禁用部门"), "department_enable": N_("启用部门"),
           "unit_remove": N_("删除下级单位")}
_ORG_COLUMNS = (Organisation.id, Organisation.name, Organisation.kind, Organisation.level, Organisation.code,
                Organisation.parent_id, Organisation.unit_type, Organisation.industry)


# -- who sees what ------------------------------------------------------------------------------

def reads_all(actor: Actor) -> bool:
    return any(actor.holds(role) for role in GLOBAL_ROLES)


def _roots(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in STAFF_ROLES and org is not None}


def require_tree_reader(actor: Actor) -> None:
    if not reads_all(actor) and not _roots(actor):
        raise Forbidden(_("Only the staff of an organisation may see the organisation tree."))


def _rows(actor: Actor) -> list[Any]:
    """The active organisations the actor may see, in one statement (a recursive query from the
    organisations they act for, or every one for the global roles)."""
    require_tree_reader(actor)
    active = Organisation.is_active.is_(True)
    if reads_all(actor):
        return list(db.session.execute(select(*_ORG_COLUMNS).where(active).order_by(Organisation.name)))
    tree = select(Organisation.id).where(Organisation.id.in_(sorted(_roots(actor))), active).cte(recursive=True)
    tree = tree.union(select(Organisation.id).join(tree, Organisation.parent_id == tree.c.id).where(active))
    return list(db.session.execute(select(*_ORG_COLUMNS).where(Organisation.id.in_(select(tree.c.id)))
                                   .order_by(Organisation.name)))


def _people_counts(org_ids: Iterable[int] | None) -> dict[int, tuple[int, int]]:
    """Organisation id -> (people holding a role there, of whom trainees), active accounts only."""
    query = (select(RoleAssignment.org_id, func.count(distinct(RoleAssignment.user_id)),
                    func.count(distinct(case((RoleAssignment.role == "trainee", RoleAssignment.user_id)))))
             .join(User, User.id == RoleAssignment.user_id)
             .where(RoleAssignment.org_id.is_not(None), RoleAssignment.role.in_(PEOPLE_ROLES), User.is_active.is_(True))
             .group_by(RoleAssignment.org_id))
    if org_ids is not None:
        query = query.where(RoleAssignment.org_id.in_(sorted(org_ids)))
    return {org: (people, trainees) for org, people, trainees in db.session.execute(query)}


def _node(row: Any, counts: dict[int, tuple[int, int]]) -> dict[str, Any]:
    people, trainees = counts.get(row.id, (0, 0))
    return {"id": row.id, "name": row.name, "kind": row.kind, "level": row.level, "code": row.code,
            "parent_id": row.parent_id, "unit_type": row.unit_type, "industry": row.industry,
            "people": people, "trainees": trainees, "sub_units": 0, "match": False, "children": []}


def tree(actor: Actor, q: str | None = None) -> list[dict[str, Any]]:
    """The organisations the actor may see as a forest of nodes (roots first, children by name), each
    with its people, trainees and direct sub-organisations counted. ``q`` keeps the organisations whose
    name or credit code contains it, with the organisations above them (``match`` marks the hits)."""
    rows = _rows(actor)
    counts = _people_counts(None if reads_all(actor) else [row.id for row in rows])
    nodes = {row.id: _node(row, counts) for row in rows}
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        if parent is not None:
            parent["sub_units"] += 1
    keep = set(nodes)
    if q:
        needle = q.strip().casefold()
        keep = set()
        for node in nodes.values():
            if needle in node["name"].casefold() or needle in (node["code"] or "").casefold():
                node["match"] = True
                walker: dict[str, Any] | None = node
                while walker is not None and walker["id"] not in keep:
                    keep.add(walker["id"])
                    walker = nodes.get(walker["parent_id"])
    roots = []
    for row in rows:  # by name
        node = nodes[row.id]
        if row.id not in keep:
            continue
        parent = nodes.get(node["parent_id"])
        (parent["children"] if parent is not None else roots).append(node)
    return roots


def _org(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or not org.is_active:
        raise NotFound(_("Organisation not found."))
    return org


def _ancestors(org: Organisation) -> list[int]:
    found, node = [], org.parent
    while node is not None and node.id not in found:
        found.append(node.id)
        node = node.parent
    return found


def sees(actor: Actor, org: Organisation) -> bool:
    roots = _roots(actor)
    return reads_all(actor) or org.id in roots or any(a in roots for a in _ancestors(org))


def visible_org(actor: Actor, org_id: int) -> Organisation:
    """The organisation, if the actor may see it (404 otherwise: others' organisations are not named)."""
    require_tree_reader(actor)
    org = _org(org_id)
    if not sees(actor, org):
        raise NotFound(_("Organisation not found."))
    return org


def administrators(org_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Organisation id -> its administrators (super administrator first), in one statement."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(RoleAssignment.org_id, RoleAssignment.role, User.id, User.name, User.username, User.id_number,
               User.phone, User.is_active)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.org_id.in_(ids), RoleAssignment.role.in_(ADMIN_ROLES))
        .order_by(RoleAssignment.org_id, User.name, User.id))
    found: dict[int, dict[int, dict[str, Any]]] = {}
    for org_id, role, user_id, name, username, id_number, phone, active in rows:
        person = found.setdefault(org_id, {}).setdefault(user_id, {
            "user_id": user_id, "name": name, "username": username if not id_number else mask(id_number),
            "phone": mask_phone(phone) if phone else "", "active": active, "super_admin": False})
        person["super_admin"] |= role == "super_admin"
    return {org_id: sorted(people.values(), key=lambda p: (not p["super_admin"], p["name"]))
            for org_id, people in found.items()}


def detail(actor: Actor, org_id: int) -> dict[str, Any]:
    """One organisation: its facts, counts, administrators and departments."""
    org = visible_org(actor, org_id)
    people, trainees = _people_counts([org.id]).get(org.id, (0, 0))
    sub_units = db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.parent_id == org.id, Organisation.is_active.is_(True)))
    return {"id": org.id, "name": org.name, "kind": org.kind, "level": org.level, "code": org.code,
            "parent_id": org.parent_id, "parent_name": org.parent.name if org.parent else None,
            "unit_type": org.unit_type, "industry": org.industry, "people": people, "trainees": trainees,
            "sub_units": sub_units, "administrators": administrators([org.id]).get(org.id, []),
            "departments": departments(actor, org.id), "can_manage_departments": manages(actor, org.id),
            "can_remove": _removing_authority(actor, org) is not None}


# -- departments ----------------------------------------------------------------------------------

def manages(actor: Actor, org_id: int) -> bool:
    return any(actor.has(role, org_id) for role in ADMIN_ROLES)


def departments(actor: Actor, org_id: int) -> list[dict[str, Any]]:
    """The organisation's departments, depth-first by name, each with its depth and people."""
    visible_org(actor, org_id)
    rows = list(db.session.scalars(select(Department).where(Department.org_id == org_id)
                                   .order_by(Department.name, Department.id)))
    people = dict(db.session.execute(
        select(User.department_id, func.count(User.id))
        .join(Department, Department.id == User.department_id)
        .where(Department.org_id == org_id, User.is_active.is_(True)).group_by(User.department_id)).all())
    children: dict[int | None, list[Department]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            out.append({"id": row.id, "name": row.name, "parent_id": row.parent_id, "active": row.is_active,
                        "depth": depth, "people": people.get(row.id, 0),
                        "sub_departments": len(children.get(row.id, []))})
            walk(row.id, depth + 1)
    walk(None, 0)
    return out


# -- subordinate units ----------------------------------------------------------------------------

def _authorities(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in ADMIN_ROLES and org is not None
            and actor.org_kinds.get(org) == "authority"}


def require_authority_admin(actor: Actor) -> set[int]:
    mine = _authorities(actor)
    if not mine:
        raise Forbidden(_("Only an authority's administrators manage its subordinate units."))
    return mine


def _removing_authority(actor: Actor, org: Organisation) -> int | None:
    """The authority (above the unit) for which the actor may remove it, if any."""
    if org.kind != "unit":
        return None
    mine = _authorities(actor)
    return next((a for a in _ancestors(org) if a in mine), None)


def subordinate_units(actor: Actor, q: str | None = None, unit_type: str | None = None) -> list[dict[str, Any]]:
    """The active units below the authorities the actor administers (directly or deeper), by name,
    each with its administrators."""
    mine = require_authority_admin(actor)
    tree = select(Organisation.id).where(Organisation.id.in_(sorted(mine))).cte(recursive=True)
    tree = tree.union(select(Organisation.id).join(tree, Organisation.parent_id == tree.c.id)
                      .where(Organisation.is_active.is_(True)))
    query = (select(*_ORG_COLUMNS).where(Organisation.id.in_(select(tree.c.id)), Organisation.kind == "unit",
                                         Organisation.is_active.is_(True)).order_by(Organisation.name))
    if q:
        needle = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Organisation.name).like(needle), func.lower(Organisation.code).like(needle)))
    if unit_type:
        query = query.where(Organisation.unit_type == unit_type)
    rows = list(db.session.execute(query))
    parents = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({row.parent_id for row in rows if row.parent_id}))).all()) if rows else {}
    admins = administrators(row.id for row in rows)
    return [{"id": row.id, "name": row.name, "code": row.code, "unit_type": row.unit_type,
             "industry": row.industry, "parent_id": row.parent_id, "parent_name": parents.get(row.parent_id),
             "direct": row.parent_id in mine, "administrators": admins.get(row.id, [])} for row in rows]


def removal_blockers(org_id: int) -> dict[str, int]:
    """What keeps a unit from being removed: people holding its trainee or reviewer roles, open tasks
    waiting for it, and running processes it took part in (whatever the process)."""
    people = db.session.scalar(select(func.count(distinct(RoleAssignment.user_id))).where(
        RoleAssignment.org_id == org_id, RoleAssignment.role.in_(("trainee", "reviewer"))))
    tasks = db.session.scalar(select(func.count(distinct(TaskCandidate.task_id))).where(
        TaskCandidate.org_id == org_id, TaskCandidate.status == "open"))
    running = db.session.scalar(select(func.count(ProcessInstance.id)).where(
        ProcessInstance.completed.is_(False), ProcessInstance.cancelled.is_(False),
        exists().where(and_(ProcessEvent.instance_id == ProcessInstance.id, ProcessEvent.actor_org_id == org_id))))
    return {"people": people or 0, "open_tasks": tasks or 0, "running_processes": running or 0}


def remove_unit(actor: Actor, org_id: int, comment: str | None = None) -> Organisation:
    """删除 a subordinate unit: it leaves the tree and every picker, its records stay. Refused while
    anyone but its administrators belongs to it or any process involving it is still running; its
    administrators lose their roles there (each an access change)."""
    require_authority_admin(actor)
    org = db.session.scalars(select(Organisation).where(Organisation.id == org_id).with_for_update()).first()
    if org is None or not org.is_active or not sees(actor, org):
        raise NotFound(_("Organisation not found."))
    authority = _removing_authority(actor, org)
    if authority is None:
        raise Forbidden(_("Only an administrator of an authority above the unit may remove it."))
    blockers = removal_blockers(org.id)
    if any(blockers.values()):
        raise Conflict(_("“%(name)s” cannot be removed: it still has %(people)s people (trainees or reviewers), "
                         "%(tasks)s open tasks and %(running)s running processes. Transfer its people and finish "
                         "its processes first.", name=org.name, people=blockers["people"],
                         tasks=blockers["open_tasks"], running=blockers["running_processes"]),
                       code="unit_in_use")
    admins = administrators([org.id]).get(org.id, [])
    for person in admins:
        with roles_changing(actor, person["user_id"], cause={"record_type": ORGANISATION, "record_id": org.id}):
            for role in list(db.session.scalars(select(RoleAssignment).where(
                    RoleAssignment.user_id == person["user_id"], RoleAssignment.org_id == org.id))):
                db.session.delete(role)
    org.is_active = False
    record_admin_event(actor, "unit_remove", record_type=ORGANISATION, record_id=org.id, org_id=authority,
                       comment=comment, old={"active": True, "administrators": [p["user_id"] for p in admins]},
                       new={"active": False, "administrators": []}, data={"name": org.name})
    db.session.flush()
    return org
