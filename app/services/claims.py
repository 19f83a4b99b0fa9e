"""Credit-hour claims (学时登记): process 2 of the domain.

The diagram (``bpmn/credit_claim.bpmn``) decides the path; this module holds
the rules a diagram cannot express: who may see a claim, the route rules and
the yearly cap, the submission window and the enrolment requirement.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from workflows import TaskInfo

from ..domain.routes import ROUTES, DetailsError
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import N_, _, label
from ..models import Claim, ClaimWindow, Enrollment, Organisation, ProcessInstance, utcnow
from . import ledger, processes
from .actors import Actor
from .audit import record_event
from .engine import service_handler
from .records import DecisionForm, RecordType, register

EDITABLE = ("draft", "returned")
TRAINEE_TASKS = ("prepare", "revise")
ONE_DECIMAL = Decimal("0.1")
# No claim comes near this (a route counts at most ROUTE_CAP_HOURS a year); the column holds 99999.9.
MAX_CLAIM_HOURS = Decimal(1000)


def today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


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


class ClaimRecords(RecordType):
    record_type = "claim"
    process_key = "credit_claim"
    model = Claim
    lanes = {**RecordType.lanes, "authority": "authority_id"}

    def summary(self, record: Claim) -> dict[str, Any]:
        return {
            **super().summary(record),
            "title": record.title,
            "route": record.route,
            "route_label": ROUTES[record.route].label,
            "hours_requested": float(record.hours_requested),
            "hours_suggested": float(record.hours_suggested),
            "hours_reviewed": float(record.hours_reviewed) if record.hours_reviewed is not None else None,
            "unit_name": record.unit.name if record.unit else None,
        }

    def engine_data(self, task: TaskInfo, form: DecisionForm, record: Claim,
                    actor: Actor) -> dict[str, Any]:
        if form.decision == "submit":
            _check_submission(record, first_time=record.status == "draft")
        elif form.decision == "approve" and task.properties.get("hours"):
            _set_reviewed_hours(record, task.properties["hours"], form.hours)
        return {"decision": form.decision}

    def event_data(self, task: TaskInfo, form: DecisionForm, record: Claim) -> dict[str, Any]:
        field = task.properties.get("hours")
        if form.decision == "approve" and field:
            return {"hours": str(getattr(record, f"hours_{field}"))}
        if form.decision == "submit":
            return {"hours_requested": str(record.hours_requested)}
        return {}


CLAIMS = register(ClaimRecords())


@service_handler("credit_claim_hours")
def credit_claim_hours(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    claim: Claim = host.record
    ledger.credit(user_id=claim.trainee_id, year=claim.year, category="professional",
                  source="claim", source_id=claim.id, route=claim.route,
                  hours=claim.hours_registered, note=claim.title[:120])
    return {"hours": str(claim.hours_registered)}


# -- rules ----------------------------------------------------------------------

def open_window(year: int) -> ClaimWindow | None:
    window = db.session.scalar(select(ClaimWindow).where(ClaimWindow.year == year))
    if window and window.opens_on <= today() <= window.closes_on:
        return window
    return None


def approved_enrollment(trainee_id: int, year: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.trainee_id == trainee_id, Enrollment.year == year,
        Enrollment.status == "approved"))


def _check_submission(claim: Claim, first_time: bool) -> None:
    if first_time and open_window(claim.year) is None:
        raise Conflict(_("Credit-hour registration for %(year)s is not open.", year=claim.year), code="window_closed")
    enrollment = approved_enrollment(claim.trainee_id, claim.year)
    if enrollment is None:
        raise Conflict(_("You have no approved enrolment for %(year)s.", year=claim.year),
                       code="not_enrolled")
    authority = db.session.get(Organisation, enrollment.unit_id).nearest("authority")
    if authority is None:
        raise Conflict(_("Your unit has no supervising authority."), code="no_authority")
    ledger.lock_trainee(claim.trainee_id)
    remaining = ledger.route_remaining(claim.trainee_id, claim.year, claim.route)
    if claim.hours_requested > remaining:
        raise Invalid(_("The requested hours exceed the %(remaining)s hours left on this route this year "
                        "(at most %(cap)s a year per route).", remaining=remaining,
                        cap=ledger.Policy.current().route_cap), code="cap_exceeded",
                      fields={"hours_requested": [_("At most %(remaining)s.", remaining=remaining)]})
    claim.unit_id = enrollment.unit_id
    claim.authority_id = authority.id
    claim.submitted_at = utcnow()
    claim.hours_reviewed = None
    claim.hours_registered = None


def _set_reviewed_hours(claim: Claim, field: str, given: Any) -> None:
    default = claim.hours_requested if field == "reviewed" else claim.hours_reviewed
    hours = parse_hours(given if given is not None else default, "hours")
    ledger.lock_trainee(claim.trainee_id)
    remaining = ledger.route_remaining(claim.trainee_id, claim.year, claim.route,
                                       exclude_source_id=claim.id)
    if hours > remaining:
        raise Invalid(_("%(hours)s hours exceed the %(remaining)s hours this trainee has left on "
                        "“%(route)s” this year.", hours=hours, remaining=remaining,
                        route=label(ROUTES[claim.route].label)), code="cap_exceeded",
                      fields={"hours": [_("At most %(remaining)s.", remaining=remaining)]})
    setattr(claim, f"hours_{field}", hours)


def _validated(payload: dict[str, Any], current: Claim | None = None) -> dict[str, Any]:
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
    if claim.trainee_id == actor.id or actor.can_read_all_processes:
        return True
    return claim.unit_id is not None and (
        actor.has("reviewer", claim.unit_id) or actor.has("reviewer", claim.authority_id))


def get_visible(claim_id: int, actor: Actor) -> Claim:
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.deleted_at is not None or not visible(claim, actor):
        raise NotFound(_("Claim not found."))
    return claim


def get_own_locked(claim_id: int, actor: Actor, *,
                   editable: bool = True) -> tuple[Claim, ProcessInstance]:
    """The caller's own claim, with its instance locked and both re-read."""
    claim = get_visible(claim_id, actor)
    if claim.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may change a claim."))
    instance = processes.lock_instance(claim.instance_id)
    db.session.refresh(claim)
    if claim.deleted_at is not None:
        raise NotFound(_("Claim not found."))
    if editable and claim.status not in EDITABLE:
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
    values = _validated(payload)
    claim = Claim(trainee_id=actor.id, year=year, status="draft", status_label=N_("未提交"), **values)
    db.session.add(claim)
    db.session.flush()
    instance = processes.start(CLAIMS, claim, actor, {"record_id": claim.id},
                               event_data={"title": claim.title, "route": claim.route})
    claim.instance_id = instance.id
    return claim


