"""Classes (培训班信息, seed 004 §三): publishing a filed class, opening it, and its seats.

The diagram (``bpmn/class_publication.bpmn``) decides the path: the provider fills the class
(editable while it is the provider's step) and submits it; the HR department that filed the
class approves it or sends it back; the provider opens it (开启) and it waits, with no one's
task, for either a change request (the provider asks; the HR department sends it back or
refuses) or the resubmit deadline, when it closes. This module holds the form's rules, who
sees what, the trainees' search and the seat counter that class enrolments draw on.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from ...clock import timezone, today, utcnow
from ...db import by_id
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _, label
from ...models import ProcessInstance
from ...models.ledger import CATEGORY_LABELS
from ...services import plugins, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from ..provider_prefiling import service as prefilings
from ..provider_prefiling.models import PreFiling
from .models import ProviderClass

RECORD_TYPE = "provider_class"
PROVIDER_ROLES = prefilings.PROVIDER_ROLES
REVIEWER_ROLES = prefilings.REVIEWER_ROLES
SUBJECTS = dict(CATEGORY_LABELS)  # the ledger's categories
OPEN = "open"

REQUIRED = ("subject", "specialties", "years", "enrol_from", "enrol_until", "resubmit_until", "report_venue",
            "class_venue", "contact_name", "contact_phone")
EDITABLE_FIELDS = (*REQUIRED, "has_package", "package", "seat_limit", "notes")


def settings() -> dict[str, Any]:
    """``[PROVIDER_CLASSES]`` in config.toml over the defaults: how many past years a class may
    serve (补学, make-up training)."""
    return {"PAST_YEARS": 3, **current_app.config.get("PROVIDER_CLASSES", {})}


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- access ---------------------------------------------------------------------------------

def published(cls: ProviderClass) -> bool:
    """Opened at least once: its details are public to every signed-in user (trainees enrol)."""
    return cls.opened_at is not None and cls.deleted_at is None


def visible(cls: ProviderClass, actor: Actor) -> bool:
    return cls.deleted_at is None and (reviewable_by(cls, actor) or published(cls))


def get_visible(class_id: int, actor: Actor) -> ProviderClass:
    cls = by_id(ProviderClass, class_id)
    if cls is None or not visible(cls, actor):
        raise NotFound(_("Class not found."))
    return cls


def list_for(actor: Actor, status: str | None = None, year: int | None = None, *,
             own_only: bool = False) -> list[ProviderClass]:
    """培训信息管理: the provider's classes, or those that reached the caller's HR department."""
    providers = prefilings.my_providers(actor)
    reviewing = [] if own_only else [org for role, org in actor.roles if role in REVIEWER_ROLES and org is not None]
    conditions = []
    if providers:
        conditions.append(ProviderClass.provider_id.in_(providers))
    if reviewing:
        conditions.append(ProviderClass.hr_id.in_(reviewing) & ProviderClass.submitted_at.is_not(None))
    if not conditions:
        return []
    query = select(ProviderClass).where(or_(*conditions), ProviderClass.deleted_at.is_(None))
    if status:
        query = query.where(ProviderClass.status == status)
    if year:
        query = query.join(PreFiling, PreFiling.id == ProviderClass.prefiling_id).where(PreFiling.year == year)
    return list(db.session.scalars(query.order_by(ProviderClass.id.desc()).limit(500)))


def accepting(cls: ProviderClass, on: Any = None) -> bool:
    """Open (开启, not sent back or closed) and within its enrolment window."""
    on = on or today()
    return (cls.status == OPEN and cls.deleted_at is None and cls.enrol_from is not None
            and cls.enrol_from <= on <= cls.enrol_until)


def open_for(specialty: str | None = None, level: str | None = None, limit: int = 200) -> list[ProviderClass]:
    """The classes a trainee may enrol in today, for a specialty and level (seed 004 学员报名)."""
    now = today()
    query = (select(ProviderClass).where(ProviderClass.status == OPEN, ProviderClass.deleted_at.is_(None),
                                         ProviderClass.enrol_from <= now, ProviderClass.enrol_until >= now)
             .order_by(ProviderClass.enrol_until, ProviderClass.id).limit(limit))
    return [cls for cls in db.session.scalars(query)
            if any((not specialty or s["specialty"] == specialty) and (not level or s["level"] == level)
                   for s in cls.specialties)]


# -- the form ---------------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_complete(cls: ProviderClass) -> None:
    """确定: every field there and consistent with the filing it is published from."""
    errors: dict[str, list[str]] = {name: [_("Required.")] for name in REQUIRED if _empty(getattr(cls, name))}
    filing = cls.prefiling
    scope = {(s["series"], s["specialty"], s["level"]) for s in filing.scope}
    outside = [s for s in cls.specialties if (s["series"], s["specialty"], s["level"]) not in scope]
    if outside:
        errors.setdefault("specialties", []).append(_(
            "Only specialties and levels of the filing's scope: %(items)s is not in it.",
            items="、".join(f"{s['specialty']}（{s['level']}）" for s in outside)))
    this_year = today().year
    earliest = this_year - int(settings()["PAST_YEARS"])
    if any(not earliest <= y <= this_year for y in cls.years):
        errors.setdefault("years", []).append(_("Years from %(first)s to %(last)s.", first=earliest, last=this_year))
    if cls.enrol_from and cls.enrol_until and cls.enrol_until < cls.enrol_from:
        errors.setdefault("enrol_until", []).append(_("The enrolment cannot close before it opens."))
    if cls.enrol_until and cls.resubmit_until and cls.resubmit_until <= cls.enrol_until:
        errors.setdefault("resubmit_until", []).append(
            _("The resubmit deadline must be after the enrolment closes (%(day)s).", day=cls.enrol_until.isoformat()))
    if cls.resubmit_until and filing.ends_on and cls.resubmit_until > filing.ends_on:
        errors.setdefault("resubmit_until", []).append(
            _("The resubmit deadline must be on or before the class ends (%(day)s).", day=filing.ends_on.isoformat()))
    if cls.has_package and not cls.package:
        errors.setdefault("package", []).append(_("Add the package's courses, or choose no course package."))
    if cls.package and filing.total_hours is not None:
        total = sum((Decimal(str(c["hours"])) for c in cls.package), Decimal(0))
        if total > filing.total_hours:
            errors.setdefault("package", []).append(_(
                "The package's courses add up to %(sum)s hours, more than the class's %(total)s.",
                sum=total, total=filing.total_hours))
    if errors:
        raise Invalid(_("The class information is incomplete or inconsistent."), code="incomplete", fields=errors)


def _apply(cls: ProviderClass, values: dict[str, Any]) -> list[str]:
    changed = []
    for key in EDITABLE_FIELDS:
        if key in values and getattr(cls, key) != values[key]:
            setattr(cls, key, values[key])
            changed.append(key)
    if not cls.has_package and cls.package:
        cls.package = []
    return sorted(changed)


def _provider_of(actor: Actor, provider_id: int) -> None:
    if provider_id not in prefilings.my_providers(actor):
        raise Forbidden(_("You do not act for this provider."))


def create(actor: Actor, payload: dict[str, Any]) -> ProviderClass:
    """新增: a class from one of the provider's filed pre-filings (one class per filing)."""
    values = dict(payload)
    if not prefilings.my_providers(actor):
        raise Forbidden(_("Only a provider's staff publish classes."))
    filing = db.session.get(PreFiling, values.pop("prefiling_id"))
    if filing is None or filing.deleted_at is not None or not prefilings.visible(filing, actor):
        raise Invalid(_("Choose one of your filed pre-training filings."), code="invalid",
                      fields={"prefiling_id": [_("Not found.")]})
    _provider_of(actor, filing.provider_id)
    if filing.filed_at is None:
        raise Conflict(_("A class is published only from a pre-training filing the HR department has filed "
                         "(备案通过); this one is “%(status)s”.", status=label(filing.status_label)),
                       code="not_filed")
    taken = db.session.scalar(select(ProviderClass.id).where(ProviderClass.live_prefiling_id == filing.id))
    if taken is not None:
        raise Conflict(_("This filing's class has already been published (class %(id)s).", id=taken),
                       code="already_published")
    cls = ProviderClass(prefiling=filing, prefiling_id=filing.id, live_prefiling_id=filing.id,
                        provider_id=filing.provider_id, hr_id=filing.hr_id, created_by_id=actor.id,
                        years=[filing.year or today().year])
    _apply(cls, values)
    check_complete(cls)
    db.session.add(cls)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # another request published this filing's class a moment ago
        raise Conflict(_("This filing's class has already been published."), code="already_published") from None
    instance = runner.start(_plugin(), cls, actor, {"record_id": cls.id}, event_data={"prefiling_id": filing.id})
    cls.instance_id = instance.id
    return cls


