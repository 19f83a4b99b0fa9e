"""Demo filings, made through the real process (``flask --app app demo``).

* 演示交通职业培训学院's class that ended three days ago: filed (备案通过) weeks before it started,
  the clock set back to when each step happened, so its review log reads as it would have;
* a filing for a class in three weeks, filed, whose class is open for enrolment today;
* a filing of the same provider for a class in five weeks, waiting for its supervisor's review.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select

from ...clock import CLOCK, today
from ...extensions import db
from ...services import runner
from ...services.actors import Actor
from ...services.runner import DecisionForm
from . import service
from .models import PreFiling

PROVIDER = "演示交通职业培训学院"
ENDED_CLASS = "2026年度公路工程专业技术人员继续教育培训班"
COMING_CLASS = "公路养护新技术专题培训班"
OPEN_CLASS = "公路工程师知识更新培训班"  # filed; its class is open for enrolment today


def scan(text: str) -> bytes:
    """A small PNG standing for a scanned document."""
    image = Image.new("RGB", (240, 120), "white")
    ImageDraw.Draw(image).text((10, 50), text, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def payload(class_name: str, starts_on: Any, days: int) -> dict[str, Any]:
    return {
        "location": "演示市", "class_name": class_name, "starts_on": starts_on,
        "ends_on": starts_on + timedelta(days=days - 1), "venue": "演示市交通路1号 培训楼301",
        "scope": [{"series": "工程系列", "specialty": "公路工程", "level": "工程师"},
                  {"series": "工程系列", "specialty": "公路工程", "level": "助理工程师"}],
        "total_hours": 24, "form": "面授培训", "fee": "每人800元，依据演示省发改委收费批复",
        "courses": [{"content": "公路工程新规范解读", "hours": "12"}, {"content": "路面养护新技术", "hours": "12"}],
        "teachers": [{"name": "陈教授", "education": "博士研究生", "major": "道路与铁道工程",
                      "title": "教授", "course": "公路工程新规范解读"},
                     {"name": "周高工", "education": "大学本科", "major": "交通工程", "title": "正高级工程师",
                      "course": "路面养护新技术"}],
        "textbooks": [{"name": "公路工程技术标准", "edition": "2024版"}],
        "office_phone": "0571-88001234", "fax": "0571-88001235", "email": "train@example.cn",
        "address": "演示市交通路1号", "post_code": "310000", "head_name": "赵院长", "head_title": "院长",
        "head_mobile": "13900000001", "contact_name": "钱老师", "contact_title": "培训科科长",
        "contact_mobile": "13900000002",
    }


def at(day: Any) -> None:
    """Set the clock to 10:00 (China) on ``day`` (the caller resets it)."""
    CLOCK.freeze(datetime.combine(day, time(2, 0), tzinfo=UTC))


def _task(filing: PreFiling, spec: str) -> int:
    return next(row.id for row in runner.open_tasks(filing.instance_id) if row.task_spec == spec)


def _file(filing: PreFiling, admin: Actor) -> None:
    for kind in ("plan", "notice", "invitation"):
        service.add_file(filing.id, admin, scan(kind), f"{service.FILE_KINDS[kind]}.png", None, kind)


def filed(world: Any, class_name: str, starts: Any, days: int, *, rollback: str | None = None) -> PreFiling:
    """A filing of 演示交通职业培训学院 taken through every step to 备案通过, each step dated weeks
    before the class starts (``rollback``: the supervisor's comment, sending it back once)."""
    admin = Actor.of(world.users["provider_admin"])
    supervisor = Actor.of(world.users["supervisor_reviewer"])
    hr = Actor.of(world.users["hr_reviewer"])
    try:
        at(starts - timedelta(days=30))
        filing = service.create(admin, payload(class_name, starts, days))
        _file(filing, admin)
        service.submit(filing.id, admin)
        if rollback:
            at(starts - timedelta(days=27))
            runner.complete_task(_task(filing, "supervisor_review"), supervisor, DecisionForm("rollback", rollback))
            at(starts - timedelta(days=26))
            service.update(filing.id, admin,
                           {"textbooks": [{"name": "公路工程技术标准", "edition": "2024版 人民交通出版社"}]})
            service.submit(filing.id, admin)
        at(starts - timedelta(days=25))
        runner.complete_task(_task(filing, "supervisor_review"), supervisor, DecisionForm("approve"))
        service.add_file(filing.id, admin, scan("stamped"), "盖章申报表.png", None, service.STAMPED)
        service.submit(filing.id, admin)
        at(starts - timedelta(days=24))
        runner.complete_task(_task(filing, "forward"), supervisor, DecisionForm("forward"))
        at(starts - timedelta(days=22))
        runner.complete_task(_task(filing, "hr_review"), hr, DecisionForm("approve", "同意备案"))
    finally:
        CLOCK.reset()
    return filing


def load(world: Any) -> None:
    provider = world.orgs[PROVIDER]
    if db.session.scalar(select(PreFiling.id).where(PreFiling.provider_id == provider.id)) is not None:
        return
    now = today()
    filed(world, ENDED_CLASS, now - timedelta(days=7), 5,  # a five-day class that ended three days ago
          rollback="请补充教材选用版本的出版信息")
    filed(world, OPEN_CLASS, now + timedelta(days=20), 3)
    admin = Actor.of(world.users["provider_admin"])
    coming = service.create(admin, payload(COMING_CLASS, now + timedelta(days=35), 3))
    _file(coming, admin)
    service.submit(coming.id, admin)