def update(claim_id: int, actor: Actor, payload: dict[str, Any]) -> Claim:
    """Apply the changed fields; an edit that changes nothing leaves no trace in the log."""
    claim, instance = get_own_locked(claim_id, actor)
    values = _validated(payload, claim)
    changed = sorted(key for key, value in values.items() if getattr(claim, key) != value)
    if changed:
        for key in changed:
            setattr(claim, key, values[key])
        claim.updated_at = utcnow()
        record_event(instance, actor, "edit", data={"fields": changed})
    return claim


def delete(claim_id: int, actor: Actor) -> None:
    claim, instance = get_own_locked(claim_id, actor)
    if claim.status != "draft":
        raise Conflict(_("Only a claim not yet submitted can be deleted."), code="not_editable")
    loaded = processes.load(instance, claim, actor)
    loaded.cancel()
    instance.cancelled = True
    record_event(instance, actor, "delete")
    processes.save(instance, loaded, CLAIMS, claim)
    claim.deleted_at = utcnow()
    claim.status, claim.status_label = "deleted", N_("已删除")
    instance.status, instance.status_label = claim.status, claim.status_label  # a cancelled engine has none
    from .claim_files import discard_all
    discard_all(claim)


def submit(claim_id: int, actor: Actor) -> Claim:
    claim = get_visible(claim_id, actor)
    if claim.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may submit a claim."))
    if claim.status not in EDITABLE:
        raise Conflict(_("A claim in status “%(status)s” cannot be submitted.", status=label(claim.status_label)),
                       code="not_editable")
    processes.complete_open_task(claim.instance_id, TRAINEE_TASKS, actor, DecisionForm("submit"), claim)
    return claim


def withdraw(claim_id: int, actor: Actor) -> Claim:
    claim = get_visible(claim_id, actor)
    if claim.trainee_id != actor.id:
        raise Forbidden(_("Only the trainee may withdraw a claim."))
    if claim.status != "unit_review":
        raise Conflict(_("A claim in status “%(status)s” cannot be withdrawn: only one waiting for the "
                         "unit's review can.", status=label(claim.status_label)), code="not_withdrawable")
    try:
        processes.send_message(claim.instance_id, CLAIMS, claim.id, actor, "withdraw", "withdraw")
    except Conflict:
        raise Conflict(_("The unit has already acted; the claim can no longer be withdrawn."),
                       code="not_withdrawable") from None
    return claim
