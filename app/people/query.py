"""专业技术人员信息查询 (seed 001 §3.9): the people of the units a caller may see, filtered by
authority (region), unit, name, ID number, education and title, a page at a time; a person's details
and learning record (the hour ledger by year and source); a password reset by an administrator."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select

from ..clock import today
from ..domain import idnumber
from ..errors import Forbidden, Invalid
from ..extensions import db
from ..i18n import _
from ..models import Department, Organisation, PersonDetail, RoleAssignment, User
from ..services import accounts, records
from ..services.actors import Actor
from . import access
from .workbook import text_cell

PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Filters:
    authority_id: int | None = None
    unit_id: int | None = None
    name: str = ""
    id_number: str = ""
    education: str = ""
    title: str = ""
    page: int = 1
    per_page: int = PER_PAGE


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scope(actor: Actor, filters: Filters) -> set[int]:
    orgs = access.require_query(actor)
    if filters.authority_id is not None:
        if filters.authority_id not in orgs:
            raise Invalid(_("Choose an authority you may see."), code="invalid",
                          fields={"authority_id": [_("Not one of yours.")]})
        orgs = orgs & access.subtree({filters.authority_id})
    if filters.unit_id is not None:
        if filters.unit_id not in orgs:
            raise Invalid(_("Choose a unit you may see."), code="invalid", fields={"unit_id": [_("Not one of yours.")]})
        orgs = {filters.unit_id}
    return orgs


COLUMNS = ("姓名", "身份证号", "手机号", "所在单位", "部门", "学历", "现专业技术职称资格")
MAX_EXPORT = 10_000


def _matching(actor: Actor, filters: Filters) -> Any:
    orgs = _scope(actor, filters)
    query = (select(User.id, User.name, User.id_number, User.phone, User.is_active, User.must_change_password,
                    Organisation.id.label("unit_id"), Organisation.name.label("unit_name"),
                    Department.name.label("department"), PersonDetail.education, PersonDetail.title)
             .join(RoleAssignment, (RoleAssignment.user_id == User.id) & (RoleAssignment.role == "trainee"))
             .join(Organisation, Organisation.id == RoleAssignment.org_id)
             .outerjoin(Department, Department.id == User.department_id)
             .outerjoin(PersonDetail, PersonDetail.user_id == User.id)
             .where(RoleAssignment.org_id.in_(orgs)))
    if filters.name:
        query = query.where(User.name.like(_like(filters.name.strip()), escape="\\"))
    if filters.id_number:
        query = query.where(User.id_number.like(_like(idnumber.normalise(filters.id_number)), escape="\\"))
    if filters.education:
        query = query.where(PersonDetail.education == filters.education)
    if filters.title:
        query = query.where(PersonDetail.title == filters.title)
    return query


def search(actor: Actor, filters: Filters) -> tuple[list[dict[str, Any]], int]:
    """The page of matching people (name order) and how many match in all."""
    query = _matching(actor, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    per_page = max(1, min(filters.per_page, MAX_PER_PAGE))
    rows = db.session.execute(query.order_by(User.name, User.id).limit(per_page)
                              .offset((max(filters.page, 1) - 1) * per_page)).all()
    resettable = access.resettable_orgs(actor) if rows else set()
    return [{"id": r.id, "name": r.name, "id_number": r.id_number, "phone": r.phone, "unit_id": r.unit_id,
             "unit_name": r.unit_name, "department": r.department, "education": r.education, "title": r.title,
             "is_active": r.is_active, "may_reset": r.unit_id in resettable} for r in rows], total


def export(actor: Actor, filters: Filters) -> bytes:
    """导出: the matching people (the first MAX_EXPORT, name order) as .xlsx; every text a string cell."""
    rows = db.session.execute(_matching(actor, filters).order_by(User.name, User.id).limit(MAX_EXPORT)).all()
    book = Workbook(write_only=True)  # made after the checks: an abandoned write-only sheet complains
    sheet = book.create_sheet("专业技术人员")
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in (
            r.name, r.id_number, r.phone, r.unit_name, r.department, r.education, r.title)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def choices(actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """The authorities and units the caller may filter by."""
    orgs = access.require_query(actor)
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.kind)
                              .where(Organisation.id.in_(orgs)).order_by(Organisation.name)).all()
    return {"authorities": [(r.id, r.name) for r in rows if r.kind == "authority"],
            "units": [(r.id, r.name) for r in rows if r.kind == "unit"]}


def person(actor: Actor, user_id: int) -> dict[str, Any]:
    """详细: the person as their unit knows them, with this year's registration details if any."""
    user, unit_id = access.visible_person(actor, user_id)
    unit = db.session.get(Organisation, unit_id)
    detail = db.session.get(PersonDetail, user.id)
    department = db.session.get(Department, user.department_id) if user.department_id else None
    return {"id": user.id, "name": user.name, "id_number": user.id_number, "phone": user.phone,
            "unit_id": unit_id, "unit_name": unit.name if unit else "",
            "department": department.name if department else None,
            "education": detail.education if detail else None, "title": detail.title if detail else None,
            "is_active": user.is_active, "must_change_password": user.must_change_password,
            "created_at": user.created_at, "may_reset": access.may_reset(actor, unit_id),
            "profile": records.profile_state(user.id, today().year)}


def learning_record(actor: Actor, user_id: int) -> dict[str, Any]:
    """学习记录: every year's hours by source and subject against the requirement (the ledger)."""
    user, _unit = access.visible_person(actor, user_id)
    return {"id": user.id, "name": user.name, "years": records.history(user.id)}


def reset_password(actor: Actor, user_id: int) -> str:
    """重置密码: a temporary password, shown once (the event is ``accounts.reset_password``'s)."""
    user, unit_id = access.visible_person(actor, user_id)
    if not access.may_reset(actor, unit_id):
        raise Forbidden(_("Only the unit's or its authority's administrators may reset passwords."))
    return accounts.reset_password(actor, user)
