"""Staff transfers: who may file, see and cancel one, and what accepting it changes.

The diagram (``bpmn/staff_transfer.bpmn``) decides the path: the target unit accepts or
refuses (``confirm_transfer``), the filing unit may cancel while it waits (the ``cancel``
message). Accepting runs ``apply_transfer`` (``move_person`` here).
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import bindparam, or_, select

from ...clock import today, utcnow
from ...db import by_id
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _
from ...models import Organisation, RoleAssignment, User
from ...services import accounts, attachments, orgs, plugins, runner
from ...services.actors import Actor
from ..enrollment import service as enrollments
from .models import StaffTransfer

RECORD_TYPE = "transfer"
STAFF_ROLES = ("reviewer", "admin")  # who acts for a unit in a transfer
PENDING = "pending"


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- access ---------------------------------------------------------------------------------

def visible(transfer: StaffTransfer, actor: Actor) -> bool:
    """Both units keep the record; the person sees their own; nobody else."""
    return (actor.staff_of(transfer.from_unit_id, STAFF_ROLES) or actor.staff_of(transfer.to_unit_id, STAFF_ROLES)
            or transfer.person_id == actor.id or actor.can_read_all_processes)


def get_visible(transfer_id: int, actor: Actor) -> StaffTransfer:
    transfer = by_id(StaffTransfer, transfer_id)
    if transfer is None or not visible(transfer, actor):
        raise NotFound(_("Transfer not found."))
    return transfer


def my_units(actor: Actor) -> set[int]:
    """The units the actor acts for in transfers."""
    return {org for role, org in actor.roles if role in STAFF_ROLES and org is not None
            and actor.org_kinds.get(org) == "unit"}


def list_for(actor: Actor, direction: str | None = None, status: str | None = None) -> list[StaffTransfer]:
    """Transfers into (``in``) or out of (``out``) the actor's units, newest first."""
    units = my_units(actor)
    if not units:
        return []
    incoming, outgoing = StaffTransfer.to_unit_id.in_(units), StaffTransfer.from_unit_id.in_(units)
    where = {"in": incoming, "out": outgoing}.get(direction or "", or_(incoming, outgoing))
    query = select(StaffTransfer).where(where)
    if status:
        query = query.where(StaffTransfer.status == status)
    return list(db.session.scalars(query.order_by(StaffTransfer.id.desc()).limit(500)))


def staff_of_unit(unit_id: int) -> list[User]:
    """The trainees of a unit (whom it may transfer out), by name."""
    return list(db.session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.org_id == unit_id, RoleAssignment.role == "trainee", User.is_active.is_(True))
        .order_by(User.name, User.id)))


# -- filing ------------------------------------------------------------------------------------

def _from_unit(actor: Actor, person: User | None) -> int:
    """The unit the person belongs to, which the actor must act for."""
    if not my_units(actor):
        raise Forbidden(_("Only a unit's reviewers or administrators file staff transfers."))
    unit = accounts.trainee_unit(person.id) if person is not None else None
    if unit is None or unit not in my_units(actor):
        raise Invalid(_("No trainee of your unit has this ID number."), code="invalid",
                      fields={"id_number": [_("Not a trainee of your unit.")]})
    return unit


# Built once: every filing asks them (building each cost ~100–200 Python calls).
_PERSON_BY_ID_NUMBER = select(User).where(User.id_number == bindparam("id_number"))
_PENDING_OF = select(StaffTransfer.id).where(StaffTransfer.person_id == bindparam("pending_person"),
                                             StaffTransfer.status == PENDING)


