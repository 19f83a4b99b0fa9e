"""Course administration (课程管理员, role ``course_admin``): the category tree (create, rename, nest
under a parent, disable) and the courses (create, edit, publish/unpublish, upload the video or PDF).

The ledger stays whole: once a learner has started or finished a course, its hours, subject
(its category's subject) and minimum study time are fixed. Finished courses are credited with
the hours and subject the course had then, and the consistency check holds the ledger to the
course's current values, so changing them would break both the ledger and the rule that a course
means the same thing to everyone who took it. The administrator is told to unpublish it and
publish a new course instead (a new version, with its own id). The title and category within the
same subject may still change. Every change is a ``CourseEvent``.
"""
from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from ..domain import N_
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..models.ledger import CATEGORIES
from ..services.actors import Actor
from ..storage import storage
from . import media, service
from .models import Course, CourseCategory, CourseEvent, MyCourse

ROLE = "course_admin"
MAX_DEPTH = 5  # levels of the category tree
FIXED_ONCE_STUDIED = ("hours", "subject", "duration_seconds")
ACTIONS = {"category_create": N_("新增分类"), "category_edit": N_("修改分类"), "category_disable": N_("停用分类"),
           "category_enable": N_("启用分类"), "course_create": N_("新增课程"), "course_edit": N_("修改课程"),
           "course_publish": N_("发布"), "course_unpublish": N_("下架"), "course_media": N_("上传视频或文档")}


def require(actor: Actor) -> None:
    if not actor.holds(ROLE):
        raise Forbidden(_("只有课程管理员可以管理课程。"))


def _event(actor: Actor, action: str, *, course: Course | None = None, category: CourseCategory | None = None,
           data: dict[str, Any] | None = None) -> None:
    db.session.add(CourseEvent(actor_id=actor.id, actor_name=actor.name, action=action,
                               course_id=course.id if course else None,
                               category_id=category.id if category else None, data=data or {}))


def events(*, course_id: int | None = None, category_id: int | None = None, limit: int = 100) -> list[CourseEvent]:
    query = select(CourseEvent)
    if course_id is not None:
        query = query.where(CourseEvent.course_id == course_id)
    if category_id is not None:
        query = query.where(CourseEvent.category_id == category_id)
    return list(db.session.scalars(query.order_by(CourseEvent.id.desc()).limit(limit)))


# -- categories -----------------------------------------------------------------------------

def all_categories() -> list[CourseCategory]:
    return list(db.session.scalars(select(CourseCategory).order_by(CourseCategory.position, CourseCategory.id)))


def get_category(category_id: int) -> CourseCategory:
    row = db.session.get(CourseCategory, category_id)
    if row is None:
        raise NotFound(_("课程分类不存在。"))
    return row


def _parent(parent_id: int | None, moving: CourseCategory | None = None) -> CourseCategory | None:
    if parent_id is None:
        return None
    parent = db.session.get(CourseCategory, parent_id)
    if parent is None:
        raise Invalid(_("上级分类不存在。"), code="invalid", fields={"parent_id": [_("上级分类不存在。")]})
    node, depth = parent, 1
    while node is not None:
        if moving is not None and node.id == moving.id:
            raise Invalid(_("不能把分类放到它自己或它的下级分类之下。"), code="invalid",
                          fields={"parent_id": [_("不能把分类放到它自己或它的下级分类之下。")]})
        node = db.session.get(CourseCategory, node.parent_id) if node.parent_id else None
        depth += 1
    if depth > MAX_DEPTH:
        raise Invalid(_("分类最多 %(n)s 级。", n=MAX_DEPTH), code="invalid", fields={"parent_id": [_("层级过深。")]})
    return parent


