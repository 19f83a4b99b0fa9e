"""批量导入 (seed 001 §3.8, 003 §2.1): a unit's administrators import their staff from the template.

Every row is checked before anything is written: a valid resident ID number (check digit), a real
name, an 11-digit mobile number if given, a department of the unit (an active one, by its name),
the seeds' education and title words, each person once in the file, and nobody already registered.
An existing account is never changed by an import: someone already this unit's trainee, another
unit's (their unit transfers them: 人员调转) or registered on their own (they enrol themselves: 报名)
is a row error. One bad row refuses the whole file; the refusal is kept with every bad row for the
error report. A good file is imported in the request's one transaction, in bulk: the accounts (login
= ID number, the seeds' initial password, changed at first login), their trainee role at the unit,
their declared details, one access-change event per account and one event for the import.

The initial password is the last six characters of the ID number stored in the same row, so a slow
hash of it protects nothing; it is hashed with ``STAFF_IMPORT.INITIAL_HASH_METHOD`` (cheap), and the
person's own password, set at first login, with the configured slow method.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from ..db import persist_even_if_refused
from ..domain import idnumber
from ..domain.text import control_characters
from ..errors import Invalid
from ..extensions import db
from ..i18n import _
from ..models import Department, PersonDetail, RoleAssignment, User, utcnow
from ..services import access_changes
from ..services.accounts import PHONE, initial_password
from ..services.actors import Actor
from ..services.audit import record_admin_event
from . import workbook
from .models import StaffImport

ACTION_IMPORT = "staff_import"  # one per file: the counts
ACTION_ACCOUNT = "account_import"  # one per account made: its roles and details, no secret
RECORD_TYPE = "staff_import"
# ACCOUNT_EVENTS "each": one access-change event per account made (findable under the account),
# appended in one go; "summary": the import's one event lists the accounts made (user id, username).
DEFAULTS = {"MAX_BYTES": 5 * 1024 * 1024, "MAX_ROWS": 10_000, "INITIAL_HASH_METHOD": "pbkdf2:sha256:1000",
            "API_ROWS": 1000, "ACCOUNT_EVENTS": "each"}
BATCH = 1000


def settings() -> dict[str, Any]:
    return {**DEFAULTS, **current_app.config.get("STAFF_IMPORT", {})}


@dataclass(frozen=True)
class Person:
    row: int
    id_number: str
    name: str
    phone: str | None
    department_id: int | None
    education: str | None
    title: str | None


def _id_number(value: Any) -> tuple[str, str | None]:
    if isinstance(value, float) or (isinstance(value, int) and value > 2 ** 53):
        return workbook.text(value), _("The ID number was stored as a number and lost digits: format the "
                                       "column as text.")
    number = idnumber.normalise(workbook.text(value))
    if not number:
        return "", _("Required.")
    if not idnumber.is_valid(number):
        return number, _("Not a valid resident ID number.")
    return number, None


def _departments(org_id: int) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for dep_id, name in db.session.execute(select(Department.id, Department.name).where(
            Department.org_id == org_id, Department.is_active.is_(True))):
        found.setdefault(name.strip(), []).append(dep_id)
    return found


def _registered(numbers: list[str], org_id: int) -> dict[str, str]:
    """ID numbers already registered -> why each cannot be imported."""
    why: dict[str, str] = {}
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start:start + BATCH]
        rows = db.session.execute(
            select(User.id_number, RoleAssignment.org_id)
            .outerjoin(RoleAssignment, (RoleAssignment.user_id == User.id) & (RoleAssignment.role == "trainee"))
            .where(User.id_number.in_(chunk))).all()
        usernames = set(db.session.scalars(select(User.username).where(User.username.in_(chunk))))
        for number, unit in rows:
            if unit == org_id:
                why[number] = _("Already a member of this unit.")
            elif unit is not None:
                why.setdefault(number, _("Registered as a member of another unit: that unit transfers them "
                                         "(人员调转)."))
            else:
                why.setdefault(number, _("Already registered (not in a unit): they enrol with your unit "
                                         "themselves (报名)."))
        for number in usernames - set(why):
            why[number] = _("Already an account name in the system.")
    return why


def check(data: bytes, org_id: int) -> tuple[list[Person], list[dict[str, Any]], int]:
    """The file's people, or every bad row: ``(people, [], rows)`` or ``([], errors, rows)``."""
    departments = _departments(org_id)
    people: list[Person] = []
    problems: dict[int, list[dict[str, str]]] = {}
    raw: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    count = 0
    for number, values in workbook.rows(data, int(settings()["MAX_ROWS"])):
        count += 1
        raw[number] = [workbook.text(v) for v in values]
        wrong: list[tuple[str, str]] = []
        id_number, problem = _id_number(values[0])
        if problem:
            wrong.append(("id_number", problem))
        elif id_number in seen:
            wrong.append(("id_number", _("Also in row %(row)s: each person once.", row=seen[id_number])))
        else:
            seen[id_number] = number
        name = workbook.text(values[1])
        if not 2 <= len(name) <= 30 or control_characters(name):
            wrong.append(("name", _("The real name, 2 to 30 characters.")))
        phone = workbook.text(values[2]) or None
        if phone and not PHONE.match(phone):
            wrong.append(("phone", _("An 11-digit mobile number.")))
        department = workbook.text(values[3])
        department_id = None
        if department:
            matches = departments.get(department, [])
            if not matches:
                wrong.append(("department", _("No department of your unit has this name.")))
            elif len(matches) > 1:
                wrong.append(("department", _("Several departments of your unit have this name: rename one.")))
            else:
                department_id = matches[0]
        education, title = workbook.text(values[4]) or None, workbook.text(values[5]) or None
        if education and education not in workbook.EDUCATION_LEVELS:
            wrong.append(("education", _("One of: %(choices)s.", choices="、".join(workbook.EDUCATION_LEVELS))))
        if title and title not in workbook.TITLES:
            wrong.append(("title", _("One of: %(choices)s.", choices="、".join(workbook.TITLES))))
        if wrong:
            problems[number] = [{"field": field, "message": str(message)} for field, message in wrong]
        else:
            people.append(Person(number, id_number, name, phone, department_id, education, title))
    for number, why in _registered(list(seen), org_id).items():
        problems.setdefault(seen[number], []).insert(0, {"field": "id_number", "message": str(why)})
    if problems:
        errors = [{"row": row, "values": raw[row], "problems": problems[row]} for row in sorted(problems)]
        return [], errors, count
    return people, [], count


