"""Supplementary claims for last year (学时增补): the rules a diagram cannot express.

The diagram (``bpmn/supplementary_claim.bpmn``) decides the path, when entries may be edited
(``editable`` on the trainee's steps) and when the trainee may withdraw (撤销增补, the
``cancel`` message its waiting steps take). This module holds the January window, which routes
a trainee may supplement, who sees a supplement, its entries and proofs, and last year's cap.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ...clock import today, utcnow
from ...db import by_id
from ...domain.credit_routes import ROUTE_LABELS
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _, label
from ...models import HourEntry, Organisation, ProcessInstance
from ...services import accounts, attachments, ledger, plugins, policy, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from .models import Supplementary, SupplementaryEntry

RECORD_TYPE = "supplementary"
# The ledger source of finally approved credit claims (their record type): a route with last
# year's hours from it may be supplemented. Named here, not imported: plug-ins stay apart.
CLAIM_SOURCE = "claim"
ONE_DECIMAL = Decimal("0.1")
MAX_ENTRIES = 20
# A supplement that ended this way does not stop the trainee from asking again for the route.
ENDED_WITHOUT_EFFECT = ("cancelled", "refused")


def settings() -> dict[str, Any]:
    """``[SUPPLEMENTARY]`` in config.toml over the defaults in ``app/settings.py``."""
    return current_app.config["SUPPLEMENTARY"]


def window(year: int, unit_id: int | None = None) -> tuple[date, date]:
    """The dates inside which ``year``'s hours may be supplemented by ``unit_id``'s staff (1 to 20
    January of the next year unless their authority set others: ``policy.effective``)."""
    found = policy.effective(unit_id, year).supplementary
    return found.opens_on, found.closes_on


def window_open(unit_id: int | None = None) -> bool:
    opens, closes = window(last_year(), unit_id)
    return opens <= today() <= closes


def check_window(unit_id: int | None = None) -> None:
    if not window_open(unit_id):
        opens, closes = window(last_year(), unit_id)
        raise Conflict(_("Last year's hours can be supplemented only from %(sm)s/%(sd)s to %(em)s/%(ed)s "
                         "each year.", sm=opens.month, sd=opens.day, em=closes.month, ed=closes.day),
                       code="window_closed")


def last_year() -> int:
    return today().year - 1


# -- routes and the cap -----------------------------------------------------------------------

def eligible_routes(user_id: int, year: int) -> list[str]:
    """Routes on which ``year``'s ledger holds hours of a finally approved credit claim."""
    rows = db.session.execute(
        select(HourEntry.route).where(HourEntry.user_id == user_id, HourEntry.year == year,
                                      HourEntry.source == CLAIM_SOURCE, HourEntry.route.is_not(None))
        .group_by(HourEntry.route).having(func.sum(HourEntry.hours) > 0))
    found = {route for (route,) in rows}
    return [code for code in ROUTE_LABELS if code in found]


def requestable_routes(user_id: int, year: int) -> list[str]:
    """The eligible routes the person has not asked for yet (or whose request came to nothing)."""
    taken = set(db.session.scalars(select(Supplementary.route).where(
        Supplementary.trainee_id == user_id, Supplementary.year == year,
        Supplementary.status.not_in(ENDED_WITHOUT_EFFECT))))
    return [route for route in eligible_routes(user_id, year) if route not in taken]


def route_used(user_id: int, year: int, route: str, *, exclude_id: int | None = None) -> Decimal:
    """Hours standing on the route that year, from every source (a supplement's own excluded)."""
    query = select(func.coalesce(func.sum(HourEntry.hours), 0)).where(
        HourEntry.user_id == user_id, HourEntry.year == year, HourEntry.route == route)
    if exclude_id is not None:
        query = query.where(~((HourEntry.source == RECORD_TYPE) & (HourEntry.source_id == exclude_id)))
    return Decimal(str(db.session.scalar(query))).quantize(ONE_DECIMAL)


def route_remaining(record: Supplementary) -> Decimal:
    used = route_used(record.trainee_id, record.year, record.route, exclude_id=record.id)
    return max(ledger.Policy.current().route_cap - used, ledger.ZERO).quantize(ONE_DECIMAL)


def check_cap(record: Supplementary) -> None:
    """The entries fit in what the route has left last year (the person locked while checking)."""
    ledger.lock_person(record.trainee_id)
    remaining = route_remaining(record)
    if record.hours_total > remaining:
        raise Invalid(_("The supplement's %(hours)s hours exceed the %(remaining)s hours left on “%(route)s” "
                        "for %(year)s (at most %(cap)s a year per route).", hours=record.hours_total,
                        remaining=remaining, route=label(ROUTE_LABELS[record.route]), year=record.year,
                        cap=ledger.Policy.current().route_cap), code="cap_exceeded",
                      fields={"hours": [_("At most %(remaining)s.", remaining=remaining)]})


# -- access ------------------------------------------------------------------------------------

def visible(record: Supplementary, actor: Actor) -> bool:
    if record.trainee_id == actor.id or actor.can_read_all_processes:
        return True
    return any(actor.has("reviewer", org) for org in (record.unit_id, record.office_id, record.province_id))