def _studied_courses(course_ids: set[int] | None = None, category_ids: set[int] | None = None) -> int:
    """How many of these courses a learner has started or finished."""
    query = select(func.count(func.distinct(MyCourse.course_id))).join(Course, Course.id == MyCourse.course_id).where(
        (MyCourse.studied_seconds > 0) | MyCourse.completed_at.is_not(None))
    if course_ids is not None:
        query = query.where(Course.id.in_(course_ids))
    if category_ids is not None:
        query = query.where(Course.category_id.in_(category_ids))
    return int(db.session.scalar(query) or 0)


def _name(value: str | None) -> str:
    name = (value or "").strip()
    if not 1 <= len(name) <= 50:
        raise Invalid(_("分类名称为 1 到 50 个字。"), code="invalid", fields={"name": [_("分类名称为 1 到 50 个字。")]})
    return name


def create_category(actor: Actor, *, name: str, parent_id: int | None, subject: str | None) -> CourseCategory:
    """A top-level category names its subject; a nested one takes its parent's."""
    require(actor)
    parent = _parent(parent_id)
    if parent is not None:
        subject = parent.subject
    elif subject not in CATEGORIES:
        raise Invalid(_("请选择科目。"), code="invalid", fields={"subject": [_("请选择科目。")]})
    position = int(db.session.scalar(select(func.coalesce(func.max(CourseCategory.position), 0))) or 0) + 1
    row = CourseCategory(name=_name(name), parent_id=parent.id if parent else None, subject=subject,
                         position=position, active=True)
    db.session.add(row)
    db.session.flush()
    _event(actor, "category_create", category=row, data={"name": row.name, "parent_id": row.parent_id,
                                                          "subject": row.subject})
    return row


def update_category(actor: Actor, category_id: int, changes: dict[str, Any]) -> CourseCategory:
    """Rename, move under another parent (``parent_id``; None: top level), disable/enable (``active``).
    Moving to another subject moves its courses' subject too, so it is refused once any course
    under it has been studied."""
    require(actor)
    row = get_category(category_id)
    before = {"name": row.name, "parent_id": row.parent_id, "subject": row.subject, "active": row.active}
    if "name" in changes:
        row.name = _name(changes["name"])
    if "parent_id" in changes and changes["parent_id"] != row.parent_id:
        parent = _parent(changes["parent_id"], moving=row)
        subject = parent.subject if parent else row.subject
        if subject != row.subject:
            below = service.below(row.id, all_categories())
            if _studied_courses(category_ids=below):
                raise Conflict(_("该分类下的课程已有学员学习，不能移到其他科目之下（学时已按原科目计入）。"),
                               code="course_studied")
            db.session.execute(db.update(CourseCategory).where(CourseCategory.id.in_(below)).values(subject=subject))
            db.session.execute(db.update(Course).where(Course.category_id.in_(below)).values(subject=subject))
        row.parent_id = parent.id if parent else None
    if "active" in changes:
        row.active = bool(changes["active"])
    after = {"name": row.name, "parent_id": row.parent_id, "subject": row.subject, "active": row.active}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changed:
        action = "category_disable" if changed.get("active") == [True, False] else \
            "category_enable" if changed.get("active") == [False, True] else "category_edit"
        _event(actor, action, category=row, data=changed)
    return row


# -- courses --------------------------------------------------------------------------------

def all_courses(limit: int = 500) -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.id.desc()).limit(limit)))


def get_course(course_id: int) -> Course:
    row = db.session.get(Course, course_id)
    if row is None:
        raise NotFound(_("课程不存在。"))
    return row


def studied(course: Course) -> bool:
    return _studied_courses(course_ids={course.id}) > 0


def studied_ids(course_ids: list[int]) -> set[int]:
    """Which of these courses a learner has started or finished (one query for a list)."""
    return set(db.session.scalars(select(MyCourse.course_id).distinct().where(
        MyCourse.course_id.in_(course_ids), (MyCourse.studied_seconds > 0) | MyCourse.completed_at.is_not(None))))


