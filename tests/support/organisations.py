"""Organisations beyond the demo's, for the organisation tree's tests: a county authority under the
city with a unit of its own, and an empty unit under the city (nobody but its administrator)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from app.extensions import db
from app.models import Department, Organisation, ProcessEvent, User
from tests.support.people import make_user

COUNTY = "演示县交通运输局"
COUNTY_UNIT = "演示县路桥有限公司"
EMPTY = "演示空壳单位"


def add_org(app: Flask, name: str, kind: str, parent_id: int | None, **extra: Any) -> int:
    with app.app_context():
        org = Organisation(name=name, kind=kind, parent_id=parent_id, **extra)
        db.session.add(org)
        db.session.commit()
        return org.id


def more_orgs(app: Flask, world: Any) -> dict[str, int]:
    county = add_org(app, COUNTY, "authority", world.city, level="county")
    county_unit = add_org(app, COUNTY_UNIT, "unit", county, code="91330100MA27XXXX1X", unit_type="企业")
    empty = add_org(app, EMPTY, "unit", world.city, unit_type="企业", industry="交通运输")
    make_user(app, "county_unit_admin", "路桥公司管理员", roles=[("admin", county_unit), ("super_admin", county_unit)])
    make_user(app, "empty_admin", "空壳单位管理员", roles=[("admin", empty), ("super_admin", empty)])
    return {"county": county, "county_unit": county_unit, "empty": empty}


def departments_of(app: Flask, org_id: int) -> list[tuple[Any, ...]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            db.select(Department.id, Department.name, Department.parent_id, Department.is_active)
            .where(Department.org_id == org_id).order_by(Department.id))]


def events(app: Flask, record_type: str) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(db.select(ProcessEvent).where(ProcessEvent.record_type == record_type)
                                  .order_by(ProcessEvent.id))
        return [{"action": e.action, "record_id": e.record_id, "org_id": e.actor_org_id, "actor": e.actor_name,
                 "data": e.data} for e in rows]


def place(app: Flask, username: str, department_id: int | None) -> None:
    """Put a person into a department (as the people-management pages will)."""
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        user.department_id = department_id
        db.session.commit()