def _refuse(actor: Actor, org_id: int, errors: list[dict[str, Any]], count: int) -> None:
    persist_even_if_refused()  # the refusal and its report stay; nothing else was written
    attempt = StaffImport(org_id=org_id, actor_id=actor.id, status="refused", rows=count, imported=0,
                          bad_rows=len(errors), errors=errors)
    db.session.add(attempt)
    db.session.flush()
    limit = int(settings()["API_ROWS"])
    flat = [{"row": e["row"], "field": p["field"], "message": p["message"]} for e in errors for p in e["problems"]]
    raise Invalid(_("Nothing was imported: %(n)s of %(rows)s row(s) are wrong. Download the error report, "
                    "correct them and import the whole file again.", n=len(errors), rows=count),
                  code="bad_rows", rows=flat[:limit],
                  headers={"X-Import-Id": str(attempt.id),
                           "Link": f'</api/v1/people/import/{attempt.id}/report>; rel="describedby"'})


def _insert(actor: Actor, org_id: int, people: list[Person], attempt: StaffImport) -> dict[str, int]:
    method = str(settings()["INITIAL_HASH_METHOD"])
    now = utcnow()
    ids: dict[str, int] = {}
    for start in range(0, len(people), BATCH):
        chunk = people[start:start + BATCH]
        made = db.session.execute(insert(User).returning(User.id, User.username), [
            {"username": p.id_number, "id_number": p.id_number, "name": p.name, "phone": p.phone,
             "department_id": p.department_id, "must_change_password": True, "is_active": True,
             "created_at": now,
             "password_hash": generate_password_hash(initial_password(p.id_number), method=method)}
            for p in chunk])
        ids.update({username: user_id for user_id, username in made})
    rows = [{"user_id": ids[p.id_number], "org_id": org_id, "role": "trainee"} for p in people]
    details = [{"user_id": ids[p.id_number], "education": p.education, "title": p.title}
               for p in people if p.education or p.title]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(RoleAssignment), rows[start:start + BATCH])
    for start in range(0, len(details), BATCH):
        db.session.execute(insert(PersonDetail), details[start:start + BATCH])
    if settings()["ACCOUNT_EVENTS"] != "each":
        return ids
    cause = {"record_type": RECORD_TYPE, "record_id": attempt.id}
    access_changes.record_access_changes(actor, ACTION_ACCOUNT, [
        {"user_id": ids[p.id_number], "data": {"cause": cause}, "new": {
            "username": p.id_number, "name": p.name, "must_change_password": True, "roles": [["trainee", org_id]],
            "department_id": p.department_id, "row": p.row}} for p in people])
    return ids


def import_staff(actor: Actor, org_id: int, data: bytes) -> StaffImport:
    """Import the file into ``org_id`` whole, or refuse it whole (422 ``bad_file`` / ``bad_rows``)."""
    limit = int(settings()["MAX_BYTES"])
    if len(data) > limit:
        raise Invalid(_("The file is larger than %(mb)s MB.", mb=round(limit / (1024 * 1024), 1)),
                      code="too_large", fields={"file": [_("Too large.")]})
    try:
        people, errors, count = check(data, org_id)
    except workbook.BadFile as exc:
        raise Invalid(str(exc), code="bad_file", fields={"file": [str(exc)]}) from None
    if errors:
        _refuse(actor, org_id, errors, count)
    attempt = StaffImport(org_id=org_id, actor_id=actor.id, status="imported", rows=count, imported=len(people),
                          bad_rows=0)
    db.session.add(attempt)
    db.session.flush()
    ids = _insert(actor, org_id, people, attempt)
    new: dict[str, Any] = {"rows": count, "imported": len(people), "role": "trainee", "unit_id": org_id}
    if settings()["ACCOUNT_EVENTS"] != "each":
        new["accounts"] = [[ids[p.id_number], p.id_number] for p in people]
    record_admin_event(actor, ACTION_IMPORT, record_type=RECORD_TYPE, record_id=attempt.id, org_id=org_id, new=new)
    return attempt


def attempt_of(import_id: int, units: set[int]) -> StaffImport | None:
    """The import ``import_id`` if it went to one of ``units`` (the caller's)."""
    attempt = db.session.get(StaffImport, import_id)
    return attempt if attempt is not None and attempt.org_id in units else None


def recent(org_ids: set[int], limit: int = 10) -> list[StaffImport]:
    return list(db.session.scalars(select(StaffImport).where(StaffImport.org_id.in_(org_ids))
                                   .order_by(StaffImport.id.desc()).limit(limit)))