def file(actor: Actor, payload: dict[str, Any]) -> StaffTransfer:
    """A transfer-out (提交转出申请) of one of the actor's unit's trainees to another unit."""
    person = db.session.scalar(_PERSON_BY_ID_NUMBER, {"id_number": payload["id_number"].upper()})
    from_unit = _from_unit(actor, person)
    target = orgs.active_unit(payload["to_unit_id"])
    if target is None:
        raise Invalid(_("Choose the unit the person moves to."), code="invalid",
                      fields={"to_unit_id": [_("Not a unit.")]})
    if target.id == from_unit:
        raise Invalid(_("The person already belongs to this unit."), code="invalid",
                      fields={"to_unit_id": [_("Choose another unit.")]})
    pending = db.session.scalar(_PENDING_OF, {"pending_person": person.id})
    if pending is not None:
        raise Conflict(_("A transfer of this person is already waiting (no. %(id)s).", id=pending),
                       code="transfer_pending")
    waiting = enrollments.waiting_review(person.id)
    if waiting is not None:
        raise Conflict(_("This person's enrolment for %(year)s still waits for a review; finish it first.",
                         year=waiting.year), code="enrolment_pending")
    transfer = StaffTransfer(person_id=person.id, from_unit_id=from_unit, to_unit_id=target.id,
                             reason=payload["reason"], contact_name=payload["contact_name"],
                             contact_phone=payload["contact_phone"], filed_by_id=actor.id)
    db.session.add(transfer)
    db.session.flush()
    instance = runner.start(_plugin(), transfer, actor, {"record_id": transfer.id}, action="file",
                            event_data={"from_unit_id": from_unit, "to_unit_id": target.id})
    transfer.instance_id = instance.id
    return transfer


def _filed_by_me(transfer_id: int, actor: Actor) -> StaffTransfer:
    transfer = get_visible(transfer_id, actor)
    if not actor.staff_of(transfer.from_unit_id, STAFF_ROLES):
        raise Forbidden(_("Only the unit that filed the transfer may do this."))
    return transfer


def cancel(transfer_id: int, actor: Actor, reason: str | None = None) -> StaffTransfer:
    """The filing unit takes the transfer back while the target unit has not decided."""
    transfer = _filed_by_me(transfer_id, actor)
    try:
        runner.send_message(transfer.instance_id, _plugin(), transfer.id, actor, "cancel", "cancel",
                            comment=reason)
    except Conflict:
        raise Conflict(_("The target unit has already decided; the transfer can no longer be cancelled."),
                       code="not_cancellable") from None
    return transfer


def move_person(transfer: StaffTransfer, actor: Actor | None, process_key: str | None = None) -> dict[str, Any]:
    """同意转入: the person now belongs to the new unit, and so do this year's enrolments."""
    accounts.set_trainee_unit(transfer.person_id, transfer.to_unit_id, actor, process_key=process_key,
                              cause={"record_type": RECORD_TYPE, "record_id": transfer.id})
    moved = enrollments.move_unit(transfer.person_id, transfer.from_unit_id, transfer.to_unit_id, today().year,
                                  actor, {"transfer_id": transfer.id})
    transfer.moved_at = utcnow()
    return {"enrollments_moved": moved}


# -- the optional attachment --------------------------------------------------------------------

def file_policy() -> attachments.FilePolicy:
    limits = current_app.config["UPLOADS"]
    return attachments.FilePolicy(prefix="transfers", max_files=3, max_bytes=limits["MAX_FILE_BYTES"],
                                  max_description=60, description_required=False)


def add_file(transfer_id: int, actor: Actor, data: bytes, filename: str | None, description: str | None) -> Any:
    """A letter or form for the transfer (附件), while it waits for the target unit."""
    transfer = _filed_by_me(transfer_id, actor)
    instance = runner.lock_instance(transfer.instance_id)
    if instance.completed:
        raise Conflict(_("The transfer has been decided; its attachments can no longer change."),
                       code="not_editable")
    return attachments.add(instance, file_policy(), actor, data, filename, description)


def read_file(transfer_id: int, file_id: int, actor: Actor) -> tuple[Any, bytes]:
    transfer = get_visible(transfer_id, actor)
    return attachments.read(RECORD_TYPE, transfer.id, file_id, actor)


def demo_transfer(person: User, from_unit: Organisation, to_unit: Organisation, from_reviewer: User,
                  to_reviewer: User) -> None:
    """Demo data: ``from_unit`` files the person's transfer and ``to_unit`` accepts it."""
    if db.session.scalar(select(StaffTransfer.id).where(StaffTransfer.person_id == person.id)) is not None:
        return
    transfer = file(Actor.of(from_reviewer), {
        "id_number": person.id_number, "to_unit_id": to_unit.id, "reason": "工作调动",
        "contact_name": from_reviewer.name, "contact_phone": "0571-88000000"})
    task = next(row for row in runner.open_tasks(transfer.instance_id) if not row.personal)
    runner.complete_task(task.id, Actor.of(to_reviewer), runner.DecisionForm("accept", "欢迎加入"))
