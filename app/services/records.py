"""The hour record (seed 000 §3.5, §5): a person's hours by subject and source against the policy
for their region and title level, every year's totals (历史记录), confirming the registration details
(核实报名信息), and the printed record (学时证明) with a public number.

The registration details come from the plug-in that holds them (``ProcessPlugin.profile``); the
ledger's sources are named by the plug-ins and features that credit them (``ledger_sources``).
A print freezes what it printed, so its public check shows the figures on the paper even if the
ledger changes later; after the first print the details are locked (``profile_locked``).
"""
from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal
from typing import Any

from flask import render_template, url_for
from sqlalchemy import func, select

from ..clock import today, utcnow
from ..domain.idnumber import mask
from ..errors import Conflict, NotFound
from ..extensions import db
from ..i18n import _, force_language, label
from ..models import HourEntry, ProfileConfirmation, RecordPrint, User
from ..models.ledger import CATEGORIES, CATEGORY_LABELS
from . import certificates, ledger, pdf, policy
from .actors import Actor
from .plugins import Profile, registry

NUMBER_DIGITS = 10
HISTORY_YEARS = 30  # a career: the history lists at most this many years


# -- the policy and the details ---------------------------------------------------------------

def profile(user_id: int, year: int) -> Profile | None:
    return registry().profile_of(user_id, year)


def policy_for(user_id: int, year: int, found: Profile | None = None) -> ledger.Policy:
    """The requirement in force that year for this person's title level: their unit's authority's, or the
    region's (``policy.effective``)."""
    found = found if found is not None else profile(user_id, year)
    unit = found.unit_id if found is not None else None
    return policy.effective(unit, year).policy(senior=bool(found and found.senior))


def _digest(found: Profile) -> str:
    shown = [[str(fact.label), "" if fact.value is None else str(fact.value)] for fact in found.facts]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def _facts(found: Profile) -> list[dict[str, str]]:
    return [{"label": label(fact.label),
             "value": label(fact.value) if fact.translate and fact.value else ("" if fact.value is None
                                                                               else str(fact.value))}
            for fact in found.facts]


def profile_locked(user_id: int) -> bool:
    """After the first print the registration details may change only through a review."""
    return db.session.scalar(select(RecordPrint.id).where(RecordPrint.user_id == user_id).limit(1)) is not None


def profile_state(user_id: int, year: int, found: Profile | None = None) -> dict[str, Any]:
    """报名资料 for the year: the details, whether approved, confirmed (and still as confirmed), locked."""
    found = found if found is not None else profile(user_id, year)
    confirmation = db.session.scalar(select(ProfileConfirmation).where(
        ProfileConfirmation.user_id == user_id, ProfileConfirmation.year == year))
    confirmed = bool(found and confirmation and confirmation.digest == _digest(found))
    return {"year": year, "exists": found is not None, "approved": bool(found and found.approved),
            "facts": _facts(found) if found else [], "unit": found.unit if found else "",
            "url": found.url if found else None, "confirmed": confirmed,
            "confirmed_at": confirmation.confirmed_at if confirmed and confirmation else None,
            "locked": profile_locked(user_id)}


def confirm(actor: Actor, year: int) -> dict[str, Any]:
    """核实报名信息: the person confirms the year's approved details as shown (two at once, e.g. a
    double click, are serialised on the person: the second updates the first's row)."""
    ledger.lock_person(actor.id)
    found = profile(actor.id, year)
    if found is None:
        raise Conflict(_("You have no enrolment for %(year)s to confirm.", year=year), code="no_profile")
    if not found.approved:
        raise Conflict(_("Your enrolment for %(year)s has not been approved yet.", year=year), code="not_approved")
    row = db.session.scalar(select(ProfileConfirmation).where(
        ProfileConfirmation.user_id == actor.id, ProfileConfirmation.year == year))
    if row is None:
        row = ProfileConfirmation(user_id=actor.id, year=year)
        db.session.add(row)
    row.digest, row.confirmed_at = _digest(found), utcnow()
    db.session.flush()
    return profile_state(actor.id, year, found)


# -- hours --------------------------------------------------------------------------------------

def source_labels() -> dict[str, Any]:
    return registry().ledger_sources()


