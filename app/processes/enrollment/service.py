"""Annual enrolment (报名, seed 000 §2.2): process 1 of the domain.

A first enrolment, or one with a different unit than the last approved one,
waits for that unit's review; re-enrolment with the same unit is approved by
the diagram's gateway (``same_unit``) with no human task. What the trainee may
still edit is the diagram's (``editable`` on the trainee's step).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from ...clock import today, utcnow
from ...db import by_id, read
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import N_, _, label
from ...models import Organisation, ProcessInstance
from ...services import accounts, orgs, plugins, records, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from .models import Enrollment

RECORD_TYPE = "enrollment"

# Stored as the seeds show them; N_ marks them for the English catalog.
IDENTITY_TYPES = (N_("机关事业单位"), N_("事业单位(在编)"), N_("事业单位(非在编)"), N_("国有企业"),
                  N_("集体企业"), N_("民营企业"), N_("其他"))
POLITICAL_STATUSES = (N_("中共党员"), N_("中共预备党员"), N_("共青团员"), N_("民主党派"), N_("无党派人士"),
                      N_("群众"))
EDUCATION_LEVELS = (N_("博士研究生"), N_("硕士研究生"), N_("大学本科"), N_("大学专科"), N_("中专"),
                    N_("高中及以下"))
TITLES = (N_("无"), N_("正高级工程师"), N_("高级工程师"), N_("工程师"), N_("助理工程师"), N_("技术员"))
SENIOR_TITLES = frozenset(TITLES[1:3])  # 正高级 / 高级: some regions ask more hours of them
PROFILE_FIELDS = ("identity_type", "political_status", "education", "title", "title_date", "specialty")
CHOICES = {"identity_type": IDENTITY_TYPES, "political_status": POLITICAL_STATUSES,
           "education": EDUCATION_LEVELS, "title": TITLES}


def approve(enrollment: Enrollment, actor: Actor | None = None, process_key: str | None = None) -> dict[str, Any]:
    """The enrolment takes effect; for the current year the trainee now belongs to the unit.

    An approved enrolment for next year does not move the trainee yet: this
    year's claims still go to this year's unit (they follow the enrolment of
    their own year either way).
    """
    enrollment.approved_at = utcnow()
    if enrollment.year <= today().year:
        accounts.set_trainee_unit(enrollment.trainee_id, enrollment.unit_id, actor, process_key=process_key,
                                  cause={"record_type": RECORD_TYPE, "record_id": enrollment.id})
        accounts.declare_details(enrollment.trainee_id, education=enrollment.education, title=enrollment.title)
    return {"unit_id": enrollment.unit_id}


def _validated(payload: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "unit_id" in payload:
        if orgs.active_unit(payload["unit_id"]) is None:
            errors["unit_id"] = [_("Choose your unit.")]
        values["unit_id"] = payload["unit_id"]
    for field, choices in CHOICES.items():
        if field in payload:
            if payload[field] not in choices:
                errors[field] = [_("Choose one of the options.")]
            values[field] = payload[field]
    if "title_date" in payload:
        values["title_date"] = payload["title_date"]
    if "specialty" in payload:
        values["specialty"] = (payload["specialty"] or "").strip()
        if not values["specialty"]:
            errors["specialty"] = [_("Required.")]
    if errors:
        raise Invalid(_("Some enrolment details are missing or wrong."), code="invalid", fields=errors)
    return values


def visible(enrollment: Enrollment, actor: Actor) -> bool:
    return (enrollment.trainee_id == actor.id or actor.can_read_all_processes
            or actor.has("reviewer", enrollment.unit_id))


def of_year(trainee_id: int, year: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == trainee_id,
                                                      Enrollment.year == year))


_APPROVED = (Enrollment.trainee_id == bindparam("trainee_id"), Enrollment.year == bindparam("year"),
             Enrollment.approved_at.is_not(None))
_APPROVED_ENROLLMENT = select(Enrollment).where(*_APPROVED)  # built once, as the next
_APPROVED_UNIT = select(Enrollment.unit_id).where(*_APPROVED)


def approved_enrollment(trainee_id: int, year: int) -> Enrollment | None:
    return db.session.scalars(_APPROVED_ENROLLMENT, {"trainee_id": trainee_id, "year": year}).first()


def approved_unit(trainee_id: int, year: int) -> int | None:
    """The unit of the trainee's approved enrolment of ``year`` (None: not enrolled): its column alone."""
    return read(_APPROVED_UNIT, {"trainee_id": trainee_id, "year": year}).scalar()


def waiting_review(trainee_id: int) -> Enrollment | None:
    """An enrolment of the trainee that is neither approved nor finished (a unit still reviews it)."""
    return db.session.scalar(_WAITING_REVIEW, {"waiting_trainee": trainee_id})


_WAITING_REVIEW = (select(Enrollment)  # built once: a transfer's filing asks it
                   .join(ProcessInstance, ProcessInstance.id == Enrollment.instance_id)
                   .where(Enrollment.trainee_id == bindparam("waiting_trainee"), Enrollment.approved_at.is_(None),
                          ProcessInstance.completed.is_(False)).limit(1))


def editable(enrollment: Enrollment, actor: Actor) -> bool:
    instance = db.session.get(ProcessInstance, enrollment.instance_id)
    return instance is not None and runner.editable_by(instance, actor)


def get_visible(enrollment_id: int, actor: Actor) -> Enrollment:
    enrollment = by_id(Enrollment, enrollment_id)
    if enrollment is None or not visible(enrollment, actor):
        raise NotFound(_("Enrolment not found."))
    return enrollment


