"""Demo classes, made through the real process (``flask --app app demo``).

* the class of 演示交通职业培训学院's filed pre-filing that ended three days ago: published
  and opened weeks before it started (the clock set back to each step), now closed;
* the 公路工程（工程师）class of a second filed pre-filing, open for enrolment today.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ...clock import CLOCK, today
from ...extensions import db
from ...services import runner
from ...services.actors import Actor
from ...services.runner import DecisionForm
from ..provider_prefiling import demo as prefiling_demo
from ..provider_prefiling.models import PreFiling
from . import service
from .models import ProviderClass


def payload(filing: PreFiling, enrol_from: Any, enrol_until: Any, resubmit_until: Any, **extra: Any) -> dict[str, Any]:
    return {"prefiling_id": filing.id, "subject": "professional",
            "specialties": [s for s in filing.scope if s["level"] == "工程师"], "years": [filing.year],
            "enrol_from": enrol_from, "enrol_until": enrol_until, "resubmit_until": resubmit_until,
            "seat_limit": 0, "report_venue": "演示市交通路1号 培训楼大厅", "class_venue": filing.venue,
            "contact_name": "钱老师", "contact_phone": "0571-88001234、13900000002", "notes": "请携带身份证报到",
            **extra}


def _task(cls: ProviderClass, spec: str) -> int:
    return next(row.id for row in runner.open_tasks(cls.instance_id) if row.task_spec == spec)


def publish(filing: PreFiling, admin: Actor, hr: Actor, data: dict[str, Any]) -> ProviderClass:
    """Create, submit, approve and open a class (at the clock's current time)."""
    cls = service.create(admin, data)
    service.submit(cls.id, admin)
    runner.complete_task(_task(cls, "hr_review"), hr, DecisionForm("approve"))
    service.open_class(cls.id, admin)
    return cls


def load(world: Any) -> None:
    provider = world.orgs[prefiling_demo.PROVIDER]
    if db.session.scalar(select(ProviderClass.id).where(ProviderClass.provider_id == provider.id)) is not None:
        return
    admin = Actor.of(world.users["provider_admin"])
    hr = Actor.of(world.users["hr_reviewer"])
    ended = db.session.scalar(select(PreFiling).where(PreFiling.class_name == prefiling_demo.ENDED_CLASS))
    starts = ended.starts_on
    try:
        prefiling_demo.at(starts - timedelta(days=18))
        publish(ended, admin, hr, payload(ended, starts - timedelta(days=18), starts - timedelta(days=4),
                                          starts - timedelta(days=2), seat_limit=60))
    finally:
        CLOCK.reset()
    # Its resubmit deadline has passed: the enrolment demo enrols the demo trainees (back then)
    # and then runs the timers, which close it as the timer job would have.
    coming = db.session.scalar(select(PreFiling).where(PreFiling.class_name == prefiling_demo.OPEN_CLASS))
    now = today()
    publish(coming, admin, hr, payload(coming, now - timedelta(days=2), now + timedelta(days=10),
                                       now + timedelta(days=14)))