def _sources(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The year's hours per source and subject, in the plug-ins' order, sources without hours too."""
    named = source_labels()
    rows = []
    for source in [*named, *sorted(set(summary["by_source_category"]) - set(named))]:
        cells = summary["by_source_category"].get(source, {})
        rows.append({"source": source, "label": label(named.get(source, source)),
                     **{category: cells.get(category, ledger.ZERO) for category in CATEGORIES},
                     "total": summary["by_source"].get(source, ledger.ZERO)})
    return rows


def hours(user_id: int, year: int) -> dict[str, Any]:
    """学习首页: the year's hours by subject and by source against the person's requirement."""
    summary = ledger.year_summary(user_id, year, policy_for(user_id, year))
    summary["sources"] = _sources(summary)
    return summary


def history(user_id: int) -> list[dict[str, Any]]:
    """历史记录: every year with hours (and this year), newest first, with totals and completion.

    One grouped read for all the years; the requirement of each year follows that year's details."""
    rows = db.session.execute(
        select(HourEntry.year, HourEntry.category, HourEntry.source, func.sum(HourEntry.hours))
        .where(HourEntry.user_id == user_id).group_by(HourEntry.year, HourEntry.category, HourEntry.source)).all()
    by_year: dict[int, list[tuple[str, str, Any]]] = {today().year: []}
    for year, category, source, total in rows:
        by_year.setdefault(year, []).append((category, source, total))
    printed = dict(db.session.execute(select(RecordPrint.year, func.count(RecordPrint.id))
                                      .where(RecordPrint.user_id == user_id).group_by(RecordPrint.year)).all())
    years = sorted(by_year, reverse=True)[:HISTORY_YEARS]
    out = []
    for year in years:
        summary = ledger.summarise(year, by_year[year], policy_for(user_id, year))
        summary["sources"] = _sources(summary)
        summary["prints"] = printed.get(year, 0)
        out.append(summary)
    return out


# -- printing -------------------------------------------------------------------------------------

def printable(user_id: int, year: int) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(hours, details, reasons it may not print): the seed's two messages when not complete or not confirmed."""
    summary = hours(user_id, year)
    state = profile_state(user_id, year)
    return summary, state, _reasons(summary, state)


def _reasons(summary: dict[str, Any], state: dict[str, Any]) -> list[str]:
    reasons = []
    if not summary["complete"]:
        reasons.append(_("您本期培训: 未完成, 请继续学习。"))
    if not state["confirmed"]:
        reasons.append(_("您的报名信息: 未核实, 请您先核实报名信息。"))
    return reasons


def _number(year: int) -> str:
    return f"{year}XS{secrets.randbelow(10 ** NUMBER_DIGITS):0{NUMBER_DIGITS}d}"


def print_record(actor: Actor, year: int) -> RecordPrint:
    """学时证明打印: a new print (logged, with its own number) of a complete, confirmed year."""
    ledger.lock_person(actor.id)
    with force_language("zh"):  # the record is printed, and kept, in Chinese whatever the page's language
        summary, state = hours(actor.id, year), profile_state(actor.id, year)
    reasons = _reasons(summary, state)  # in the reader's language
    if reasons:
        raise Conflict(" ".join(reasons), code="not_printable")
    user = db.session.get(User, actor.id)
    number = _number(year)
    while db.session.scalar(select(RecordPrint.id).where(RecordPrint.number == number)) is not None:
        number = _number(year)
    row = RecordPrint(
        number=number, user_id=user.id, year=year, holder_name=user.name, holder_id_number=user.id_number,
        total=summary["total"], professional=summary["professional"], public=summary["public"],
        required_total=summary["required"]["total"], region=summary["region"][:60],
        by_source={item["source"]: {category: str(item[category]) for category in CATEGORIES}
                   for item in summary["sources"] if item["total"]},
        profile=[[fact["label"], fact["value"]] for fact in state["facts"]])
    db.session.add(row)
    db.session.flush()
    return row


def prints_of(user_id: int, year: int | None = None) -> list[RecordPrint]:
    """历史打印日志, newest first."""
    query = select(RecordPrint).where(RecordPrint.user_id == user_id)
    if year is not None:
        query = query.where(RecordPrint.year == year)
    return list(db.session.scalars(query.order_by(RecordPrint.printed_at.desc(), RecordPrint.id.desc()).limit(500)))


def get_print(number: str, actor: Actor) -> RecordPrint:
    """A print its holder (or an auditor, a process administrator) may download again."""
    row = db.session.scalar(select(RecordPrint).where(RecordPrint.number == number[:24]))
    if row is None or not (row.user_id == actor.id or actor.can_read_all_processes):
        raise NotFound(_("Printed record not found."))
    return row


def print_view(row: RecordPrint) -> dict[str, Any]:
    return {"number": row.number, "year": row.year, "printed_at": row.printed_at, "total": row.total,
            "professional": row.professional, "public": row.public, "required_total": row.required_total,
            "status": _("Qualified")}  # a year prints only when complete


def _printed_sources(row: RecordPrint) -> list[dict[str, Any]]:
    named = source_labels()
    return [{"label": label(named.get(source, source)),
             **{category: Decimal(cells.get(category, "0")) for category in CATEGORIES},
             "total": sum((Decimal(value) for value in cells.values()), ledger.ZERO)}
            for source, cells in row.by_source.items()]


def verify_url(number: str) -> str:
    return url_for("record_pages.verify", number=number, _external=True)


def render_pdf(row: RecordPrint) -> bytes:
    family = pdf.font_family()
    url = verify_url(row.number)
    with force_language("zh"):  # always in Chinese
        html = render_template("records/record_pdf.html", row=row, view=print_view(row), font_family=family,
                               sources=_printed_sources(row), categories=CATEGORY_LABELS, verify_url=url,
                               qr=certificates.qr_data_uri(url))
    return pdf.render(html)


def verify(number: str, ip: str) -> dict[str, Any]:
    """The public check of a printed record's number (throttled like certificates')."""
    ip = certificates.guard_lookup(ip)
    row = db.session.scalar(select(RecordPrint).where(RecordPrint.number == number[:24]))
    certificates.record_lookup(ip, row is not None)
    if row is None:
        return {"number": number[:24], "genuine": False}
    return {**print_view(row), "genuine": True, "holder_name": row.holder_name,
            "holder_id_number": mask(row.holder_id_number), "region": row.region,
            "sources": [{**item, **{k: float(item[k]) for k in (*CATEGORIES, "total")}}
                        for item in _printed_sources(row)]}
