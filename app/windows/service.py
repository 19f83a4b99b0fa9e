"""年度申报时间与政策设置: an authority's administrators set, for a year, its subtree's claim window,
supplementary window and required hours, within the bounds config allows (``policy.bounds``).

What each field means and what is refused (422, nothing changed):

* claim window (``claim_opens_on``/``claim_closes_on``): when that year's credit claims may be
  submitted; both or neither, start on or before end, inside config's ``CLAIM_EARLIEST`` ..
  ``CLAIM_LATEST`` of that year (1 Jan .. 31 Dec by default).
* supplementary window (``supplementary_opens_on``/``_closes_on``): when that year's hours may be
  supplemented; both or neither, start on or before end, inside ``SUPPLEMENTARY_EARLIEST`` ..
  ``SUPPLEMENTARY_LATEST`` of the NEXT year (1 Jan .. 31 Mar by default).
* required hours (``total_hours``, ``senior_total_hours``, ``professional_hours``, ``public_hours``):
  all of total/professional/public or none; total between ``MIN_TOTAL_HOURS`` and ``MAX_TOTAL_HOURS``
  (90..200 by default); senior titles' total empty (same as everyone) or between the total and
  ``MAX_TOTAL_HOURS``; professional and public at least 0 with their sum at most the total; at most
  one decimal place.

A group left empty is inherited (the nearest authority above that set it, else config). Only the
previous, current and next year may be changed (a closed year's results stay as they were). Each
change is an administrative audit event (``window_set`` / ``policy_set``) with old and new values.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from ..clock import today, utcnow
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _, _l
from ..models import Organisation, ProcessEvent
from ..models.policy import YearSetting
from ..services import policy
from ..services.actors import Actor
from ..services.audit import record_admin_event
from ..services.plugins import registry

ROLE = "admin"
WINDOW_FIELDS = ("claim_opens_on", "claim_closes_on", "supplementary_opens_on", "supplementary_closes_on")
HOUR_FIELDS = ("total_hours", "senior_total_hours", "professional_hours", "public_hours")
FIELDS = WINDOW_FIELDS + HOUR_FIELDS
ONE_DECIMAL = Decimal("0.1")
HISTORY_LIMIT = 100
MAX_HOURS = 1000  # what a field takes at all (config's bounds are far below)
ACTIONS = {"window_set": _l("Claim and supplementary windows set"), "policy_set": _l("Hour policy set")}


# -- who --------------------------------------------------------------------------------------

def administered(actor: Actor) -> list[int]:
    """The authorities ``actor`` administers."""
    return sorted(org for org in actor.orgs(ROLE) if actor.org_kinds.get(org) == "authority")


def authority_for(actor: Actor, org_id: int | None = None) -> int:
    """The authority whose settings ``actor`` changes (``org_id``, or their only/first one): 403 otherwise."""
    mine = administered(actor)
    if not mine or (org_id is not None and org_id not in mine):
        raise Forbidden(_("Only an administrator of the authority may set its windows and policy."))
    return org_id if org_id is not None else mine[0]


def org_for(actor: Actor, org_id: int | None, year: int) -> int | None:
    """The organisation whose effective settings ``actor`` asks for: their own (a trainee's unit that
    year), or ``org_id`` if it is theirs or in the subtree of an authority they work for."""
    if org_id is None:
        if actor.acts_as_trainee:
            found = registry().profile_of(actor.id, year)
            return found.unit_id if found is not None and found.unit_id else next(iter(actor.orgs("trainee")), None)
        staff = sorted(org for role, org in actor.roles if org is not None)
        return staff[0] if staff else None
    if db.session.get(Organisation, org_id) is None:
        raise NotFound(_("Organisation not found."))
    if actor.can_read_all_processes or any(org == org_id for _role, org in actor.roles):
        return org_id
    staff = {org for role, org in actor.roles if role in ("reviewer", ROLE) and actor.org_kinds.get(org) == "authority"}
    if staff & set(policy.authorities(org_id)):
        return org_id
    raise Forbidden(_("You may not see this organisation's settings."))


# -- checks -----------------------------------------------------------------------------------

def check_year(year: int, *, changing: bool) -> None:
    low, high = (today().year - 1, today().year + 1) if changing else (2000, 2100)
    if not low <= year <= high:
        raise Invalid(_("Settings can be made only for %(low)s to %(high)s.", low=low, high=high), code="invalid",
                      fields={"year": [_("Between %(low)s and %(high)s.", low=low, high=high)]})


def _window(values: dict[str, Any], prefix: str, bounds: policy.Window, errors: dict[str, list[str]]) -> None:
    opens, closes = values.get(f"{prefix}_opens_on"), values.get(f"{prefix}_closes_on")
    if opens is None and closes is None:
        return
    if opens is None or closes is None:
        errors[f"{prefix}_{'opens' if opens is None else 'closes'}_on"] = [_("Give both dates, or neither.")]
        return
    if opens > closes:
        errors[f"{prefix}_closes_on"] = [_("The end is before the start.")]
    for name, day in ((f"{prefix}_opens_on", opens), (f"{prefix}_closes_on", closes)):
        if not bounds.holds(day):
            errors.setdefault(name, []).append(_("Between %(start)s and %(end)s.", start=bounds.opens_on.isoformat(),
                                                 end=bounds.closes_on.isoformat()))


def _hours(values: dict[str, Any], bounds: policy.Bounds, errors: dict[str, list[str]]) -> None:
    given = {name: values.get(name) for name in HOUR_FIELDS}
    for name, value in given.items():
        if value is not None and (value < 0 or value != value.quantize(ONE_DECIMAL)):
            errors[name] = [_("At least 0, with at most one decimal place.")]
    if errors:
        return
    total, senior = given["total_hours"], given["senior_total_hours"]
    required = ("total_hours", "professional_hours", "public_hours")
    if all(given[name] is None for name in HOUR_FIELDS):
        return
    for name in required:
        if given[name] is None:
            errors[name] = [_("Give the total, professional and public hours together, or none.")]
    if errors:
        return
    span = _("Between %(low)s and %(high)s.", low=bounds.min_total, high=bounds.max_total)
    if not bounds.min_total <= total <= bounds.max_total:
        errors["total_hours"] = [span]
    if senior is not None and not total <= senior <= bounds.max_total:
        errors["senior_total_hours"] = [_("Between the total (%(low)s) and %(high)s.", low=total,
                                          high=bounds.max_total)]
    if given["professional_hours"] + given["public_hours"] > total:
        errors["public_hours"] = [_("Professional and public hours together exceed the total.")]


def validated(year: int, values: dict[str, Any]) -> dict[str, Any]:
    """The settings as stored (dates, hours to one decimal), or 422 with every problem by field."""
    clean: dict[str, Any] = {name: values.get(name) for name in FIELDS}
    errors: dict[str, list[str]] = {}
    for name in HOUR_FIELDS:
        if clean[name] is not None:
            try:
                clean[name] = Decimal(str(clean[name]))
            except (InvalidOperation, ValueError):
                errors[name] = [_("A number.")]
            else:
                if not clean[name].is_finite() or abs(clean[name]) > MAX_HOURS:
                    errors[name] = [_("Between 0 and %(max)s.", max=MAX_HOURS)]
    for name in WINDOW_FIELDS:
        if clean[name] is not None and not isinstance(clean[name], date):
            errors[name] = [_("A date.")]
    if not errors:
        bounds = policy.bounds(year)
        _window(clean, "claim", bounds.claim, errors)
        _window(clean, "supplementary", bounds.supplementary, errors)
        _hours(clean, bounds, errors)
    if errors:
        raise Invalid(_("The settings are outside what is allowed."), code="invalid", fields=errors)
    return {name: value.quantize(ONE_DECIMAL) if isinstance(value, Decimal) else value
            for name, value in clean.items()}


# -- reading and saving -----------------------------------------------------------------------

def own(authority_id: int, year: int) -> YearSetting | None:
    return db.session.scalar(select(YearSetting).where(YearSetting.org_id == authority_id, YearSetting.year == year))


def _shown(value: Any) -> str | None:
    return None if value is None else (value.isoformat() if isinstance(value, date) else str(value))


def _group(row: YearSetting | None, names: tuple[str, ...]) -> dict[str, str | None]:
    return {name: _shown(getattr(row, name)) if row is not None else None for name in names}


def own_values(row: YearSetting | None) -> dict[str, str | None]:
    """The authority's own settings as text (None: inherited)."""
    return _group(row, FIELDS)


