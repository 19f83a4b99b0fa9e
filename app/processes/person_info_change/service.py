"""Person info changes: who may ask, see and withdraw one, what is checked, and what approving writes.

The diagram (``bpmn/person_info_change.bpmn``) decides the path: the trainee's unit approves or
rejects (``unit_review``), the trainee may withdraw while it waits (the ``withdraw`` message).
Approving runs ``apply_person_info_change`` (``apply`` here).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ...clock import today, utcnow
from ...db import by_id
from ...domain.text import control_characters
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import N_, _
from ...models import User
from ...services import accounts, ledger, plugins, records, runner
from ...services.actors import Actor
from ..enrollment import service as enrollments
from ..enrollment.models import Enrollment
from .models import PersonInfoChange, PersonTitleSeries

RECORD_TYPE = "person_info_change"
STAFF_ROLES = ("reviewer", "admin")  # who reviews for the trainee's unit
PENDING = "pending"

# 职称系列, stored as shown
TITLE_SERIES = (N_("工程技术"), N_("经济"), N_("会计"), N_("统计"), N_("审计"), N_("卫生技术"), N_("其他"))
USER_FIELDS = ("name", "phone")
ENROLLMENT_FIELDS = enrollments.PROFILE_FIELDS  # identity_type … specialty
FIELDS = ("name", "phone", "identity_type", "political_status", "education", "title", "title_date",
          "title_series", "specialty")
LABELS = {"name": N_("姓名"), "phone": N_("手机号码"), "identity_type": N_("人员身份"),
          "political_status": N_("政治面貌"), "education": N_("最高学历"),
          "title": N_("专业技术职务任职资格"), "title_date": N_("取得时间"), "title_series": N_("职称系列"),
          "specialty": N_("现从事专业")}
CHOICES = {**enrollments.CHOICES, "title_series": TITLE_SERIES}


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- the details as they are --------------------------------------------------------------------

def profile_enrollment(user_id: int) -> Enrollment | None:
    """The enrolment holding the person's details: this year's, else their latest."""
    return enrollments.of_year(user_id, today().year) or db.session.scalar(
        select(Enrollment).where(Enrollment.trainee_id == user_id).order_by(Enrollment.year.desc()).limit(1))


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def current_values(user_id: int, enrollment: Enrollment | None = None) -> dict[str, Any]:
    """Every field's value now (dates as ISO strings; None where nothing is held)."""
    user = db.session.get(User, user_id)
    enrollment = enrollment if enrollment is not None else profile_enrollment(user_id)
    values: dict[str, Any] = {"name": user.name, "phone": user.phone}
    for field in ENROLLMENT_FIELDS:
        values[field] = _stored(getattr(enrollment, field)) if enrollment is not None else None
    values["title_series"] = db.session.scalar(select(PersonTitleSeries.title_series)
                                               .where(PersonTitleSeries.user_id == user_id))
    return values


def pending_of(user_id: int) -> PersonInfoChange | None:
    return db.session.scalar(select(PersonInfoChange).where(PersonInfoChange.person_id == user_id,
                                                            PersonInfoChange.status == PENDING).limit(1))


def history_of(user_id: int, limit: int = 20) -> list[PersonInfoChange]:
    return list(db.session.scalars(select(PersonInfoChange).where(PersonInfoChange.person_id == user_id)
                                   .order_by(PersonInfoChange.id.desc()).limit(limit)))


# -- access ---------------------------------------------------------------------------------------

def visible(change: PersonInfoChange, actor: Actor) -> bool:
    """The person, the staff of the unit that reviews it; nobody else (auditors read everything)."""
    return change.person_id == actor.id or actor.staff_of(change.unit_id, STAFF_ROLES) or actor.can_read_all_processes


def get_visible(change_id: int, actor: Actor) -> PersonInfoChange:
    change = by_id(PersonInfoChange, change_id)
    if change is None or not visible(change, actor):
        raise NotFound(_("Change request not found."))
    return change


def my_units(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in STAFF_ROLES and org is not None
            and actor.org_kinds.get(org) == "unit"}


def list_for_units(actor: Actor, status: str | None = None, name: str | None = None) -> list[PersonInfoChange]:
    """审核人员信息修改: the requests of the actor's units' people, newest first (by name, if given)."""
    units = my_units(actor)
    if not units:
        return []
    query = select(PersonInfoChange).where(PersonInfoChange.unit_id.in_(units))
    if status:
        query = query.where(PersonInfoChange.status == status)
    if name:
        query = query.join(User, User.id == PersonInfoChange.person_id).where(User.name.contains(name.strip()))
    return list(db.session.scalars(query.order_by(PersonInfoChange.id.desc()).limit(500)))


# -- checking what is asked -----------------------------------------------------------------------

