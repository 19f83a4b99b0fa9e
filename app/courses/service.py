"""The catalogue, 我的课程 and the study clock (see the package's docstring for its rules)."""
from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..clock import today, utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..services import ledger
from ..services.actors import Actor
from .models import Course, CourseCategory, MyCourse, StudySession

SOURCE = "course"  # the ledger's source for a finished course
SORTS = {"duration": Course.duration_seconds, "hours": Course.hours, "title": Course.title}
TABS = ("unstudied", "studied", "all")  # 未学课程 / 已学课程 / 全部课程
NEW_WINDOW = "系统检测到您打开了新的学习窗口，当前窗口被停止计时，您可以点击下方按钮激活"  # seed 000 §3


def settings() -> dict[str, Any]:
    """``[COURSES]`` in config.toml over the defaults."""
    defaults = {"HEARTBEAT_SECONDS": 30, "MAX_BEAT_GAP_SECONDS": 60, "IDLE_SECONDS": 600}
    return {**defaults, **current_app.config.get("COURSES", {})}


# -- the catalogue ----------------------------------------------------------------------------

def categories() -> list[CourseCategory]:
    """The tree learners see: a disabled category (停用) hides with everything under it."""
    rows = list(db.session.scalars(select(CourseCategory).order_by(CourseCategory.position, CourseCategory.id)))
    by_id = {row.id: row for row in rows}

    def shown(row: CourseCategory) -> bool:
        seen = set()
        while row is not None and row.id not in seen:
            if not row.active:
                return False
            seen.add(row.id)
            row = by_id.get(row.parent_id)
        return True
    return [row for row in rows if shown(row)]


def below(category_id: int, rows: list[CourseCategory] | None = None) -> set[int]:
    """The category and every category under it (among ``rows``: by default, those shown)."""
    tree: dict[int | None, list[int]] = {}
    for row in categories() if rows is None else rows:
        tree.setdefault(row.parent_id, []).append(row.id)
    found, stack = set(), [category_id]
    while stack:
        node = stack.pop()
        found.add(node)
        stack.extend(tree.get(node, []))
    return found


def catalogue(*, category_id: int | None = None, subject: str | None = None, q: str | None = None,
              sort: str | None = None, descending: bool = False, limit: int = 200) -> list[Course]:
    shown = {row.id for row in categories()}
    query = select(Course).where(Course.active.is_(True), Course.category_id.in_(shown))
    if category_id is not None:
        query = query.where(Course.category_id.in_(below(category_id) & shown))
    if subject:
        query = query.where(Course.subject == subject)
    if q:
        query = query.where(Course.title.contains(q[:50], autoescape=True))
    column = SORTS.get(sort or "", Course.id)
    query = query.order_by(column.desc() if descending else column, Course.id)
    return list(db.session.scalars(query.limit(limit)))


def get_course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not course.active:
        raise NotFound(_("Course not found."))
    return course


# -- 我的课程 ---------------------------------------------------------------------------------

def _trainee(actor: Actor) -> None:
    if not actor.is_trainee:
        raise Forbidden(_("Only trainees study courses."))


def add(actor: Actor, course_ids: list[int]) -> list[MyCourse]:
    """添加到我的课程 (one or many); a course already there stays as it is."""
    _trainee(actor)
    shown = {row.id for row in categories()}
    courses = {c.id: c for c in db.session.scalars(select(Course).where(Course.id.in_(course_ids),
                                                                        Course.active.is_(True),
                                                                        Course.category_id.in_(shown)))}
    missing = [i for i in course_ids if i not in courses]
    if missing:
        raise Invalid(_("Unknown courses: %(ids)s.", ids=", ".join(map(str, missing))), code="invalid",
                      fields={"course_ids": [_("Not found.")]})
    have = set(db.session.scalars(select(MyCourse.course_id).where(MyCourse.user_id == actor.id,
                                                                   MyCourse.course_id.in_(course_ids))))
    for course_id in dict.fromkeys(course_ids):
        if course_id not in have:
            db.session.add(MyCourse(user_id=actor.id, course_id=course_id))
    db.session.flush()
    return mine(actor, "all")


