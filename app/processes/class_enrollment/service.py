"""Class enrolments: who may enrol, see and change one, the window and seat rules.

The diagram (``bpmn/class_enrollment.bpmn``) decides the path, when the trainee may edit
(``editable`` on the trainee's steps), deletion of a draft (the ``delete`` message) and the
close at the class's resubmit deadline (a timer on the trainee's steps reading ``closes_at``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...clock import today, utcnow
from ...db import by_id
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _, label
from ...models import ProcessInstance, User
from ...services import plugins, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from ..class_publication import service as classes
from ..class_publication.models import ProviderClass
from ..enrollment import service as registrations
from .models import ClassEnrollment

RECORD_TYPE = "class_enrollment"
PROVIDER_ROLES = classes.PROVIDER_ROLES
REQUIRED = ("year", "series", "specialty", "level", "phone", "unit_name")
EDITABLE_FIELDS = (*REQUIRED, "courses", "remark")
REVIEW_STATUSES = {"provider_review": "待基地审核", "returned": "已退回", "approved": "审核通过",
                   "closed": "报名已关闭"}  # the diagram's words, for the provider's filter
NONE_OPEN = "根据您的选择的报名专业，暂未找到开始报名的继续教育基地"  # the seed's words (004 §四)


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- access ---------------------------------------------------------------------------------

def visible(enrollment: ClassEnrollment, actor: Actor) -> bool:
    """The trainee sees their own; the provider once submitted; auditors all."""
    if enrollment.deleted_at is not None:
        return False
    return (enrollment.trainee_id == actor.id or actor.can_read_all_processes
            or (enrollment.submitted_at is not None and actor.staff_of(enrollment.provider_id, PROVIDER_ROLES)))


def get_visible(enrollment_id: int, actor: Actor) -> ClassEnrollment:
    found = by_id(ClassEnrollment, enrollment_id)
    if found is None or not visible(found, actor):
        raise NotFound(_("Enrolment not found."))
    return found


def mine(actor: Actor) -> list[ClassEnrollment]:
    return list(db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.trainee_id == actor.id, ClassEnrollment.deleted_at.is_(None))
        .order_by(ClassEnrollment.id.desc()).limit(500)))


def for_provider(actor: Actor, class_id: int | None = None, status: str | None = None) -> list[ClassEnrollment]:
    """学员报名审核: the submitted enrolments in the actor's provider's classes."""
    providers = {org for role, org in actor.roles if role in PROVIDER_ROLES and org is not None
                 and actor.org_kinds.get(org) == "provider"}
    if not providers:
        return []
    query = select(ClassEnrollment).where(ClassEnrollment.provider_id.in_(providers),
                                          ClassEnrollment.submitted_at.is_not(None),
                                          ClassEnrollment.deleted_at.is_(None))
    if class_id:
        query = query.where(ClassEnrollment.class_id == class_id)
    if status:
        query = query.where(ClassEnrollment.status == status)
    return list(db.session.scalars(query.order_by(ClassEnrollment.id.desc()).limit(1000)))


def approved_in(class_id: int) -> list[Any]:
    """The class's approved enrolments as plain rows (``id``, ``trainee_id``, ``year``, ``id_number``,
    ``name``): a post-training filing checks thousands of results against them, and loading each as
    a record with its class would decode the class's JSON columns once per row."""
    return list(db.session.execute(
        select(ClassEnrollment.id, ClassEnrollment.trainee_id, ClassEnrollment.year, User.id_number, User.name)
        .join(User, User.id == ClassEnrollment.trainee_id)
        .where(ClassEnrollment.class_id == class_id, ClassEnrollment.approved_at.is_not(None),
               ClassEnrollment.deleted_at.is_(None)).order_by(ClassEnrollment.id)))


# -- the form ---------------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_complete(enrollment: ClassEnrollment) -> None:
    cls = enrollment.klass
    errors: dict[str, list[str]] = {name: [_("Required.")] for name in REQUIRED
                                    if _empty(getattr(enrollment, name))}
    if enrollment.specialty and enrollment.choice not in cls.specialties:
        errors.setdefault("specialty", []).append(_("The class does not take this specialty and level."))
    if enrollment.year and enrollment.year not in cls.years:
        errors.setdefault("year", []).append(_("The class serves the years %(years)s.",
                                               years="、".join(str(y) for y in cls.years)))
    offered = {c["content"] for c in cls.package} if cls.has_package else set()
    if any(c not in offered for c in enrollment.courses):
        errors.setdefault("courses", []).append(_("Only courses of the class's package."))
    if cls.has_package and not enrollment.courses:
        errors.setdefault("courses", []).append(_("Choose at least one course of the package."))
    if errors:
        raise Invalid(_("The enrolment form is incomplete or inconsistent."), code="incomplete", fields=errors)


def _apply(enrollment: ClassEnrollment, values: dict[str, Any]) -> list[str]:
    changed = []
    for key in EDITABLE_FIELDS:
        if key in values and getattr(enrollment, key) != values[key]:
            setattr(enrollment, key, values[key])
            changed.append(key)
    return sorted(changed)


def closed_message(cls: ProviderClass) -> str:
    if cls.status != classes.OPEN:
        return _("This class is not open for enrolment (%(status)s).", status=label(cls.status_label))
    if cls.enrol_from and today() < cls.enrol_from:
        return _("Enrolment in this class opens on %(day)s.", day=cls.enrol_from.isoformat())
    return _("Enrolment in this class closed on %(day)s.", day=cls.enrol_until.isoformat())


