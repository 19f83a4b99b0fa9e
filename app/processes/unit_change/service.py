"""Changes of an organisation: who may ask for, see and cancel one, and what approving it changes.

Change of parent (``bpmn/unit_parent_change.bpmn``): the old and the new parent review in
parallel; both approving runs ``apply_parent_change`` (``move_org`` here); either refusing ends
it at once, closing the other review; the unit may cancel while it waits (the ``cancel`` message).

Change of name / credit code (``bpmn/unit_change.bpmn``): the organisation's administrator asks;
its parent reviews; approving runs ``apply_info_change`` (``apply_info`` here), which checks once
more that no other organisation holds the name or code. One change of any kind pending at a time.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...clock import utcnow
from ...db import by_id
from ...domain import credit_code
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _
from ...models import Organisation, ProcessInstance
from ...services import plugins, runner
from ...services.actors import Actor
from ...services.audit import record_admin_event
from .models import INFO, PARENT, UnitChange

RECORD_TYPE = "unit_change"
STAFF_ROLES = ("reviewer", "admin")  # who acts for an organisation here
INFO_ROLES = ("admin", "super_admin")  # who asks for (and cancels) a change of name or code
CHANGEABLE = ("unit", "authority")  # the kinds of organisation that may change parent
PENDING = "pending"


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


def _staff_orgs(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in STAFF_ROLES and org is not None}


def visible(change: UnitChange, actor: Actor) -> bool:
    """The organisation itself and both parents; nobody else (auditors aside)."""
    return actor.can_read_all_processes or bool(
        _staff_orgs(actor) & {change.org_id, change.old_parent_id, change.new_parent_id})


def get_visible(change_id: int, actor: Actor) -> UnitChange:
    change = by_id(UnitChange, change_id)
    if change is None or not visible(change, actor):
        raise NotFound(_("Change not found."))
    return change


def of_org(org_id: int) -> list[UnitChange]:
    return list(db.session.scalars(select(UnitChange).where(UnitChange.org_id == org_id)
                                   .order_by(UnitChange.id.desc()).limit(200)))


def changes(ids: list[int]) -> list[UnitChange]:
    """These changes, newest first (a change the unit cancelled is left out: it leaves no pending or
    reviewed row behind, as in seed 001)."""
    if not ids:
        return []
    return list(db.session.scalars(select(UnitChange).where(UnitChange.id.in_(ids), UnitChange.status != "cancelled")
                                   .order_by(UnitChange.id.desc())))


def parent_choices(org: Organisation) -> list[Organisation]:
    """The authorities ``org`` may move under: not its current parent, not itself or below it."""
    below = _descendants(org.id)
    return [a for a in db.session.scalars(select(Organisation).where(Organisation.kind == "authority")
                                          .order_by(Organisation.name))
            if a.id != org.parent_id and a.id not in below]


def _descendants(org_id: int) -> set[int]:
    found, frontier = {org_id}, [org_id]
    while frontier:
        children = db.session.scalars(select(Organisation.id).where(Organisation.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def request_parent_change(org_id: int, actor: Actor, payload: dict[str, Any]) -> UnitChange:
    """更换上级部门: the organisation asks to move under ``new_parent_id``; both parents review."""
    org = db.session.get(Organisation, org_id)
    if org is None or not actor.staff_of(org_id, STAFF_ROLES):
        raise NotFound(_("Organisation not found."))
    if org.kind not in CHANGEABLE:
        raise Forbidden(_("This organisation cannot change its parent authority here."))
    new_parent = db.session.get(Organisation, payload["new_parent_id"])
    if new_parent is None or new_parent.id not in {a.id for a in parent_choices(org)}:
        raise Invalid(_("Choose an authority other than the current parent (and not below this organisation)."),
                      code="invalid", fields={"new_parent_id": [_("Not a possible parent.")]})
    if org.parent_id is None:
        raise Conflict(_("This organisation has no parent authority to change."), code="no_parent")
    _refuse_if_pending(org)
    change = UnitChange(org_id=org.id, kind=PARENT, old_parent_id=org.parent_id, new_parent_id=new_parent.id,
                        reason=payload["reason"], requested_by_id=actor.id)
    db.session.add(change)
    db.session.flush()
    instance = runner.start(_plugin(), change, actor, {"record_id": change.id}, action="request",
                            event_data={"old_parent_id": org.parent_id, "new_parent_id": new_parent.id})
    change.instance_id = instance.id
    return change


def _refuse_if_pending(org: Organisation) -> None:
    """One change of an organisation, of any kind, waits at a time (locks the organisation's row)."""
    db.session.execute(select(Organisation.id).where(Organisation.id == org.id).with_for_update())
    pending = db.session.scalar(select(UnitChange.id).where(UnitChange.org_id == org.id,
                                                            UnitChange.status == PENDING))
    if pending is not None:
        raise Conflict(_("A change of this organisation is already waiting for review (no. %(id)s); it may "
                         "ask for another once nothing is pending.", id=pending), code="change_pending")


def _taken(org_id: int, name: str | None, code: str | None) -> dict[str, list[str]]:
    """The fields whose new value another organisation already holds."""
    fields: dict[str, list[str]] = {}
    if name and db.session.scalar(select(Organisation.id).where(
            func.lower(Organisation.name) == name.lower(), Organisation.id != org_id).limit(1)) is not None:
        fields["name"] = [_("Another organisation already has this name.")]
    if code and db.session.scalar(select(Organisation.id).where(
            Organisation.code == code, Organisation.id != org_id).limit(1)) is not None:
        fields["code"] = [_("Another organisation already has this credit code.")]
    return fields


def request_info_change(org_id: int, actor: Actor, payload: dict[str, Any]) -> UnitChange:
    """修改单位信息: the administrator asks for a new name and/or credit code; the parent reviews."""
    org = db.session.get(Organisation, org_id)
    if org is None or not actor.staff_of(org_id, STAFF_ROLES):
        raise NotFound(_("Organisation not found."))
    if not actor.staff_of(org_id, INFO_ROLES):
        raise Forbidden(_("Only the organisation's administrators may change its information."))
    if org.kind not in CHANGEABLE:
        raise Forbidden(_("This organisation cannot change its information here."))
    if org.parent_id is None:
        raise Conflict(_("This organisation has no parent authority to review the change."), code="no_parent")
    name = " ".join((payload.get("name") or "").split()) or None
    code = credit_code.normalise(payload.get("code")) or None
    fields: dict[str, list[str]] = {}
    if code is not None and not credit_code.is_valid(code):
        fields["code"] = [_("Not a valid unified social credit code (18 characters, with a correct check "
                            "character).")]
    name = None if name == org.name else name
    code = None if code == (org.code or None) else code
    if not fields and name is None and code is None:
        raise Invalid(_("Give a new name or a new credit code (at least one must change)."), code="no_change",
                      fields={"name": [_("Unchanged.")], "code": [_("Unchanged.")]})
    fields.update({k: v for k, v in _taken(org.id, name, code).items() if k not in fields})
    if fields:
        raise Invalid(_("Please correct the marked fields."), code="invalid", fields=fields)
    _refuse_if_pending(org)
    change = UnitChange(org_id=org.id, kind=INFO, old_parent_id=org.parent_id, reason=payload["reason"],
                        old_name=org.name, new_name=name, old_code=org.code, new_code=code,
                        requested_by_id=actor.id)
    db.session.add(change)
    db.session.flush()
    instance = runner.start(_plugin(), change, actor, {"record_id": change.id}, process_key="unit_change",
                            action="request", event_data={"new_name": name, "new_code": code})
    change.instance_id = instance.id
    return change


def _taken_meanwhile(fields: dict[str, list[str]]) -> Conflict:
    return Conflict(_("Another organisation now has the new name or credit code; this change cannot take "
                      "effect. Reject it with a reason."), code="taken", fields=fields)


def apply_info(change: UnitChange, actor: Actor | None) -> dict[str, Any]:
    """The parent approved: the new name and/or code from now on, if nobody took them meanwhile."""
    org = db.session.get(Organisation, change.org_id)
    taken = _taken(org.id, change.new_name, change.new_code)
    if taken:
        raise _taken_meanwhile(taken)
    old = {"name": org.name, "code": org.code}
    try:
        with db.session.begin_nested():  # another organisation took them since the check: the same refusal
            if change.new_name:
                org.name = change.new_name
            if change.new_code:
                org.code = change.new_code
    except IntegrityError:
        raise _taken_meanwhile(_taken(org.id, change.new_name, change.new_code)) from None
    change.applied_at = utcnow()
    new = {"name": org.name, "code": org.code}
    record_admin_event(actor, "unit_info_change", record_type="organisation", record_id=org.id, org_id=org.id,
                       old=old, new=new, data={"change_id": change.id})
    return new


def requester_roles(change: UnitChange) -> tuple[str, ...]:
    return INFO_ROLES if change.kind == INFO else STAFF_ROLES


def cancel(change_id: int, actor: Actor, reason: str | None = None) -> UnitChange:
    change = get_visible(change_id, actor)
    if not actor.staff_of(change.org_id, requester_roles(change)):
        raise Forbidden(_("Only the organisation that asked for the change may cancel it."))
    try:
        runner.send_message(change.instance_id, _plugin(), change.id, actor, "cancel", "cancel", comment=reason)
    except Conflict:
        raise Conflict(_("The change has been decided; it can no longer be cancelled."),
                       code="not_cancellable") from None
    return change


def can_cancel(change: UnitChange, actor: Actor) -> bool:
    instance = db.session.get(ProcessInstance, change.instance_id)
    return actor.staff_of(change.org_id, requester_roles(change)) and "cancel" in runner.listening(instance)


def move_org(change: UnitChange) -> dict[str, Any]:
    """Both parents approved: the organisation is under its new parent from now on."""
    org = db.session.get(Organisation, change.org_id)
    org.parent_id = change.new_parent_id
    change.applied_at = utcnow()
    return {"parent_id": change.new_parent_id}


def parents_after_changes(org_ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """For each organisation: (its latest approved change, its parent now), for the consistency check."""
    if not org_ids:
        return {}
    latest = dict(db.session.execute(
        select(UnitChange.org_id, func.max(UnitChange.id))
        .where(UnitChange.org_id.in_(set(org_ids)), UnitChange.status == "approved", UnitChange.kind == PARENT)
        .group_by(UnitChange.org_id)).all())
    parents = dict(db.session.execute(
        select(Organisation.id, Organisation.parent_id).where(Organisation.id.in_(set(org_ids)))).all())
    return {org_id: (change_id, parents.get(org_id)) for org_id, change_id in latest.items()}