def get_visible(record_id: int, actor: Actor) -> Supplementary:
    record = by_id(Supplementary, record_id)
    if record is None or not visible(record, actor):
        raise NotFound(_("Supplement not found."))
    return record


def get_own(record_id: int, actor: Actor) -> Supplementary:
    record = get_visible(record_id, actor)
    if record.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may do this."))
    return record


def get_own_locked(record_id: int, actor: Actor) -> tuple[Supplementary, ProcessInstance]:
    """The caller's own supplement, its instance locked and both re-read; editable now."""
    record = get_own(record_id, actor)
    instance = runner.lock_instance(record.instance_id)
    db.session.refresh(record)
    if not runner.editable_by(instance, actor):
        raise Conflict(_("A supplement in status “%(status)s” cannot be changed.", status=label(record.status_label)),
                       code="not_editable")
    return record, instance


def list_for(actor: Actor) -> list[Supplementary]:
    return list(db.session.scalars(select(Supplementary).where(Supplementary.trainee_id == actor.id)
                                   .order_by(Supplementary.id.desc())))


# -- asking ------------------------------------------------------------------------------------

def _reviewers(unit_id: int) -> tuple[int, int]:
    """学时办 (the nearest authority above the unit) and 省级备案 (the provincial authority at the top)."""
    unit = db.session.get(Organisation, unit_id)
    office = unit.nearest("authority") if unit else None
    province, node = None, office
    while node is not None:
        if node.kind == "authority" and node.level == "province":
            province = node
        node = node.parent
    if office is None or province is None:
        raise Conflict(_("Your unit has no credit-hour office or provincial authority above it."),
                       code="no_authority")
    return office.id, province.id


def request(actor: Actor, payload: dict[str, Any]) -> Supplementary:
    """增补申请: ask to supplement last year on a route; the unit agrees or refuses."""
    if not actor.is_trainee:
        raise Forbidden(_("Only trainees ask for supplements."))
    unit_id = accounts.trainee_unit(actor.id)
    check_window(unit_id)
    year, route = last_year(), payload["route"]
    if route not in eligible_routes(actor.id, year):
        raise Invalid(_("You can supplement only a route on which a claim of yours for %(year)s was finally "
                        "approved.", year=year), code="route_not_eligible",
                      fields={"route": [_("No finally approved claim on this route for %(year)s.", year=year)]})
    if unit_id is None:
        raise Conflict(_("You belong to no unit."), code="no_unit")
    office_id, province_id = _reviewers(unit_id)
    ledger.lock_person(actor.id)  # two requests at once: one of them sees the other
    taken = db.session.scalar(select(Supplementary.id).where(
        Supplementary.trainee_id == actor.id, Supplementary.year == year, Supplementary.route == route,
        Supplementary.status.not_in(ENDED_WITHOUT_EFFECT)))
    if taken is not None:
        raise Conflict(_("You have already asked to supplement this route for %(year)s.", year=year),
                       code="already_requested")
    record = Supplementary(trainee_id=actor.id, year=year, route=route, unit_id=unit_id, office_id=office_id,
                           province_id=province_id)
    db.session.add(record)
    db.session.flush()
    instance = runner.start(plugins.for_type(RECORD_TYPE), record, actor, {"record_id": record.id},
                            event_data={"year": year, "route": route})
    record.instance_id = instance.id
    return record


def cancel(record_id: int, actor: Actor) -> Supplementary:
    """撤销增补: only while nothing is reported (the waiting step takes the ``cancel`` message)."""
    record = get_own(record_id, actor)
    try:
        runner.send_message(record.instance_id, plugins.for_type(RECORD_TYPE), record.id, actor, "cancel", "cancel")
    except Conflict:
        raise Conflict(_("A supplement in status “%(status)s” cannot be withdrawn: only one not reported yet "
                         "can.", status=label(record.status_label)), code="not_cancellable") from None
    return record


def answer(record: Supplementary, decision: str) -> dict[str, Any]:
    """The unit's 同意增补 / 拒绝增补 (the step form's rule)."""
    record.consent = "agreed" if decision == "agree" else "refused"
    return {"consent": record.consent}


# -- entries -----------------------------------------------------------------------------------

def _entry_values(record: Supplementary, payload: dict[str, Any]) -> dict[str, Any]:
    starts, ends = payload["starts_on"], payload["ends_on"]
    year_range = (date(record.year, 1, 1), date(record.year, 12, 31))
    for field, day in (("starts_on", starts), ("ends_on", ends)):
        if not year_range[0] <= day <= year_range[1]:
            raise Invalid(_("A supplement covers %(year)s only.", year=record.year), code="invalid",
                          fields={field: [_("A date in %(year)s.", year=record.year)]})
    if ends < starts:
        raise Invalid(_("The end date is before the start date."), code="invalid",
                      fields={"ends_on": [_("On or after the start date.")]})
    cap = ledger.Policy.current().route_cap
    hours = Decimal(str(payload["hours"]))  # positive and bounded by the schema
    if hours != hours.quantize(ONE_DECIMAL):
        raise Invalid(_("Hours must be positive, with at most one decimal place."), code="invalid",
                      fields={"hours": [_("Positive, at most one decimal place.")]})
    hours = hours.quantize(ONE_DECIMAL)
    if hours > cap:
        raise Invalid(_("Each route counts at most %(cap)s hours a year.", cap=cap), code="cap_exceeded",
                      fields={"hours": [_("At most %(remaining)s.", remaining=cap)]})
    return {"title": payload["title"].strip(), "starts_on": starts, "ends_on": ends, "hours": hours}


