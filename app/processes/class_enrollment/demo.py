"""Demo enrolments, made through the real process (``flask --app app demo``): the three demo
trainees enrolled in the class of 演示交通职业培训学院 that ended three days ago, approved by
the provider back then (the clock set back to each step); then the timer job runs, closing
that class at its past resubmit deadline as it would have."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ...clock import CLOCK
from ...extensions import db
from ...services import runner, timers
from ...services.actors import Actor
from ...services.runner import DecisionForm
from ..class_publication.models import ProviderClass
from ..provider_prefiling import demo as prefiling_demo
from ..provider_prefiling.models import PreFiling
from . import service
from .models import ClassEnrollment


def load(world: Any) -> None:
    ended = db.session.scalar(select(ProviderClass).join(PreFiling, PreFiling.id == ProviderClass.prefiling_id)
                              .where(PreFiling.class_name == prefiling_demo.ENDED_CLASS))
    if ended is None or db.session.scalar(select(ClassEnrollment.id).where(
            ClassEnrollment.class_id == ended.id).limit(1)) is not None:
        return
    provider = Actor.of(world.users["provider_admin"])
    choice = ended.specialties[0]
    try:
        for i, (trainee, unit) in enumerate(world.trainees[:3]):
            prefiling_demo.at(ended.enrol_from + timedelta(days=1 + i))
            actor = Actor.of(trainee)
            enrollment = service.create(actor, {"class_id": ended.id, **choice, "year": ended.years[0],
                                                "phone": trainee.phone, "unit_name": unit.name})
            service.submit(enrollment.id, actor)
            prefiling_demo.at(ended.enrol_from + timedelta(days=2 + i))
            task = next(row.id for row in runner.open_tasks(enrollment.instance_id)
                        if row.task_spec == "provider_review")
            runner.complete_task(task, provider, DecisionForm("approve"))
    finally:
        CLOCK.reset()
    timers.run_due()
