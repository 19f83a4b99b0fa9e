"""The class enrolment plug-in (学员报名): what ``bpmn/class_enrollment.bpmn`` may name."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import func, select

from ...domain import N_
from ...extensions import db
from ...i18n import _l
from ...services.actors import Actor
from ...services.plugins import (
    Fact,
    NavLink,
    NoInputs,
    ProcessPlugin,
    StepContext,
    StepForm,
    Summary,
    org_reviewers,
    person,
)
from ..class_publication import service as classes
from ..class_publication.models import ProviderClass
from . import api, demo, pages, service
from .models import ClassEnrollment
from .views import enrollment_view


def _submission(ctx: StepContext) -> dict[str, Any]:
    return service.check_submission(ctx.record)


def _approved(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.mark_approved(host.record)


def _closed(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.close(host.record)


def _discard(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.discard(host.record)


class ClassEnrollmentPlugin(ProcessPlugin):
    name = "class_enrollment"
    order = 52
    record_type = service.RECORD_TYPE
    processes = {"class_enrollment": N_("学员报名")}
    model = ClassEnrollment
    label = _l("Class enrolment")
    lanes = {"trainee": person("trainee_id"),
             "provider": org_reviewers("provider_id", service.PROVIDER_ROLES)}
    handlers = {"approve_class_enrollment": _approved, "close_class_enrollment": _closed,
                "discard_class_enrollment": _discard}
    forms = {"submission": StepForm(NoInputs, apply=_submission)}
    actions = {"create": _l("Enrolment created"), "submit": _l("Enrolment submitted"),
               "resubmit": _l("Enrolment resubmitted"), "provider_review": _l("Provider's review"),
               "delete": _l("Draft deleted")}
    record_template = "class_enrollment/_record.html"
    checks = {"seats": "each class's seat counter equals the enrolments holding a seat in it"}
    log_caption = _l("Review log")
    nav = (NavLink("class_enrollment.mine", _l("Class enrolment"), frozenset({"trainee"}), order=25),
           NavLink("class_enrollment.review", _l("Enrolment review"), frozenset(service.PROVIDER_ROLES),
                   frozenset({"provider"}), order=32))

    def visible(self, record: ClassEnrollment, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: ClassEnrollment) -> Summary:
        return Summary(subject=record.trainee.name, title=record.klass.name,
                       facts=(Fact(N_("Specialty"), f"{record.specialty}（{record.level}）"),
                              Fact(N_("Year"), str(record.year))))

    def subject_user_id(self, record: ClassEnrollment) -> int | None:
        return record.trainee_id

    def engine_data(self, record: ClassEnrollment) -> dict[str, Any]:
        """``closes_at``: the class's resubmit deadline passed (the timer on the trainee's steps)."""
        return {"closes_at": classes.closes_at(record.klass)}

    def year(self, record: ClassEnrollment) -> int | None:
        return record.year

    def present(self, record: ClassEnrollment, actor: Actor) -> dict[str, Any]:
        return enrollment_view(record)

    def record_url(self, record: ClassEnrollment, actor: Actor) -> str | None:
        return (url_for("class_enrollment.detail", enrollment_id=record.id)
                if service.visible(record, actor) else None)

    def check_record(self, report: Any, instance: Any, record: ClassEnrollment, context: dict[str, Any]) -> None:
        if (record.approved_at is not None) != (record.status == "approved"):
            report.add(instance.id, "record", f"class enrolment {record.id} status {record.status!r} "
                                              f"with approved_at={record.approved_at}")
        holds = record.submitted_at is not None and record.closed_at is None and record.deleted_at is None
        if record.holds_seat != holds:
            report.add(instance.id, "record", f"class enrolment {record.id} holds_seat={record.holds_seat} "
                                              f"but submitted={record.submitted_at is not None}, "
                                              f"closed={record.closed_at is not None}")

    def check_orphans(self, report: Any) -> None:
        """Each class's seat counter equals the enrolments holding a seat in it."""
        held = dict(db.session.execute(select(ClassEnrollment.class_id, func.count()).where(
            ClassEnrollment.holds_seat.is_(True)).group_by(ClassEnrollment.class_id)).all())
        for class_id, taken in db.session.execute(select(ProviderClass.id, ProviderClass.seats_taken)):
            report.checked["seats"] += 1
            if taken != held.get(class_id, 0):
                report.add(None, "seats", f"class {class_id} counts {taken} seats taken, "
                                          f"{held.get(class_id, 0)} enrolments hold one")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        demo.load(world)


PLUGIN = ClassEnrollmentPlugin()