def _total(record: Supplementary) -> None:
    record.hours_total = sum((e.hours for e in record.entries), Decimal("0.0")).quantize(ONE_DECIMAL)
    record.updated_at = utcnow()


def _entry(record: Supplementary, entry_id: int) -> SupplementaryEntry:
    entry = next((e for e in record.entries if e.id == entry_id), None)
    if entry is None:
        raise NotFound(_("Entry not found."))
    return entry


def add_entry(record_id: int, actor: Actor, payload: dict[str, Any]) -> SupplementaryEntry:
    record, instance = get_own_locked(record_id, actor)
    if len(record.entries) >= MAX_ENTRIES:
        raise Conflict(_("A supplement holds at most %(n)s entries.", n=MAX_ENTRIES), code="too_many_entries")
    entry = SupplementaryEntry(**_entry_values(record, payload))
    record.entries.append(entry)
    _total(record)
    db.session.flush()
    record_event(instance, actor, "entry_add", data={"entry_id": entry.id, "hours": str(entry.hours)})
    return entry


def update_entry(record_id: int, entry_id: int, actor: Actor, payload: dict[str, Any]) -> SupplementaryEntry:
    record, instance = get_own_locked(record_id, actor)
    entry = _entry(record, entry_id)
    values = _entry_values(record, payload)
    changed = sorted(key for key, value in values.items() if getattr(entry, key) != value)
    if changed:
        for key in changed:
            setattr(entry, key, values[key])
        _total(record)
        record_event(instance, actor, "entry_edit", data={"entry_id": entry.id, "fields": changed})
    return entry


def remove_entry(record_id: int, entry_id: int, actor: Actor) -> None:
    record, instance = get_own_locked(record_id, actor)
    entry = _entry(record, entry_id)
    record.entries.remove(entry)
    _total(record)
    record_event(instance, actor, "entry_remove", data={"entry_id": entry_id})


# -- reporting, filing -------------------------------------------------------------------------

def check_submission(record: Supplementary, *, first_time: bool) -> dict[str, Any]:
    """个人上报: the first report inside the window; entries, proofs, and last year's cap."""
    if first_time:
        check_window(record.unit_id)
    if not record.entries:
        raise Invalid(_("Add at least one entry before reporting."), code="entry_required",
                      fields={"entries": [_("At least one.")]})
    needed = int(settings()["MIN_PROOFS"])
    if attachments.count(RECORD_TYPE, record.id) < needed:
        raise Invalid(_("Upload at least %(n)s proof before submitting.", n=needed), code="proof_required",
                      fields={"file": [_("At least %(n)s.", n=needed)]})
    check_cap(record)
    record.submitted_at = utcnow()
    return {"hours": str(record.hours_total)}


def check_filing(record: Supplementary) -> dict[str, Any]:
    """省级备案: the hours still fit last year's cap when they are filed."""
    check_cap(record)
    return {"hours": str(record.hours_total)}


def credit_hours(record: Supplementary) -> dict[str, Any]:
    ledger.credit(user_id=record.trainee_id, year=record.year, category="professional", source=RECORD_TYPE,
                  source_id=record.id, route=record.route, hours=record.hours_total,
                  note=f"{record.year}年度学时增补")
    return {"hours": str(record.hours_total)}


def submit(record_id: int, actor: Actor) -> Supplementary:
    record = get_own(record_id, actor)
    runner.complete_own_step(record.instance_id, actor, DecisionForm("submit"), record)
    return record


# -- proofs ------------------------------------------------------------------------------------

def file_policy() -> attachments.FilePolicy:
    limits = current_app.config["UPLOADS"]
    return attachments.FilePolicy(prefix="supplementary", max_files=limits["MAX_FILES_PER_CLAIM"],
                                  max_bytes=limits["MAX_FILE_BYTES"],
                                  max_description=limits["MAX_DESCRIPTION_CHARS"])


def add_file(record_id: int, actor: Actor, data: bytes, filename: str | None, description: str | None) -> Any:
    _record, instance = get_own_locked(record_id, actor)
    return attachments.add(instance, file_policy(), actor, data, filename, description)


def remove_file(record_id: int, file_id: int, actor: Actor) -> None:
    _record, instance = get_own_locked(record_id, actor)
    attachments.remove(instance, actor, file_id)


def read_file(record_id: int, file_id: int, actor: Actor) -> tuple[Any, bytes]:
    record = get_visible(record_id, actor)
    return attachments.read(RECORD_TYPE, record.id, file_id, actor)