def list_for(actor: Actor) -> list[Enrollment]:
    return list(db.session.scalars(select(Enrollment).where(Enrollment.trainee_id == actor.id)
                                   .order_by(Enrollment.year.desc())))


def last_approved(trainee_id: int, before_year: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.trainee_id == trainee_id, Enrollment.year < before_year,
        Enrollment.approved_at.is_not(None)).order_by(Enrollment.year.desc()).limit(1))


def create(actor: Actor, payload: dict[str, Any]) -> Enrollment:
    if not actor.is_trainee:
        raise Forbidden(_("Only trainees enrol."))
    year = payload["year"]
    if year not in (today().year, today().year + 1):
        raise Invalid(_("You can enrol for this year or next year only."), code="invalid",
                      fields={"year": [_("This year or next year.")]})
    values = _validated(payload)
    missing = [f for f in ("unit_id", *PROFILE_FIELDS) if f not in values and f != "title_date"]
    if missing:
        raise Invalid(_("Fill in every enrolment field."), code="invalid",
                      fields={f: [_("Required.")] for f in missing})
    if db.session.scalar(select(Enrollment.id).where(Enrollment.trainee_id == actor.id,
                                                     Enrollment.year == year)):
        raise Conflict(_("You have already enrolled for %(year)s.", year=year), code="already_enrolled")
    previous = last_approved(actor.id, year)
    enrollment = Enrollment(trainee_id=actor.id, year=year, **values)
    db.session.add(enrollment)
    db.session.flush()
    same_unit = previous is not None and previous.unit_id == enrollment.unit_id
    instance = runner.start(plugins.for_type(RECORD_TYPE), enrollment, actor, {"same_unit": same_unit},
                            action="enroll", event_data={"unit_id": enrollment.unit_id})
    enrollment.instance_id = instance.id
    if instance.completed:
        record_event(instance, None, "auto_approve", data={"unit_id": enrollment.unit_id})
    return enrollment


def _own_locked(enrollment_id: int, actor: Actor) -> tuple[Enrollment, ProcessInstance]:
    enrollment = get_visible(enrollment_id, actor)
    if enrollment.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may change an enrolment."))
    instance = runner.lock_instance(enrollment.instance_id)
    db.session.refresh(enrollment)
    if not runner.editable_by(instance, actor):
        raise Conflict(_("An enrolment in status “%(status)s” cannot be changed.",
                         status=label(enrollment.status_label)),
                       code="not_editable")
    return enrollment, instance


def _refuse_locked_fields(enrollment: Enrollment, values: dict[str, Any]) -> None:
    """Once the hour record is printed, the details it shows change only through a reviewed change."""
    changed = [f for f in PROFILE_FIELDS if f in values and values[f] != getattr(enrollment, f)]
    if changed and records.profile_locked(enrollment.trainee_id):
        raise Conflict(_("Your hour record has been printed, so these details are locked: ask for the change "
                         "under My details (人员信息修改) and your unit reviews it."), code="profile_locked",
                       fields={f: [_("Locked since your hour record was printed.")] for f in changed})


def update(enrollment_id: int, actor: Actor, payload: dict[str, Any]) -> Enrollment:
    enrollment, instance = _own_locked(enrollment_id, actor)
    values = _validated(payload)
    _refuse_locked_fields(enrollment, values)
    for key, value in values.items():
        setattr(enrollment, key, value)
    enrollment.updated_at = utcnow()
    record_event(instance, actor, "edit", data={"fields": sorted(payload)})
    return enrollment


def submit(enrollment_id: int, actor: Actor) -> Enrollment:
    enrollment, _instance = _own_locked(enrollment_id, actor)
    runner.complete_own_step(enrollment.instance_id, actor, DecisionForm("submit"), enrollment)
    return enrollment


_MOVABLE = (select(Enrollment)  # built once: every accepted transfer asks it (building it cost ~200 Python calls)
            .where(Enrollment.trainee_id == bindparam("mover"), Enrollment.year >= bindparam("since_year"),
                   Enrollment.unit_id == bindparam("from_unit"), Enrollment.approved_at.is_not(None))
            .order_by(Enrollment.year))


def move_unit(trainee_id: int, from_unit: int, to_unit: int, since_year: int, actor: Actor | None,
              why: dict[str, Any]) -> list[int]:
    """The trainee's approved enrolments of ``since_year`` on with ``from_unit`` move to ``to_unit``
    (a staff transfer); each keeps the change in its own flow log. Returns their ids."""
    moved = list(db.session.scalars(_MOVABLE, {"mover": trainee_id, "since_year": since_year, "from_unit": from_unit}))
    for enrollment in moved:
        enrollment.unit_id = to_unit
        enrollment.updated_at = utcnow()
        # locked, as every change of an instance's chain is: an edit of the enrolment meanwhile
        # would otherwise chain its event from the same head
        instance = runner.lock_instance(enrollment.instance_id)
        record_event(instance, actor, "unit_moved", data={"from_unit_id": from_unit, "to_unit_id": to_unit, **why})
    return [e.id for e in moved]


def demo_enrol(trainee: Any, unit: Organisation, reviewer: Any, year: int, profile: dict[str, Any]) -> None:
    """Demo data: the trainee enrols through the process and the unit's reviewer approves."""
    if of_year(trainee.id, year) is not None:
        return
    enrollment = create(Actor.of(trainee), {"year": year, "unit_id": unit.id, **profile})
    task = next((row for row in runner.open_tasks(enrollment.instance_id) if not row.personal), None)
    if task is not None:
        db.session.expire(reviewer)
        runner.complete_task(task.id, Actor.of(reviewer), DecisionForm("approve"))
