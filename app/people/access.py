"""Who may see and change which people: a unit's administrators their unit's staff; an authority's
staff every unit below it (its subtree), its administrators also resetting passwords. Nobody else."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..i18n import _
from ..models import Organisation, RoleAssignment, User
from ..services.actors import Actor

UNIT_ADMIN_ROLES = ("admin", "super_admin")
AUTHORITY_READ_ROLES = ("reviewer", "admin", "super_admin")
AUTHORITY_RESET_ROLES = ("admin", "super_admin")


def admin_units(actor: Actor | None) -> set[int]:
    """The units whose staff ``actor`` administers (imports, resets)."""
    if actor is None:
        return set()
    return {org for role, org in actor.roles
            if role in UNIT_ADMIN_ROLES and org is not None and actor.org_kinds.get(org) == "unit"}


def _authorities(actor: Actor, roles: tuple[str, ...]) -> set[int]:
    return {org for role, org in actor.roles
            if role in roles and org is not None and actor.org_kinds.get(org) == "authority"}


def subtree(root_ids: set[int]) -> set[int]:
    """The organisations at and below ``root_ids`` (one query per level)."""
    found, frontier = set(root_ids), list(root_ids)
    while frontier:
        children = db.session.scalars(select(Organisation.id).where(Organisation.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def readable_orgs(actor: Actor | None) -> set[int]:
    """The organisations whose people ``actor`` may look up (empty: none)."""
    if actor is None:
        return set()
    return admin_units(actor) | subtree(_authorities(actor, AUTHORITY_READ_ROLES))


def may_query(actor: Actor | None) -> bool:
    return bool(admin_units(actor)) or (actor is not None and bool(_authorities(actor, AUTHORITY_READ_ROLES)))


def require_query(actor: Actor | None) -> set[int]:
    if not may_query(actor):
        raise Forbidden(_("Only unit administrators and authority staff may look people up."))
    return readable_orgs(actor)


def unit_of(user_id: int) -> int | None:
    return db.session.scalar(select(RoleAssignment.org_id).where(
        RoleAssignment.user_id == user_id, RoleAssignment.role == "trainee").order_by(RoleAssignment.id).limit(1))


def visible_person(actor: Actor | None, user_id: int) -> tuple[User, int]:
    """The person and their unit, if ``actor`` may see them (else 404: another unit's people are not
    even confirmed to exist)."""
    orgs = require_query(actor)
    unit_id = unit_of(user_id)
    user = db.session.get(User, user_id)
    if user is None or unit_id is None or unit_id not in orgs:
        raise NotFound(_("Person not found."))
    return user, unit_id


def resettable_orgs(actor: Actor) -> set[int]:
    """The organisations whose people's passwords ``actor`` may reset."""
    return admin_units(actor) | subtree(_authorities(actor, AUTHORITY_RESET_ROLES))


def may_reset(actor: Actor, unit_id: int) -> bool:
    return unit_id in resettable_orgs(actor)


def require_importer(actor: Actor | None) -> set[int]:
    units = admin_units(actor)
    if not units:
        raise Forbidden(_("Only a unit's administrators may import its staff."))
    return units


def require_import_unit(actor: Actor | None, org_id: int | None = None) -> int:
    """The unit an import goes to: the administrator's own (``org_id`` chooses among several)."""
    units = require_importer(actor)
    if org_id is None:
        if len(units) > 1:
            raise Forbidden(_("Choose the unit to import into."))
        return next(iter(units))
    if org_id not in units:
        raise Forbidden(_("You may import staff of your own unit only."))
    return org_id
