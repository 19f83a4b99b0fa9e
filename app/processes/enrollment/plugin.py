"""The enrolment plug-in (报名审核): what ``bpmn/enrollment.bpmn`` may name, and how an enrolment shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...domain.idnumber import mask
from ...i18n import _, _l
from ...services.actors import Actor
from ...services.plugins import Fact, NavLink, ProcessPlugin, Profile, Summary, org_reviewers, person
from . import api, pages, service
from .models import Enrollment
from .views import enrollment_view


def _approve(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.approve(host.record, host.actor, host.instance.process_key)


# Versions deployed before statuses and editability came from the diagram had no ``editable``
# property; their running instances keep the rule those versions had: a rejected enrolment is edited.
LEGACY_EDITABLE = frozenset({"revise"})


class EnrollmentPlugin(ProcessPlugin):
    name = "enrollment"
    order = 10
    record_type = service.RECORD_TYPE
    processes = {"enrollment": N_("报名审核")}
    model = Enrollment
    label = _l("Enrolment")
    lanes = {"trainee": person("trainee_id"), "unit": org_reviewers("unit_id")}
    handlers = {"approve_enrollment": _approve}
    actions = {"enroll": _l("Enrolment submitted"), "auto_approve": _l("Approved automatically"),
               "unit_review": _l("Unit review"), "unit_moved": _l("Unit changed by a staff transfer")}
    record_template = "enrollment/_record.html"
    nav = (NavLink("enrollment.enrollment", _l("Enrolment"), frozenset({"trainee"}), order=12),)

    def visible(self, record: Enrollment, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: Enrollment) -> Summary:
        return Summary(
            subject=record.trainee.name, subject_id_number=mask(record.trainee.id_number),
            title=f"{record.year} · {record.unit.name}",
            facts=(Fact(N_("Professional title"), record.title, translate=True),
                   Fact(N_("Specialty"), record.specialty),
                   Fact(N_("Identity"), record.identity_type, translate=True)))

    def subject_user_id(self, record: Enrollment) -> int | None:
        return record.trainee_id

    def profile(self, user_id: int, year: int) -> Profile | None:
        """报名资料: the year's enrolment (the seed's print page shows these fields)."""
        record = service.of_year(user_id, year)
        if record is None:
            return None
        trainee = record.trainee
        return Profile(
            facts=(Fact(N_("姓名"), trainee.name), Fact(N_("身份证号"), mask(trainee.id_number) or ""),
                   Fact(N_("手机号码"), trainee.phone or ""), Fact(N_("单位名称"), record.unit.name),
                   Fact(N_("人员身份"), record.identity_type, translate=True),
                   Fact(N_("政治面貌"), record.political_status, translate=True),
                   Fact(N_("最高学历"), record.education, translate=True),
                   Fact(N_("专业技术职务任职资格"), record.title, translate=True),
                   Fact(N_("取得时间"), record.title_date.isoformat() if record.title_date else ""),
                   Fact(N_("现从事专业"), record.specialty)),
            approved=record.approved_at is not None, senior=record.title in service.SENIOR_TITLES,
            unit=record.unit.name, url=url_for("enrollment.enrollment", year=year), unit_id=record.unit_id)

    def editable(self, task: Any) -> bool:
        if "editable" not in task.properties:
            return task.spec in LEGACY_EDITABLE
        return task.editable

    def present(self, record: Enrollment, actor: Actor) -> dict[str, Any]:
        return enrollment_view(record)

    def record_url(self, record: Enrollment, actor: Actor) -> str | None:
        return url_for("enrollment.enrollment", year=record.year) if record.trainee_id == actor.id else None

    def log_remark(self, event: Any) -> list[str]:
        if event.action == "auto_approve":
            return [_("Re-enrolment with the same unit: no review needed.")]
        return []

    def check_record(self, report: Any, instance: Any, record: Enrollment, context: dict[str, Any]) -> None:
        if (record.approved_at is not None) != (record.status == "approved"):
            report.add(instance.id, "record", f"enrollment {record.id} status {record.status!r} "
                                                 f"with approved_at={record.approved_at}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        """Every demo trainee enrols for this year with their unit, and the unit approves."""
        for trainee, unit in world.trainees:
            service.demo_enrol(trainee, unit, world.reviewer_of(unit), world.year, world.profile)


PLUGIN = EnrollmentPlugin()