def validated(payload: dict[str, Any]) -> dict[str, Any]:
    """The asked values (only the fields given), checked; ``Invalid`` with every problem."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "name" in payload:
        values["name"] = (payload["name"] or "").strip()
        if not 2 <= len(values["name"]) <= 30 or control_characters(values["name"]):
            errors["name"] = [_("Your real name, 2 to 30 characters.")]
    if "phone" in payload:
        values["phone"] = (payload["phone"] or "").strip()
        if not accounts.PHONE.match(values["phone"]):
            errors["phone"] = [_("An 11-digit mobile number.")]
    for field, choices in CHOICES.items():
        if field in payload:
            values[field] = payload[field]
            if payload[field] not in choices:
                errors[field] = [_("Choose one of the options.")]
    if "title_date" in payload:
        when = payload["title_date"]
        if when is not None and not isinstance(when, date):
            errors["title_date"] = [_("Not a valid date.")]
        elif when is not None and when > today():
            errors["title_date"] = [_("The date obtained cannot be in the future.")]
        values["title_date"] = _stored(when)
    if "specialty" in payload:
        values["specialty"] = (payload["specialty"] or "").strip()
        if not 1 <= len(values["specialty"]) <= 40 or control_characters(values["specialty"]):
            errors["specialty"] = [_("Required, at most 40 characters.")]
    if errors:
        raise Invalid(_("Some details are missing or wrong."), code="invalid", fields=errors)
    return values


def diff(current: dict[str, Any], asked: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old", "new"}} of the fields whose asked value differs from the current one."""
    return {field: {"old": current.get(field), "new": asked[field]}
            for field in FIELDS if field in asked and asked[field] != current.get(field)}


# -- the request and its withdrawal ---------------------------------------------------------------

def request_change(actor: Actor, payload: dict[str, Any]) -> PersonInfoChange:
    """人员信息修改: one request with the changed fields; the trainee's unit reviews it."""
    if not actor.is_trainee:
        raise Forbidden(_("Only trainees change their registration details here."))
    asked = validated(payload)
    ledger.lock_person(actor.id)  # one request at a time per person (two at once: the second waits, then 409)
    pending = pending_of(actor.id)
    if pending is not None:
        raise Conflict(_("A change of your details is already waiting for review (no. %(id)s); withdraw it "
                         "first.", id=pending.id), code="change_pending")
    unit_id = accounts.trainee_unit(actor.id)
    enrollment = profile_enrollment(actor.id)
    if unit_id is None or enrollment is None:
        raise Conflict(_("You have no enrolment with a unit yet: enrol first."), code="not_enrolled")
    changes = diff(current_values(actor.id, enrollment), asked)
    if not changes:
        raise Conflict(_("Nothing changed: the details asked are the ones you have."), code="no_change")
    change = PersonInfoChange(person_id=actor.id, unit_id=unit_id, enrollment_id=enrollment.id,
                              year=enrollment.year, changes=changes)
    db.session.add(change)
    db.session.flush()
    instance = runner.start(_plugin(), change, actor, {"record_id": change.id}, action="request",
                            event_data={"fields": sorted(changes), "changes": changes})
    change.instance_id = instance.id
    return change


def withdraw(actor: Actor) -> PersonInfoChange:
    """撤回: the person takes their waiting request back."""
    change = pending_of(actor.id)
    if change is None:
        raise Conflict(_("You have no change waiting for review."), code="not_waiting")
    return withdraw_change(change.id, actor)


def withdraw_change(change_id: int, actor: Actor) -> PersonInfoChange:
    change = get_visible(change_id, actor)
    if change.person_id != actor.id:
        raise Forbidden(_("Only the person who asked may withdraw the change."))
    try:
        runner.send_message(change.instance_id, _plugin(), change.id, actor, "withdraw", "withdraw")
    except Conflict:
        raise Conflict(_("The change has already been reviewed; it can no longer be withdrawn."),
                       code="not_waiting") from None
    return change


# -- approving ------------------------------------------------------------------------------------

def _enrolments_from(person_id: int, year: int) -> list[Enrollment]:
    """The enrolment the change was asked against and any later one (next year's, already made),
    so that next year's hour record does not bring the old details back."""
    return list(db.session.scalars(select(Enrollment).where(Enrollment.trainee_id == person_id,
                                                            Enrollment.year >= year).order_by(Enrollment.year)))


def apply(change: PersonInfoChange) -> dict[str, Any]:
    """审核通过: write each new value where it lives: name and phone on the person, the enrolment's
    details on the year's enrolment and later ones, the title series here. (The confirmation of the
    details lapses by itself: what the hour record shows is no longer what was confirmed.)"""
    new = {field: item["new"] for field, item in change.changes.items()}
    user = db.session.get(User, change.person_id)
    for field in USER_FIELDS:
        if field in new:
            setattr(user, field, new[field])
    for enrollment in _enrolments_from(change.person_id, change.year):
        for field in ENROLLMENT_FIELDS:
            if field in new:
                value = new[field]
                setattr(enrollment, field, date.fromisoformat(value) if field == "title_date" and value else value)
                enrollment.updated_at = utcnow()
    if "title_series" in new:
        row = db.session.get(PersonTitleSeries, change.person_id)
        if row is None:
            row = PersonTitleSeries(user_id=change.person_id, title_series=new["title_series"])
            db.session.add(row)
        row.title_series, row.updated_at = new["title_series"], utcnow()
    if "education" in new or "title" in new:
        accounts.declare_details(change.person_id, education=new.get("education"), title=new.get("title"))
    change.applied_at = utcnow()
    return {"applied": sorted(new)}


def locked(user_id: int) -> bool:
    return records.profile_locked(user_id)
