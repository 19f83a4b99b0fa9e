"""Annual enrolment (报名, seed 000 §2.2): process 1 of the domain.

A first enrolment, or one with a different unit than the last approved one,
waits for that unit's review; re-enrolment with the same unit is approved by
the diagram's gateway (``same_unit``) with no human task.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from workflows import TaskInfo

from ..domain.idnumber import mask
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Enrollment, Organisation, ProcessInstance, RoleAssignment, utcnow
from . import processes
from .actors import Actor
from .audit import record_event
from .claims import today
from .engine import service_handler
from .records import Candidate, DecisionForm, RecordType, register

IDENTITY_TYPES = ("机关事业单位", "事业单位(在编)", "事业单位(非在编)", "国有企业", "集体企业", "民营企业", "其他")
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众")
EDUCATION_LEVELS = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "高中及以下")
TITLES = ("无", "正高级工程师", "高级工程师", "工程师", "助理工程师", "技术员")
PROFILE_FIELDS = ("identity_type", "political_status", "education", "title", "title_date", "specialty")
CHOICES = {"identity_type": IDENTITY_TYPES, "political_status": POLITICAL_STATUSES,
           "education": EDUCATION_LEVELS, "title": TITLES}


class EnrollmentRecords(RecordType):
    record_type = "enrollment"
    process_key = "registration"
    model = Enrollment

    def candidate(self, lane: str | None, record: Enrollment) -> Candidate:
        if lane == "trainee":
            return Candidate("trainee", None, record.trainee_id)
        if lane == "unit":
            return Candidate("reviewer", record.unit_id)
        raise ValueError(f"registration has no lane {lane!r}")

    def summary(self, record: Enrollment) -> dict[str, Any]:
        return {
            "trainee_name": record.trainee.name,
            "id_number": mask(record.trainee.id_number),
            "year": record.year,
            "unit_name": record.unit.name,
            "identity_type": record.identity_type,
            "title": record.title,
            "specialty": record.specialty,
        }

    def engine_data(self, task: TaskInfo, form: DecisionForm, record: Enrollment,
                    actor: Actor) -> dict[str, Any]:
        return {"decision": form.decision}


ENROLLMENTS = register(EnrollmentRecords())


@service_handler("approve_enrollment")
def approve_enrollment(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The enrolment takes effect; for the current year the trainee now belongs to the unit.

    An approved enrolment for next year does not move the trainee yet: this
    year's claims still go to this year's unit (they follow the enrolment of
    their own year either way).
    """
    enrollment: Enrollment = host.record
    enrollment.approved_at = utcnow()
    if enrollment.year > today().year:
        return {"unit_id": enrollment.unit_id}
    db.session.execute(delete(RoleAssignment).where(
        RoleAssignment.user_id == enrollment.trainee_id, RoleAssignment.role == "trainee",
        RoleAssignment.org_id != enrollment.unit_id))
    exists = db.session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == enrollment.trainee_id, RoleAssignment.role == "trainee",
        RoleAssignment.org_id == enrollment.unit_id))
    if exists is None:
        db.session.add(RoleAssignment(user_id=enrollment.trainee_id, org_id=enrollment.unit_id,
                                      role="trainee"))
    return {"unit_id": enrollment.unit_id}


def _validated(payload: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "unit_id" in payload:
        unit = db.session.get(Organisation, payload["unit_id"])
        if unit is None or unit.kind != "unit":
            errors["unit_id"] = ["请选择单位 (no such unit)"]
        values["unit_id"] = payload["unit_id"]
    for field, choices in CHOICES.items():
        if field in payload:
            if payload[field] not in choices:
                errors[field] = [f"must be one of {list(choices)}"]
            values[field] = payload[field]
    if "title_date" in payload:
        values["title_date"] = payload["title_date"]
    if "specialty" in payload:
        values["specialty"] = (payload["specialty"] or "").strip()
        if not values["specialty"]:
            errors["specialty"] = ["required"]
    if errors:
        raise Invalid("报名信息有误", code="invalid", fields=errors)
    return values


def visible(enrollment: Enrollment, actor: Actor) -> bool:
    return (enrollment.trainee_id == actor.id or actor.can_read_all_processes
            or actor.has("reviewer", enrollment.unit_id))


def get_visible(enrollment_id: int, actor: Actor) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not visible(enrollment, actor):
        raise NotFound("报名记录不存在 (enrolment not found)")
    return enrollment


def list_for(actor: Actor) -> list[Enrollment]:
    return list(db.session.scalars(select(Enrollment).where(Enrollment.trainee_id == actor.id)
                                   .order_by(Enrollment.year.desc())))


def last_approved(trainee_id: int, before_year: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.trainee_id == trainee_id, Enrollment.year < before_year,
        Enrollment.status == "approved").order_by(Enrollment.year.desc()).limit(1))


def create(actor: Actor, payload: dict[str, Any]) -> Enrollment:
    if not actor.is_trainee:
        raise Forbidden("只有学员可以报名 (only trainees enrol)")
    year = payload["year"]
    if year not in (today().year, today().year + 1):
        raise Invalid("只能报名本年度或下一年度", code="invalid", fields={"year": ["current or next year"]})
    values = _validated(payload)
    missing = [f for f in ("unit_id", *PROFILE_FIELDS) if f not in values and f != "title_date"]
    if missing:
        raise Invalid("请完整填写报名信息", code="invalid", fields={f: ["required"] for f in missing})
    if db.session.scalar(select(Enrollment.id).where(Enrollment.trainee_id == actor.id,
                                                     Enrollment.year == year)):
        raise Conflict(f"您已报名 {year} 年度 (already enrolled for this year)", code="already_enrolled")
    previous = last_approved(actor.id, year)
    enrollment = Enrollment(trainee_id=actor.id, year=year, status="unit_review",
                            status_label="等待单位审核", **values)
    db.session.add(enrollment)
    db.session.flush()
    same_unit = previous is not None and previous.unit_id == enrollment.unit_id
    instance = processes.start(ENROLLMENTS, enrollment, actor, {"same_unit": same_unit},
                               action="enroll", event_data={"unit_id": enrollment.unit_id})
    enrollment.instance_id = instance.id
    if instance.completed:
        record_event(instance, None, "auto_approve", data={"unit_id": enrollment.unit_id})
    return enrollment


def _own_locked(enrollment_id: int, actor: Actor) -> tuple[Enrollment, ProcessInstance]:
    enrollment = get_visible(enrollment_id, actor)
    if enrollment.trainee_id != actor.id:
        raise Forbidden("只有本人可以修改报名信息 (only the trainee may change an enrolment)")
    instance = processes.lock_instance(enrollment.instance_id)
    db.session.refresh(enrollment)
    if enrollment.status != "rejected":
        raise Conflict(f"当前状态「{enrollment.status_label}」不能修改 (not editable now)",
                       code="not_editable")
    return enrollment, instance


def update(enrollment_id: int, actor: Actor, payload: dict[str, Any]) -> Enrollment:
    enrollment, instance = _own_locked(enrollment_id, actor)
    for key, value in _validated(payload).items():
        setattr(enrollment, key, value)
    enrollment.updated_at = utcnow()
    record_event(instance, actor, "edit", data={"fields": sorted(payload)})
    return enrollment


def submit(enrollment_id: int, actor: Actor) -> Enrollment:
    enrollment, _ = _own_locked(enrollment_id, actor)
    processes.complete_open_task(enrollment.instance_id, ("revise",), actor, DecisionForm("submit"),
                                 enrollment)
    return enrollment
