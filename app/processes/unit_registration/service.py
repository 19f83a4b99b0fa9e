"""Unit registrations: who may register, see and review one, and what approving it creates.

The diagram (``bpmn/unit_registration.bpmn``) decides the path: the parent authority approves
or refuses (``review``); approving runs ``create_registered_unit`` (``create_unit`` here), which
creates the unit and gives the applicant its administration, or, when another organisation took
the name or the code meanwhile, creates nothing and says so (the diagram then ends refused).
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from ...clock import utcnow
from ...db import by_id, savepoint
from ...domain import credit_code
from ...domain.text import control_characters
from ...errors import Conflict, Invalid, NotFound
from ...extensions import db
from ...i18n import _
from ...models import UNIT_TYPES, Organisation, RoleAssignment, User
from ...services import access_changes, accounts, ledger, plugins, runner
from ...services.actors import Actor
from .models import PENDING, UnitRegistration

REJECTED = "rejected"  # the diagram's status of a refused registration

RECORD_TYPE = "unit_registration"
REVIEW_ROLES = ("reviewer", "admin")  # who reviews for the parent authority
ADMIN_ROLES = ("admin", "super_admin")  # what the applicant becomes at the new unit
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{3,31}$")
PHONE = accounts.PHONE


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- access ---------------------------------------------------------------------------------

def visible(registration: UnitRegistration, actor: Actor) -> bool:
    """The applicant, the parent authority's reviewers and administrators, the new unit's staff."""
    return (registration.applicant_id == actor.id or actor.staff_of(registration.parent_id, REVIEW_ROLES)
            or actor.staff_of(registration.org_id, REVIEW_ROLES) or actor.can_read_all_processes)


def get_visible(registration_id: int, actor: Actor) -> UnitRegistration:
    registration = by_id(UnitRegistration, registration_id)
    if registration is None or not visible(registration, actor):
        raise NotFound(_("Registration not found."))
    return registration


def of_applicant(user_id: int) -> list[UnitRegistration]:
    return list(db.session.scalars(select(UnitRegistration).where(UnitRegistration.applicant_id == user_id)
                                   .order_by(UnitRegistration.id.desc()).limit(50)))


def for_ids(ids: list[int]) -> list[UnitRegistration]:
    if not ids:
        return []
    return list(db.session.scalars(select(UnitRegistration).where(UnitRegistration.id.in_(ids))
                                   .order_by(UnitRegistration.id.desc())))


def authorities() -> list[tuple[Organisation, int]]:
    """The authority tree (主管部门), each with its depth, parents before their children."""
    rows = list(db.session.scalars(select(Organisation).where(Organisation.kind == "authority",
                                                              Organisation.is_active.is_(True))
                                   .order_by(Organisation.name)))
    ids = {org.id for org in rows}
    children: dict[int | None, list[Organisation]] = {}
    for org in rows:
        children.setdefault(org.parent_id if org.parent_id in ids else None, []).append(org)
    found: list[tuple[Organisation, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            found.append((org, depth))
            walk(org.id, depth + 1)
    walk(None, 0)
    return found


# -- registering ----------------------------------------------------------------------------------

def _text(errors: dict[str, list[str]], payload: dict[str, Any], key: str, low: int, high: int,
          message: str) -> str:
    value = (payload.get(key) or "").strip()
    if not low <= len(value) <= high or control_characters(value):
        errors[key] = [message]
    return value


def _taken(name: str, code: str) -> dict[str, list[str]]:
    """The name or code another organisation has, or another registration waits with."""
    errors: dict[str, list[str]] = {}
    orgs = db.session.execute(select(Organisation.name, Organisation.code).where(
        or_(Organisation.name == name, Organisation.code == code))).all()
    waiting = db.session.execute(select(UnitRegistration.name, UnitRegistration.credit_code).where(
        UnitRegistration.status == PENDING,
        or_(UnitRegistration.name == name, UnitRegistration.credit_code == code))).all()
    if any(row[0] == name for row in orgs):
        errors["name"] = [_("An organisation with this name is already registered.")]
    elif any(row[0] == name for row in waiting):
        errors["name"] = [_("A registration with this name is already waiting for review.")]
    if any(row[1] == code for row in orgs):
        errors["credit_code"] = [_("An organisation with this credit code is already registered.")]
    elif any(row[1] == code for row in waiting):
        errors["credit_code"] = [_("A registration with this credit code is already waiting for review.")]
    return errors


def _unit_details(errors: dict[str, list[str]], payload: dict[str, Any]) -> dict[str, Any]:
    """The unit's own details, checked (problems into ``errors``); the parent is an active authority."""
    name = _text(errors, payload, "name", 2, 60, _("The unit's full name, 2 to 60 characters."))
    unit_type = (payload.get("unit_type") or "").strip()
    if unit_type not in UNIT_TYPES:
        errors["unit_type"] = [_("Choose one of: %(types)s.", types="、".join(UNIT_TYPES))]
    industry = _text(errors, payload, "industry", 2, 40, _("The unit's industry, 2 to 40 characters."))
    code = credit_code.normalise(payload.get("credit_code"))
    if not credit_code.is_valid(code):
        errors["credit_code"] = [_("Not a valid unified social credit code (18 characters, GB 32100).")]
    parent = db.session.get(Organisation, payload.get("parent_id") or 0)
    if parent is None or parent.kind != "authority" or not parent.is_active:
        errors["parent_id"] = [_("Choose the parent authority from the list.")]
    return {"name": name, "unit_type": unit_type, "industry": industry, "credit_code": code,
            "parent_id": parent.id if parent is not None else None}