def save(actor: Actor, authority_id: int, year: int, values: dict[str, Any]) -> YearSetting:
    """Replace the authority's settings for ``year`` (an empty group: inherited) and record what changed."""
    authority = authority_for(actor, authority_id)
    check_year(year, changing=True)
    clean = validated(year, values)
    # Two administrators saving at once: one after the other (the second sees the first's values as old).
    db.session.execute(select(Organisation.id).where(Organisation.id == authority).with_for_update(key_share=True))
    row = own(authority, year)
    old_windows, old_hours = _group(row, WINDOW_FIELDS), _group(row, HOUR_FIELDS)
    if row is None:
        row = YearSetting(org_id=authority, year=year)
        db.session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = utcnow(), actor.id
    db.session.flush()
    new_windows, new_hours = _group(row, WINDOW_FIELDS), _group(row, HOUR_FIELDS)
    if new_windows != old_windows:
        record_admin_event(actor, "window_set", record_type="window", record_id=row.id, org_id=authority,
                           old=old_windows, new=new_windows, data={"year": year})
    if new_hours != old_hours:
        record_admin_event(actor, "policy_set", record_type="policy", record_id=row.id, org_id=authority,
                           old=old_hours, new=new_hours, data={"year": year})
    policy.forget()
    return row


def history(authority_id: int, year: int) -> list[ProcessEvent]:
    """The changes of the authority's settings for ``year``, newest first."""
    row = own(authority_id, year)
    if row is None:
        return []
    return list(db.session.scalars(
        select(ProcessEvent).where(ProcessEvent.instance_id.is_(None), ProcessEvent.record_id == row.id,
                                   ProcessEvent.record_type.in_(("window", "policy")))
        .order_by(ProcessEvent.at.desc(), ProcessEvent.id.desc()).limit(HISTORY_LIMIT)))