def _own_locked(class_id: int, actor: Actor, *, editable: bool = True) -> tuple[ProviderClass, ProcessInstance]:
    cls = get_visible(class_id, actor)
    if not actor.staff_of(cls.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may change its class."))
    instance = runner.lock_instance(cls.instance_id)
    db.session.refresh(cls)
    if cls.deleted_at is not None:
        raise NotFound(_("Class not found."))
    if editable and not runner.editable_by(instance, actor):
        raise Conflict(_("A class in status “%(status)s” cannot be changed: ask the HR department to send it "
                         "back first.", status=label(cls.status_label)), code="not_editable")
    return cls, instance


def update(class_id: int, actor: Actor, payload: dict[str, Any]) -> ProviderClass:
    cls, instance = _own_locked(class_id, actor)
    changed = _apply(cls, payload)
    check_complete(cls)
    if changed:
        cls.updated_at = utcnow()
        record_event(instance, actor, "edit", data={"fields": changed})
    return cls


def closes_at(cls: ProviderClass) -> str:
    """When the resubmit deadline has passed: the start of the next day where the platform is."""
    return datetime.combine(cls.resubmit_until + timedelta(days=1), time(0), tzinfo=timezone()).isoformat()


def check_submission(cls: ProviderClass) -> dict[str, Any]:
    """提交审核: complete, and the enrolment not closed already."""
    check_complete(cls)
    if cls.enrol_until < today():
        raise Conflict(_("The enrolment window closed on %(day)s: move it to today or later.",
                         day=cls.enrol_until.isoformat()), code="too_late")
    cls.submitted_at = utcnow()
    return {"enrol_from": cls.enrol_from.isoformat(), "enrol_until": cls.enrol_until.isoformat(),
            "resubmit_until": cls.resubmit_until.isoformat()}


def check_opening(cls: ProviderClass) -> dict[str, Any]:
    """开启: the class goes online; trainees see it (and enrol within its window)."""
    cls.opened_at = utcnow()
    return {}


def submit(class_id: int, actor: Actor) -> ProviderClass:
    cls = get_visible(class_id, actor)
    if not actor.staff_of(cls.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may submit its class."))
    runner.complete_own_step(cls.instance_id, actor, DecisionForm("submit"), cls)
    return cls


def open_class(class_id: int, actor: Actor) -> ProviderClass:
    cls = get_visible(class_id, actor)
    if not actor.staff_of(cls.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may open its class."))
    instance = runner.lock_instance(cls.instance_id)
    if "open" not in runner.waiting_for(instance, actor):
        raise Conflict(_("A class in status “%(status)s” cannot be opened: only an approved one can.",
                         status=label(cls.status_label)), code="not_waiting")
    runner.complete_own_step(cls.instance_id, actor, DecisionForm("submit"), cls)
    return cls


def request_change(class_id: int, actor: Actor, reason: str) -> ProviderClass:
    """申请变更 (seed 004 §六): ask the HR department to send the open class back for changes."""
    cls = get_visible(class_id, actor)
    if not actor.staff_of(cls.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may ask to change its class."))
    runner.lock_instance(cls.instance_id)
    db.session.refresh(cls)
    cls.asked_while_open = cls.status == OPEN
    try:
        runner.send_message(cls.instance_id, _plugin(), cls.id, actor, "request_change", "request_change",
                            comment=reason)
    except Conflict:
        raise Conflict(_("A class in status “%(status)s” cannot be changed this way: only an approved or open "
                         "class can.",
                         status=label(cls.status_label)), code="not_open") from None
    return cls


def delete(class_id: int, actor: Actor) -> None:
    cls = get_visible(class_id, actor)
    if not actor.staff_of(cls.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may delete its class."))
    try:
        runner.send_message(cls.instance_id, _plugin(), cls.id, actor, "delete", "delete")
    except Conflict:
        raise Conflict(_("A class in status “%(status)s” cannot be deleted: only one not yet submitted can.",
                         status=label(cls.status_label)), code="not_deletable") from None


# -- handlers ------------------------------------------------------------------------------

def mark_approved(cls: ProviderClass) -> dict[str, Any]:
    cls.approved_at = utcnow()
    return {}


def mark_closed(cls: ProviderClass) -> dict[str, Any]:
    cls.closed_at = utcnow()
    return {}


def discard(cls: ProviderClass) -> dict[str, Any]:
    cls.deleted_at = utcnow()
    cls.live_prefiling_id = None  # the filing may publish its class again
    return {}


# -- seats (class enrolments draw on them) --------------------------------------------------

def take_seat(class_id: int) -> bool:
    """One seat, atomically (the UPDATE's condition is checked by the database against the row as
    it is when the statement runs, so two trainees racing for the last seat cannot both get it)."""
    table = ProviderClass.__table__
    result = db.session.execute(
        sql_update(table).where(table.c.id == class_id,
                            (table.c.seat_limit == 0) | (table.c.seats_taken < table.c.seat_limit))
        .values(seats_taken=table.c.seats_taken + 1))
    _expire_seats(class_id)
    return result.rowcount == 1


def _expire_seats(class_id: int) -> None:
    loaded = db.session.identity_map.get(db.session.identity_key(ProviderClass, class_id))
    if loaded is not None:
        db.session.expire(loaded, ["seats_taken"])


def release_seat(class_id: int) -> None:
    table = ProviderClass.__table__
    db.session.execute(sql_update(table).where(table.c.id == class_id, table.c.seats_taken > 0)
                       .values(seats_taken=table.c.seats_taken - 1))
    _expire_seats(class_id)


def reviewable_by(cls: ProviderClass, actor: Actor) -> bool:
    """The provider, its HR department and auditors see the whole record with its review log;
    other signed-in users (trainees) only what a published class shows."""
    return (actor.can_read_all_processes or actor.staff_of(cls.provider_id, PROVIDER_ROLES)
            or (cls.submitted_at is not None and actor.staff_of(cls.hr_id, REVIEWER_ROLES)))