def _values(payload: dict[str, Any], row: Course | None) -> dict[str, Any]:
    """Checked field values from a payload (only those given; all are needed for a new course)."""
    problems: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "title" in payload or row is None:
        title = (payload.get("title") or "").strip()
        if not 1 <= len(title) <= 100:
            problems["title"] = [_("课程名称为 1 到 100 个字。")]
        values["title"] = title
    if "category_id" in payload or row is None:
        category = db.session.get(CourseCategory, payload.get("category_id") or 0)
        if category is None:
            problems["category_id"] = [_("课程分类不存在。")]
        else:
            values["category_id"], values["subject"] = category.id, category.subject
    if "duration_minutes" in payload or row is None:
        minutes = payload.get("duration_minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 6000:
            problems["duration_minutes"] = [_("最少学习时间为 1 到 6000 分钟。")]
        else:
            values["duration_seconds"] = minutes * 60
    if "hours" in payload or row is None:
        try:
            hours = Decimal(str(payload.get("hours"))).quantize(Decimal("0.1"))
        except ArithmeticError:
            hours = Decimal(-1)
        if not hours.is_finite() or not Decimal("0.1") <= hours <= Decimal("100"):
            problems["hours"] = [_("学时为 0.1 到 100。")]
        values["hours"] = hours
    if problems:
        raise Invalid(_("请检查填写的内容。"), code="invalid", fields=problems)
    return values


def create_course(actor: Actor, payload: dict[str, Any]) -> Course:
    """A new course, unpublished (未发布) until it has its video or PDF and is published."""
    require(actor)
    values = _values(payload, None)
    row = Course(**values, kind=payload.get("kind") or "video", active=False)
    if row.kind not in ("video", "document"):
        raise Invalid(_("课程类型为视频或文档。"), code="invalid", fields={"kind": [_("课程类型为视频或文档。")]})
    db.session.add(row)
    db.session.flush()
    _event(actor, "course_create", course=row, data={"title": row.title, "category_id": row.category_id,
                                                     "hours": str(row.hours), "subject": row.subject,
                                                     "duration_seconds": row.duration_seconds})
    return row


def update_course(actor: Actor, course_id: int, payload: dict[str, Any]) -> Course:
    require(actor)
    row = get_course(course_id)
    values = _values(payload, row)
    changed = {key: [str(getattr(row, key)), str(value)] for key, value in values.items()
               if getattr(row, key) != value}
    fixed = [key for key in FIXED_ONCE_STUDIED if key in changed]
    if fixed and studied(row):
        raise Conflict(_("已有学员学习或学完此课程，学时、科目和最少学习时间不能再改（已计入的学时以原值为准）。"
                         "如需调整，请下架此课程并发布新课程。"), code="course_studied")
    for key in changed:
        setattr(row, key, values[key])
    if changed:
        _event(actor, "course_edit", course=row, data=changed)
    return row


def publish(actor: Actor, course_id: int, active: bool) -> Course:
    """发布 / 下架: unpublished courses leave the catalogue; those in 我的课程 stay there."""
    require(actor)
    row = get_course(course_id)
    if active and not row.media_key:
        raise Conflict(_("请先上传课程视频或文档，再发布。"), code="no_media")
    if row.active != active:
        row.active = active
        _event(actor, "course_publish" if active else "course_unpublish", course=row)
    return row


def upload(actor: Actor, course_id: int, data: bytes, filename: str | None) -> Course:
    """The course's video (mp4/webm) or PDF, checked by content; the previous file is replaced."""
    require(actor)
    row = get_course(course_id)
    checked = media.check(data, filename, media.max_bytes())
    key = f"courses/{row.id}-{secrets.token_hex(8)}{checked.extension}"
    storage().put(key, data, checked.content_type)
    old = row.media_key
    row.kind, row.media_key, row.media_type = checked.kind, key, checked.content_type
    _event(actor, "course_media", course=row, data={"kind": checked.kind, "content_type": checked.content_type,
                                                    "size": checked.size, "replaced": old})
    return row