def describe(org_id: int | None, year: int) -> dict[str, Any]:
    """The effective settings of ``year`` for ``org_id`` with who set each group, and config's bounds."""
    found = policy.effective(org_id, year)
    setters = {o for o in (found.claim_from, found.supplementary_from, found.hours_from) if o is not None}
    wanted = setters | ({org_id} if org_id else set())
    names: dict[int, str] = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(wanted))).all()) if wanted else {}
    bounds = policy.bounds(year)

    def window(value: policy.Window | None, source: int | None) -> dict[str, Any] | None:
        return None if value is None else {"opens_on": value.opens_on, "closes_on": value.closes_on,
                                           "set_by_org_id": source, "set_by": names.get(source) if source else None}

    return {
        "year": year, "org_id": org_id, "org_name": names.get(org_id) if org_id else None,
        "claim_window": window(found.claim, found.claim_from),
        "supplementary_window": window(found.supplementary, found.supplementary_from),
        "hours": {"total": found.hours.total, "senior_total": found.hours.senior_total,
                  "professional": found.hours.professional, "public": found.hours.public,
                  "set_by_org_id": found.hours_from,
                  "set_by": names.get(found.hours_from) if found.hours_from else None},
        "bounds": {"claim_earliest": bounds.claim.opens_on, "claim_latest": bounds.claim.closes_on,
                   "supplementary_earliest": bounds.supplementary.opens_on,
                   "supplementary_latest": bounds.supplementary.closes_on,
                   "min_total_hours": bounds.min_total, "max_total_hours": bounds.max_total},
    }
