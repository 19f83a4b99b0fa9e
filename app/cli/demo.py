"""``flask --app app demo``: deploy the diagrams and load the demo organisations and people.

Idempotent: running it twice changes nothing the second time. Enrolments go
through the real registration process (the trainee enrols, the unit approves),
so the demo data carries real flow logs.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from ..db import transaction
from ..extensions import db
from ..models import ClaimWindow, Organisation, RoleAssignment, User
from ..services import definitions, enrollments, processes
from ..services.accounts import hash_password
from ..services.actors import Actor
from ..services.claims import today
from ..services.records import DecisionForm

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - the documented demo password
PROVINCE = "演示省交通运输厅"
CITY = "演示市交通运输局"
UNIT_1 = "演示交通工程有限公司"
UNIT_2 = "演示公路养护有限公司"
STAFF = [  # username, name, role, organisation (None: global)
    ("admin", "系统管理员", "sysadmin", None),
    ("process_admin", "流程管理员", "process_admin", None),
    ("auditor", "审计员", "auditor", None),
    ("authority_reviewer", "市局审核员", "reviewer", CITY),
    ("unit_reviewer", "工程公司审核员", "reviewer", UNIT_1),
    ("unit_reviewer_b", "养护公司审核员", "reviewer", UNIT_2),
]
TRAINEES = [  # ID number, name, phone, unit
    ("330106199003070014", "张伟", "13800000014", UNIT_1),
    ("330106198511220029", "李娜", "13800000029", UNIT_1),
    ("330102199204150031", "王强", "13800000031", UNIT_2),
]
PROFILE = {"identity_type": "国有企业", "political_status": "群众", "education": "大学本科",
           "title": "工程师", "title_date": date(2018, 6, 30), "specialty": "公路工程"}


def _org(name: str, kind: str, level: str | None, parent: Organisation | None) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind, level=level, parent=parent)
        db.session.add(org)
        db.session.flush()
    return org


def _user(username: str, name: str, *, id_number: str | None = None, phone: str | None = None) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, name=name, id_number=id_number, phone=phone,
                    password_hash=hash_password(DEMO_PASSWORD), must_change_password=False)
        db.session.add(user)
        db.session.flush()
    return user


def _role(user: User, role: str, org: Organisation | None) -> None:
    org_id = org.id if org else None
    if not any(r.role == role and r.org_id == org_id for r in user.roles):
        user.roles.append(RoleAssignment(role=role, org_id=org_id))
        db.session.flush()


def _enrol(trainee: User, unit: Organisation, reviewer: User, year: int) -> None:
    if db.session.scalar(select(enrollments.Enrollment.id).where(
            enrollments.Enrollment.trainee_id == trainee.id, enrollments.Enrollment.year == year)):
        return
    enrollment = enrollments.create(Actor.of(trainee), {"year": year, "unit_id": unit.id, **PROFILE})
    task = processes.open_task_for(enrollment.instance_id, ("unit_review",))
    if task is not None:
        db.session.expire(reviewer)
        processes.complete_task(task.id, Actor.of(reviewer), DecisionForm("approve"))


def load_demo() -> dict[str, dict[str, object]]:
    """Deploy the diagrams and create the demo data; returns what it made, by name."""
    for definition, created in definitions.deploy_folder(Path(current_app.config["BPMN_FOLDER"])):
        click.echo(f"{definition.process_key} v{definition.version} "
                   f"{'deployed' if created else 'unchanged'}")
    province = _org(PROVINCE, "authority", "province", None)
    city = _org(CITY, "authority", "city", province)
    units = {UNIT_1: _org(UNIT_1, "unit", None, city), UNIT_2: _org(UNIT_2, "unit", None, city)}
    orgs: dict[str, object] = {PROVINCE: province, CITY: city, **units}
    users: dict[str, object] = {}
    for username, name, role, org_name in STAFF:
        users[username] = user = _user(username, name)
        _role(user, role, orgs.get(org_name))
    year = today().year
    if db.session.scalar(select(ClaimWindow).where(ClaimWindow.year == year)) is None:
        db.session.add(ClaimWindow(year=year, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31)))
    reviewers = {UNIT_1: users["unit_reviewer"], UNIT_2: users["unit_reviewer_b"]}
    for id_number, name, phone, unit_name in TRAINEES:
        users[id_number] = trainee = _user(id_number, name, id_number=id_number, phone=phone)
        _enrol(trainee, units[unit_name], reviewers[unit_name], year)
    return {"orgs": orgs, "users": users}


@click.command("demo")
def demo_command() -> None:
    """Deploy bpmn/*.bpmn and create the demo organisations, accounts and enrolments."""
    with transaction():
        load_demo()
    click.echo(f"demo data ready; every account's password is {DEMO_PASSWORD}")
