"""Credit-hour claims (学时登记, seeds 000 §4 and 002): the rules a diagram cannot express.

The diagram (``bpmn/credit_claim.bpmn``) decides the path, what may still be edited
(``editable`` on the trainee's steps) and when a claim may be withdrawn or deleted (the
``withdraw`` and ``delete`` messages its waiting steps take). This module holds who may see a
claim, the route rules and the yearly cap, the submission window, the enrolment requirement
and the proofs a submission needs.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from ...clock import today, utcnow
from ...db import by_id, read
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _, _l, label
from ...models import HourEntry, ProcessInstance
from ...services import accounts, attachments, ledger, plugins, policy, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from ...validation import MAX_HOURS
from ..enrollment import service as enrollments
from .models import Claim, ClaimWindow
from .routes import ROUTES, DetailsError

RECORD_TYPE = "claim"
ONE_DECIMAL = Decimal("0.1")
MAX_CLAIM_HOURS = MAX_HOURS


def parse_hours(value: Any, field: str) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid(_("Hours must be a number."), code="invalid", fields={field: [_("Not a number.")]}) from None
    # bounded before quantize(): 1e308 or a 30-digit number would overflow the decimal context
    if (not hours.is_finite() or hours <= 0 or hours > MAX_CLAIM_HOURS
            or hours != hours.quantize(ONE_DECIMAL)):
        raise Invalid(_("Hours must be positive, with at most one decimal place."), code="invalid",
                      fields={field: [_("Positive, at most one decimal place.")]})
    return hours.quantize(ONE_DECIMAL)


# -- the yearly cap per route --------------------------------------------------------------

# Built once (a submission and each review ask it): building it cost more than running it.
# Every source's hours on the route count (a supplement for last year credits the route too);
# the claim itself is left out, by its source and id.
_ROUTE_USED = select(db.func.coalesce(db.func.sum(HourEntry.hours), 0)).where(
    HourEntry.user_id == bindparam("user_id"), HourEntry.year == bindparam("year"),
    HourEntry.route == bindparam("route"),
    ~((HourEntry.source == RECORD_TYPE) & (HourEntry.source_id == bindparam("exclude"))))


def route_used(user_id: int, year: int, route: str, *, exclude_claim_id: int | None = None) -> Decimal:
    used = read(_ROUTE_USED, {"user_id": user_id, "year": year, "route": route,
                              "exclude": -1 if exclude_claim_id is None else exclude_claim_id}).scalar()
    return Decimal(str(used)).quantize(ONE_DECIMAL)  # the same on every database


def route_remaining(user_id: int, year: int, route: str, *, exclude_claim_id: int | None = None) -> Decimal:
    used = route_used(user_id, year, route, exclude_claim_id=exclude_claim_id)
    return max(ledger.Policy.current().route_cap - used, ledger.ZERO).quantize(ONE_DECIMAL)


# -- rules ----------------------------------------------------------------------------------

def window(year: int, unit_id: int | None) -> policy.Window | None:
    """The dates inside which ``year``'s claims of ``unit_id``'s staff are submitted: as the nearest
    authority set them (``policy.effective``), else the platform's schedule (``ClaimWindow``)."""
    found = policy.effective(unit_id, year).claim
    if found is None:
        row = read(_CLAIM_WINDOW, {"year": year}).first()
        found = policy.Window(row.opens_on, row.closes_on) if row else None
    return found


_CLAIM_WINDOW = select(ClaimWindow.opens_on, ClaimWindow.closes_on).where(ClaimWindow.year == bindparam("year"))


def open_window(year: int, unit_id: int | None) -> policy.Window | None:
    found = window(year, unit_id)
    return found if found is not None and found.holds(today()) else None


def claimant_unit(user_id: int, year: int) -> int | None:
    """The unit whose authority's window applies to the person's claims of ``year``."""
    enrollment = enrollments.of_year(user_id, year)
    return enrollment.unit_id if enrollment is not None else accounts.trainee_unit(user_id)


def open_demo_window(year: int) -> None:
    if db.session.scalar(select(ClaimWindow.id).where(ClaimWindow.year == year)) is None:
        db.session.add(ClaimWindow(year=year, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31)))


def proofs_required(route: str) -> int:
    """How many proofs a claim of ``route`` needs before it is submitted (configuration)."""
    config = current_app.config["CLAIMS"]
    return int(config.get("MIN_PROOFS_BY_ROUTE", {}).get(route, config["MIN_PROOFS"]))


