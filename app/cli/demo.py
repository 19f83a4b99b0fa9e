"""``flask --app app demo``: deploy the diagrams and load the demo organisations and people.

Idempotent: running it twice changes nothing the second time. The organisations and accounts
are made here; each process plug-in then adds its own demo records through its real process
(``ProcessPlugin.demo``): trainees enrol and their unit approves, a trainee is transferred…,
so the demo data carries real flow logs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy import select

from ..clock import today
from ..courses import demo as courses_demo
from ..db import transaction
from ..extensions import db
from ..models import Organisation, RoleAssignment, User
from ..services import definitions, plugins
from ..services.accounts import hash_password

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - the documented demo password
PROVINCE = "演示省交通运输厅"
CITY = "演示市交通运输局"
CITY_B = "演示市建设局"
UNIT_1 = "演示交通工程有限公司"
UNIT_2 = "演示公路养护有限公司"
HR_PROVINCE = "演示省人力资源和社会保障厅"
HR_CITY = "演示市人力资源和社会保障局"
PROVIDER_1 = "演示交通职业培训学院"
PROVIDER_2 = "演示市公路培训中心"
ORGS = [  # name, kind, level, parent (a provider's parent is its supervisor, 基地主管单位)
    (PROVINCE, "authority", "province", None),
    (CITY, "authority", "city", PROVINCE),
    (CITY_B, "authority", "city", PROVINCE),
    (UNIT_1, "unit", None, CITY),
    (UNIT_2, "unit", None, CITY),
    (HR_PROVINCE, "hr", "province", None),
    (HR_CITY, "hr", "prefecture", HR_PROVINCE),
    (PROVIDER_1, "provider", "province", PROVINCE),
    (PROVIDER_2, "provider", "prefecture", PROVINCE),
]
PREFECTURE_HR = {PROVIDER_2: HR_CITY}  # who files a prefecture provider's classes
STAFF = [  # username, name, role, organisation (None: global)
    ("admin", "系统管理员", "sysadmin", None),
    ("process_admin", "流程管理员", "process_admin", None),
    ("auditor", "审计员", "auditor", None),
    ("course_admin", "课程管理员", "course_admin", None),
    ("authority_reviewer", "市局审核员", "reviewer", CITY),
    ("authority_reviewer_b", "建设局审核员", "reviewer", CITY_B),
    ("unit_reviewer", "工程公司审核员", "reviewer", UNIT_1),
    ("unit_reviewer_b", "养护公司审核员", "reviewer", UNIT_2),
    ("supervisor_reviewer", "主管单位审核员", "reviewer", PROVINCE),
    ("hr_reviewer", "人社厅专技处审核员", "reviewer", HR_PROVINCE),
    ("hr_reviewer_city", "市人社局审核员", "reviewer", HR_CITY),
    ("provider_admin", "培训学院管理员", "admin", PROVIDER_1),
    ("provider_admin_b", "培训中心管理员", "admin", PROVIDER_2),
    ("unit_admin", "工程公司管理员", "admin", UNIT_1),
    ("unit_admin_b", "养护公司管理员", "admin", UNIT_2),
    ("authority_admin", "市局管理员", "admin", CITY),
]
# Each organisation's super administrator (超级管理员) is one of its administrators.
SUPER_ADMINS = ("unit_admin", "unit_admin_b", "authority_admin")
TRAINEES = [  # ID number, name, phone, unit (where they enrol first)
    ("330106199003070014", "张伟", "13800000014", UNIT_1),
    ("330106198511220029", "李娜", "13800000029", UNIT_1),
    ("330102199204150031", "王强", "13800000031", UNIT_2),
    ("330104198807180046", "刘洋", "13800000046", UNIT_2),
]
# 刘洋 has already moved from 养护公司 to 工程公司 (a finished staff transfer to look at).
TRANSFERRED = ("330104198807180046", UNIT_2, UNIT_1)
PROFILE = {"identity_type": "国有企业", "political_status": "群众", "education": "大学本科",
           "title": "工程师", "title_date": date(2018, 6, 30), "specialty": "公路工程"}


@dataclass
class DemoWorld:
    """What the demo made, handed to each plug-in's ``demo`` to add its records."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    year: int = 0
    profile: dict[str, Any] = field(default_factory=dict)
    reviewers: dict[int, User] = field(default_factory=dict)  # unit id -> its reviewer
    trainees: list[tuple[User, Organisation]] = field(default_factory=list)
    transferred: tuple[User, Organisation, Organisation] | None = None

    def reviewer_of(self, org: Organisation) -> User:
        return self.reviewers[org.id]


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


def load_demo() -> DemoWorld:
    """Deploy the diagrams and create the demo data; returns what it made, by name."""
    for definition, created in definitions.deploy_folder(Path(current_app.config["BPMN_FOLDER"])):
        click.echo(f"{definition.process_key} v{definition.version} "
                   f"{'deployed' if created else 'unchanged'}")
    world = DemoWorld(year=today().year, profile=dict(PROFILE))
    for name, kind, level, parent in ORGS:
        world.orgs[name] = _org(name, kind, level, world.orgs.get(parent) if parent else None)
    for provider, hr in PREFECTURE_HR.items():
        world.orgs[provider].hr_id = world.orgs[hr].id
    for username, name, role, org_name in STAFF:
        world.users[username] = user = _user(username, name)
        _role(user, role, world.orgs.get(org_name))
        if username in SUPER_ADMINS:
            _role(user, "super_admin", world.orgs[org_name])
        if role == "reviewer" and world.orgs[org_name].kind == "unit":
            world.reviewers[world.orgs[org_name].id] = user
    for id_number, name, phone, unit_name in TRAINEES:
        world.users[id_number] = trainee = _user(id_number, name, id_number=id_number, phone=phone)
        world.trainees.append((trainee, world.orgs[unit_name]))
    who, from_unit, to_unit = TRANSFERRED
    world.transferred = (world.users[who], world.orgs[from_unit], world.orgs[to_unit])
    for plugin in plugins.registry():
        plugin.demo(world)
    courses_demo.load(world)  # the online-course catalogue (not a review process)
    return world


@click.command("demo")
def demo_command() -> None:
    """Deploy bpmn/*.bpmn and create the demo organisations, accounts and records."""
    with transaction():
        load_demo()
    click.echo(f"demo data ready; every account's password is {DEMO_PASSWORD}")