def defaults(actor: Actor, cls: ProviderClass) -> dict[str, Any]:
    """What the form starts with: the trainee's phone and this year's unit, the class's first year."""
    year = today().year if today().year in cls.years else cls.years[0]
    registration = registrations.approved_enrollment(actor.id, today().year)
    return {"year": year, "phone": actor.user.phone or "",
            "unit_name": registration.unit.name if registration else "", "courses": [], "remark": ""}


def create(actor: Actor, payload: dict[str, Any]) -> ClassEnrollment:
    """保存: a new enrolment in an open class (one per trainee and class)."""
    if not actor.is_trainee:
        raise Forbidden(_("Only trainees enrol in classes."))
    values = dict(payload)
    cls = db.session.get(ProviderClass, values.pop("class_id"))
    if cls is None or not classes.published(cls):
        raise Invalid(_("Choose an open class."), code="invalid", fields={"class_id": [_("Not found.")]})
    if not classes.accepting(cls):
        raise Conflict(closed_message(cls), code="enrolment_closed")
    key = f"{cls.id}:{actor.id}"
    existing = db.session.scalar(select(ClassEnrollment.id).where(ClassEnrollment.live_key == key))
    if existing is not None:
        raise Conflict(_("You have already enrolled in this class (enrolment %(id)s).", id=existing),
                       code="already_enrolled")
    enrollment = ClassEnrollment(klass=cls, class_id=cls.id, provider_id=cls.provider_id, trainee_id=actor.id,
                                 live_key=key)
    _apply(enrollment, {**defaults(actor, cls), **values})
    check_complete(enrollment)
    db.session.add(enrollment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same trainee's other request won a moment ago
        raise Conflict(_("You have already enrolled in this class."), code="already_enrolled") from None
    instance = runner.start(_plugin(), enrollment, actor, {"record_id": enrollment.id},
                            event_data={"class_id": cls.id})
    enrollment.instance_id = instance.id
    return enrollment


def _own_locked(enrollment_id: int, actor: Actor) -> tuple[ClassEnrollment, ProcessInstance]:
    enrollment = get_visible(enrollment_id, actor)
    if enrollment.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may change their enrolment."))
    instance = runner.lock_instance(enrollment.instance_id)
    db.session.refresh(enrollment)
    if enrollment.deleted_at is not None:
        raise NotFound(_("Enrolment not found."))
    if not runner.editable_by(instance, actor):
        raise Conflict(_("An enrolment in status “%(status)s” cannot be changed.",
                         status=label(enrollment.status_label)), code="not_editable")
    return enrollment, instance


def update(enrollment_id: int, actor: Actor, payload: dict[str, Any]) -> ClassEnrollment:
    enrollment, instance = _own_locked(enrollment_id, actor)
    changed = _apply(enrollment, payload)
    check_complete(enrollment)
    if changed:
        enrollment.updated_at = utcnow()
        record_event(instance, actor, "edit", data={"fields": changed})
    return enrollment


def check_submission(enrollment: ClassEnrollment) -> dict[str, Any]:
    """提交: complete; the first time within the enrolment window and with a seat; after a send-back
    until the resubmit deadline."""
    check_complete(enrollment)
    cls = enrollment.klass
    if enrollment.submitted_at is None:
        if not classes.accepting(cls):
            raise Conflict(closed_message(cls), code="enrolment_closed")
    elif today() > cls.resubmit_until:
        raise Conflict(_("The class took resubmitted enrolments until %(day)s.", day=cls.resubmit_until.isoformat()),
                       code="enrolment_closed")
    if not enrollment.holds_seat:
        if not classes.take_seat(cls.id):
            raise Conflict(_("The class is full: all %(n)s seats are taken.", n=cls.seat_limit), code="class_full")
        enrollment.holds_seat = True
    enrollment.submitted_at = utcnow()
    return {"class_id": cls.id}


def submit(enrollment_id: int, actor: Actor) -> ClassEnrollment:
    enrollment = get_visible(enrollment_id, actor)
    if enrollment.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may submit their enrolment."))
    runner.complete_own_step(enrollment.instance_id, actor, DecisionForm("submit"), enrollment)
    return enrollment


def delete(enrollment_id: int, actor: Actor) -> None:
    enrollment = get_visible(enrollment_id, actor)
    if enrollment.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may delete their enrolment."))
    try:
        runner.send_message(enrollment.instance_id, _plugin(), enrollment.id, actor, "delete", "delete")
    except Conflict:
        raise Conflict(_("An enrolment in status “%(status)s” cannot be deleted: only one not yet submitted can.",
                         status=label(enrollment.status_label)), code="not_deletable") from None


# -- handlers ------------------------------------------------------------------------------

def mark_approved(enrollment: ClassEnrollment) -> dict[str, Any]:
    enrollment.approved_at = utcnow()
    return {}


def close(enrollment: ClassEnrollment) -> dict[str, Any]:
    """The resubmit deadline passed before it was approved: closed, its seat given back."""
    enrollment.closed_at = utcnow()
    if enrollment.holds_seat:
        classes.release_seat(enrollment.class_id)
        enrollment.holds_seat = False
    return {}


def discard(enrollment: ClassEnrollment) -> dict[str, Any]:
    enrollment.deleted_at = utcnow()
    enrollment.live_key = None  # the trainee may enrol in the class again
    return {}