def check_submission(claim: Claim, *, first_time: bool) -> dict[str, Any]:
    """Everything a (re)submission needs; sets the unit and authority that will review it."""
    unit_id = enrollments.approved_unit(claim.trainee_id, claim.year)
    if first_time and open_window(claim.year, unit_id) is None:
        raise Conflict(_("Credit-hour registration for %(year)s is not open.", year=claim.year), code="window_closed")
    if unit_id is None:
        raise Conflict(_("You have no approved enrolment for %(year)s.", year=claim.year),
                       code="not_enrolled")
    authority_id = policy.nearest_authority_above(unit_id)
    if authority_id is None:
        raise Conflict(_("Your unit has no supervising authority."), code="no_authority")
    needed = proofs_required(claim.route)
    if attachments.count(RECORD_TYPE, claim.id) < needed:
        raise Invalid(_("Upload at least %(n)s proof before submitting.", n=needed), code="proof_required",
                      fields={"file": [_("At least %(n)s.", n=needed)]})
    ledger.lock_person(claim.trainee_id)
    remaining = route_remaining(claim.trainee_id, claim.year, claim.route)
    if claim.hours_requested > remaining:
        raise Invalid(_("The requested hours exceed the %(remaining)s hours left on this route this year "
                        "(at most %(cap)s a year per route).", remaining=remaining,
                        cap=ledger.Policy.current().route_cap), code="cap_exceeded",
                      fields={"hours_requested": [_("At most %(remaining)s.", remaining=remaining)]})
    claim.unit_id = unit_id
    claim.authority_id = authority_id
    claim.submitted_at = utcnow()
    claim.hours_reviewed = None
    claim.hours_registered = None
    return {"hours_requested": str(claim.hours_requested)}


def set_hours(claim: Claim, field: str, given: Any) -> dict[str, Any]:
    """A reviewer's hours (``reviewed`` by the unit, ``registered`` by the authority), within the cap."""
    default = claim.hours_requested if field == "reviewed" else claim.hours_reviewed
    hours = parse_hours(given if given is not None else default, "hours")
    ledger.lock_person(claim.trainee_id)
    remaining = route_remaining(claim.trainee_id, claim.year, claim.route, exclude_claim_id=claim.id)
    if hours > remaining:
        raise Invalid(_("%(hours)s hours exceed the %(remaining)s hours this trainee has left on "
                        "“%(route)s” this year.", hours=hours, remaining=remaining,
                        route=label(ROUTES[claim.route].label)), code="cap_exceeded",
                      fields={"hours": [_("At most %(remaining)s.", remaining=remaining)]})
    setattr(claim, f"hours_{field}", hours)
    return {"hours": str(hours)}


def credit_hours(claim: Claim) -> dict[str, Any]:
    ledger.credit(user_id=claim.trainee_id, year=claim.year, category="professional",
                  source=RECORD_TYPE, source_id=claim.id, route=claim.route,
                  hours=claim.hours_registered, note=claim.title[:120])
    return {"hours": str(claim.hours_registered)}


def discard(claim: Claim) -> dict[str, Any]:
    """A deleted draft: off the trainee's list, its proofs gone once the deletion has committed."""
    claim.deleted_at = utcnow()
    attachments.discard_all(RECORD_TYPE, claim.id)
    return {}


def validated(payload: dict[str, Any], current: Claim | None = None) -> dict[str, Any]:
    route_code = payload.get("route", current.route if current else None)
    route = ROUTES.get(route_code)
    if route is None:
        raise Invalid(_("Unknown claim route."), code="invalid", fields={"route": [_("Choose a route.")]})
    details = payload.get("details", current.details if current else {})
    try:
        suggested = route.suggest(details)
    except DetailsError as exc:
        raise Invalid(_("The details of the route are incomplete or wrong."), code="invalid",
                      fields={f"details.{k}": [_(message, **params)]
                              for k, (message, params) in exc.fields.items()}) from None
    cap = ledger.Policy.current().route_cap
    hours = parse_hours(payload.get("hours_requested", current.hours_requested if current else None),
                        "hours_requested")
    if hours > cap:
        raise Invalid(_("Each route counts at most %(cap)s hours a year.", cap=cap), code="cap_exceeded",
                      fields={"hours_requested": [_("At most %(remaining)s.", remaining=cap)]})
    values = {"route": route.code, "details": dict(details), "hours_requested": hours,
              "hours_suggested": min(suggested, cap)}
    if "title" in payload:
        values["title"] = payload["title"].strip()
    return values


# -- access -----------------------------------------------------------------------

def visible(claim: Claim, actor: Actor) -> bool:
    if claim.deleted_at is not None:
        return False
    if claim.trainee_id == actor.id or actor.can_read_all_processes:
        return True
    return claim.unit_id is not None and (
        actor.has("reviewer", claim.unit_id) or actor.has("reviewer", claim.authority_id))