def _checked(errors: dict[str, list[str]], details: dict[str, Any]) -> None:
    if "name" not in errors and "credit_code" not in errors:
        errors.update(_taken(details["name"], details["credit_code"]))
    if errors:
        raise Invalid(_("Some registration details are wrong."), code="invalid", fields=errors)


def _file(details: dict[str, Any], applicant: Actor) -> UnitRegistration:
    registration = UnitRegistration(**details, applicant_id=applicant.id, status=PENDING)
    db.session.add(registration)
    db.session.flush()
    instance = runner.start(_plugin(), registration, applicant, {"record_id": registration.id}, action="register",
                            event_data={"name": details["name"], "credit_code": details["credit_code"],
                                        "parent_id": details["parent_id"], "applicant_id": applicant.id})
    registration.instance_id = instance.id
    return registration


def register(payload: dict[str, Any]) -> UnitRegistration:
    """用人单位注册: check everything, create the applicant's account (no role yet), start the review."""
    errors: dict[str, list[str]] = {}
    details = _unit_details(errors, payload)
    username = (payload.get("username") or "").strip()
    if not USERNAME.match(username):
        errors["username"] = [_("4 to 32 letters, digits, '.', '_' or '-', starting with a letter.")]
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = [_("This username is taken; choose another.")]
    admin_name = _text(errors, payload, "admin_name", 2, 30, _("The administrator's real name, 2 to 30 characters."))
    phone = (payload.get("phone") or "").strip()
    if not PHONE.match(phone):
        errors["phone"] = [_("An 11-digit mobile number.")]
    password = payload.get("password") or ""
    problems = accounts.password_problems(User(username=username, id_number=None), password)
    if problems:
        errors["password"] = problems
    _checked(errors, details)
    user = User(username=username, name=admin_name, phone=phone, password_hash=accounts.hash_password(password),
                must_change_password=False, password_changed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    applicant = Actor(user.id, user.name, user.username, None, False, frozenset())
    access_changes.record_access_change(applicant, access_changes.REGISTER, user.id, new={
        "username": user.username, "name": user.name, "must_change_password": False, "roles": []})
    return _file(details, applicant)


def may_register_again(actor: Actor) -> bool:
    """An applicant whose registrations were all refused (and who holds no role anywhere) files
    another from the same account, the unit's details corrected."""
    if actor.roles:
        return False
    statuses = set(db.session.scalars(select(UnitRegistration.status).where(
        UnitRegistration.applicant_id == actor.id)))
    return bool(statuses) and statuses <= {REJECTED}


def register_again(actor: Actor, payload: dict[str, Any]) -> UnitRegistration:
    """重新注册: a new registration of the unit by an applicant whose earlier one was refused."""
    ledger.lock_person(actor.id)  # one at a time per applicant: a second at once finds the first pending
    if not may_register_again(actor):
        raise Conflict(_("Only an applicant whose registration was refused, with nothing waiting, may register "
                         "the unit again."), code="not_refused")
    errors: dict[str, list[str]] = {}
    details = _unit_details(errors, payload)
    _checked(errors, details)
    return _file(details, actor)


# -- approving ------------------------------------------------------------------------------------

def create_unit(registration: UnitRegistration, actor: Actor | None, process_key: str | None) -> dict[str, Any]:
    """The authority approved: the unit exists under it and the applicant administers it. A name or
    code another organisation took meanwhile refuses the registration instead, creating nothing."""
    taken = db.session.execute(select(Organisation.name, Organisation.code).where(
        or_(Organisation.name == registration.name, Organisation.code == registration.credit_code))).all()
    if not taken:
        try:
            with savepoint():
                org = Organisation(name=registration.name, kind="unit", parent_id=registration.parent_id,
                                   code=registration.credit_code, unit_type=registration.unit_type,
                                   industry=registration.industry)
                db.session.add(org)
                db.session.flush()
        except IntegrityError:  # taken by a concurrent commit
            taken = [(registration.name, registration.credit_code)]
    if taken:
        registration.conflict = (
            _("Another organisation has already registered this name.")
            if any(row[0] == registration.name for row in taken) else
            _("Another organisation has already registered this unified social credit code."))
        return {"refused": True}
    cause = {"record_type": RECORD_TYPE, "record_id": registration.id}
    with access_changes.roles_changing(actor, registration.applicant_id, process_key=process_key, cause=cause):
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == registration.applicant_id,
                                                        RoleAssignment.org_id == org.id))
        for role in ADMIN_ROLES:
            db.session.add(RoleAssignment(user_id=registration.applicant_id, org_id=org.id, role=role))
    registration.org_id = org.id
    registration.decided_at = utcnow()
    return {"refused": False, "org_id": org.id}


# -- demo data ------------------------------------------------------------------------------------

DEMO = {"name": "演示城市公交集团有限公司", "unit_type": "企业", "industry": "道路运输业",
        "username": "unit_applicant", "admin_name": "陈明", "phone": "13800000088"}


def demo_registration(authority: Organisation, password: str) -> None:
    """One registration waiting for the city authority."""
    if db.session.scalar(select(User.id).where(User.username == DEMO["username"])) is not None:
        return
    first17 = "91330100MA2H0K5N8"
    register({**DEMO, "credit_code": first17 + credit_code.check_character(first17), "parent_id": authority.id,
              "password": password})