def remove(actor: Actor, course_id: int) -> None:
    """移除: a course not finished leaves 我的课程 (a finished one stays: its hours stand)."""
    row = _mine(actor, course_id)
    if row.completed_at is not None:
        raise Conflict(_("A finished course stays in your courses: its hours are credited."), code="completed")
    session = db.session.get(StudySession, actor.id)
    if session is not None and session.my_course_id == row.id:
        db.session.delete(session)
    db.session.delete(row)


def mine(actor: Actor, tab: str = "all") -> list[MyCourse]:
    query = select(MyCourse).where(MyCourse.user_id == actor.id)
    if tab == "unstudied":
        query = query.where(MyCourse.completed_at.is_(None))
    elif tab == "studied":
        query = query.where(MyCourse.completed_at.is_not(None))
    return list(db.session.scalars(query.order_by(MyCourse.added_at.desc(), MyCourse.id.desc()).limit(1000)))


def mine_one(actor: Actor, course_id: int) -> MyCourse:
    """One course of the actor's 我的课程 (404 otherwise)."""
    return _mine(actor, course_id)


def _mine(actor: Actor, course_id: int) -> MyCourse:
    row = db.session.scalar(select(MyCourse).where(MyCourse.user_id == actor.id, MyCourse.course_id == course_id))
    if row is None:
        raise NotFound(_("This course is not in your courses."))
    return row


# -- the study clock ------------------------------------------------------------------------

def _session_locked(user_id: int) -> StudySession | None:
    """The person's session, read again after ``ledger.lock_person`` (which serialises their beats)."""
    return db.session.get(StudySession, user_id, populate_existing=True)


def start(actor: Actor, course_id: int) -> dict[str, Any]:
    """开始学习: this window's study session; any other window's stops counting."""
    _trainee(actor)
    row = _mine(actor, course_id)
    ledger.lock_person(actor.id)  # one start or beat of a person at a time
    session = _session_locked(actor.id)
    now = utcnow()
    if session is None:
        session = StudySession(user_id=actor.id)
        db.session.add(session)
    session.my_course_id, session.token, session.seq = row.id, secrets.token_urlsafe(24), 0
    session.started_at = session.last_beat_at = now
    return {"session": session.token, **progress(row), "heartbeat_seconds": int(settings()["HEARTBEAT_SECONDS"]),
            "idle_seconds": int(settings()["IDLE_SECONDS"])}


def heartbeat(actor: Actor, course_id: int, token: str, seq: int, idle: bool) -> dict[str, Any]:
    """Count the real time since the previous beat of this session (at most MAX_BEAT_GAP_SECONDS;
    nothing while idle); 409 when another window holds the person's session or the beat is a replay."""
    _trainee(actor)
    row = _mine(actor, course_id)
    ledger.lock_person(actor.id)
    session = _session_locked(actor.id)
    if session is None or not secrets.compare_digest(session.token, token or "") or session.my_course_id != row.id:
        raise Conflict(NEW_WINDOW, code="session_replaced")
    if seq <= session.seq:
        raise Conflict(_("This heartbeat was already counted."), code="stale_heartbeat")
    now = utcnow()
    elapsed = max((now - session.last_beat_at).total_seconds(), 0.0)
    counted = 0 if idle or row.completed_at is not None else int(min(elapsed, settings()["MAX_BEAT_GAP_SECONDS"]))
    session.last_beat_at, session.seq = now, seq
    if counted:
        row.studied_seconds = min(row.studied_seconds + counted, row.course.duration_seconds)
        row.last_studied_at = now
        if row.studied_seconds >= row.course.duration_seconds and row.completed_at is None:
            _finish(row, now)
    return {"counted_seconds": counted, **progress(row)}


def _finish(row: MyCourse, now: Any) -> None:
    """Finished: the hours, once, under the course's subject, for the year it was finished in."""
    row.completed_at = now
    ledger.credit(user_id=row.user_id, year=today().year, category=row.course.subject, source=SOURCE,
                  source_id=row.id, hours=Decimal(str(row.course.hours)), note=row.course.title[:120])


def progress(row: MyCourse) -> dict[str, Any]:
    duration = row.course.duration_seconds
    return {"studied_seconds": row.studied_seconds, "duration_seconds": duration,
            "progress": round(100 * row.studied_seconds / duration, 1) if duration else 100.0,
            "completed": row.completed_at is not None, "completed_at": row.completed_at}