def get_visible(claim_id: int, actor: Actor) -> Claim:
    claim = by_id(Claim, claim_id)
    if claim is None or not visible(claim, actor):
        raise NotFound(_("Claim not found."))
    return claim


def get_own_locked(claim_id: int, actor: Actor, *,
                   editable: bool = True) -> tuple[Claim, ProcessInstance]:
    """The caller's own claim, with its instance locked and both re-read."""
    claim = get_visible(claim_id, actor)
    if claim.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may change a claim."))
    instance = runner.lock_instance(claim.instance_id)
    db.session.refresh(claim)
    if claim.deleted_at is not None:
        raise NotFound(_("Claim not found."))
    if editable and not runner.editable_by(instance, actor):
        raise Conflict(_("A claim in status “%(status)s” cannot be changed.", status=label(claim.status_label)),
                       code="not_editable")
    return claim, instance


def list_for(actor: Actor, year: int | None = None) -> list[Claim]:
    query = select(Claim).where(Claim.trainee_id == actor.id, Claim.deleted_at.is_(None))
    if year is not None:
        query = query.where(Claim.year == year)
    return list(db.session.scalars(query.order_by(Claim.id.desc())))


# -- lifecycle ------------------------------------------------------------------

def create(actor: Actor, payload: dict[str, Any]) -> Claim:
    if not actor.is_trainee:
        raise Forbidden(_("Only trainees file credit-hour claims."))
    year = payload["year"]
    if not 2000 <= year <= today().year + 1:
        raise Invalid(_("The year is out of range."), code="invalid", fields={"year": [_("Out of range.")]})
    claim = Claim(trainee_id=actor.id, year=year, **validated(payload))
    db.session.add(claim)
    db.session.flush()
    instance = runner.start(plugins.for_type(RECORD_TYPE), claim, actor, {"record_id": claim.id},
                            event_data={"title": claim.title, "route": claim.route})
    claim.instance_id = instance.id
    return claim


def update(claim_id: int, actor: Actor, payload: dict[str, Any]) -> Claim:
    """Apply the changed fields; an edit that changes nothing leaves no trace in the log."""
    claim, instance = get_own_locked(claim_id, actor)
    values = validated(payload, claim)
    changed = sorted(key for key, value in values.items() if getattr(claim, key) != value)
    if changed:
        for key in changed:
            setattr(claim, key, values[key])
        claim.updated_at = utcnow()
        record_event(instance, actor, "edit", data={"fields": changed})
    return claim


def _message(claim_id: int, actor: Actor, message: str, refusal: Any, code: str) -> Claim:
    """Send the claim's process a message (withdraw, delete); 409 with ``refusal`` when no step takes it."""
    claim = get_visible(claim_id, actor)
    if claim.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may do this."))
    try:
        runner.send_message(claim.instance_id, plugins.for_type(RECORD_TYPE), claim.id, actor, message, message)
    except Conflict:
        raise Conflict(str(refusal) % {"status": label(claim.status_label)}, code=code) from None
    return claim


def delete(claim_id: int, actor: Actor) -> None:
    _message(claim_id, actor, "delete", _l("A claim in status “%(status)s” cannot be deleted: only one not "
                                           "yet submitted can."), "not_deletable")


def submit(claim_id: int, actor: Actor) -> Claim:
    claim = get_visible(claim_id, actor)
    if claim.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may submit a claim."))
    runner.complete_own_step(claim.instance_id, actor, DecisionForm("submit"), claim)
    return claim


def withdraw(claim_id: int, actor: Actor) -> Claim:
    return _message(claim_id, actor, "withdraw", _l("A claim in status “%(status)s” cannot be withdrawn: only "
                                                    "one waiting for the unit's review can."), "not_withdrawable")


# -- proofs ----------------------------------------------------------------------------------

def file_policy() -> attachments.FilePolicy:
    limits = current_app.config["UPLOADS"]
    return attachments.FilePolicy(prefix="claims", max_files=limits["MAX_FILES_PER_CLAIM"],
                                  max_bytes=limits["MAX_FILE_BYTES"],
                                  max_description=limits["MAX_DESCRIPTION_CHARS"])


def add_file(claim_id: int, actor: Actor, data: bytes, filename: str | None, description: str | None) -> Any:
    _claim, instance = get_own_locked(claim_id, actor)
    return attachments.add(instance, file_policy(), actor, data, filename, description)


def remove_file(claim_id: int, file_id: int, actor: Actor) -> None:
    _claim, instance = get_own_locked(claim_id, actor)
    attachments.remove(instance, actor, file_id)


def read_file(claim_id: int, file_id: int, actor: Actor) -> tuple[Any, bytes]:
    claim = get_visible(claim_id, actor)
    return attachments.read(RECORD_TYPE, claim.id, file_id, actor)
