"""The course catalogue, a person's courses and their study sessions."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models.types import JSONType, UTCDateTime, utcnow


class CourseCategory(db.Model):
    """A node of the catalogue's tree (行业公需科目; 专业科目 → 交通运输 → 规划与设计 …)."""

    __tablename__ = "course_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("course_category.id"))
    name: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(20))  # the ledger category its courses credit
    position: Mapped[int] = mapped_column(Integer, default=0)
    # 停用: hidden from the catalogue with everything under it (its courses stay in 我的课程)
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))


class Course(db.Model):
    __tablename__ = "course"
    __table_args__ = (Index("ix_course_category", "category_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("course_category.id"))
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # video | document
    media_key: Mapped[str | None] = mapped_column(String(200))  # in the storage
    media_type: Mapped[str | None] = mapped_column(String(60))
    duration_seconds: Mapped[int] = mapped_column(Integer)  # the minimum study time
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    subject: Mapped[str] = mapped_column(String(20))  # professional | public_general | public_industry
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[CourseCategory] = relationship(lazy="joined")


class MyCourse(db.Model):
    """A course in a person's 我的课程, with the study time counted so far."""

    __tablename__ = "my_course"
    __table_args__ = (Index("uq_my_course", "user_id", "course_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    studied_seconds: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_studied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(lazy="joined")


class StudySession(db.Model):
    """The one study session a person has open (a new one replaces it: one course at a time)."""

    __tablename__ = "study_session"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    my_course_id: Mapped[int] = mapped_column(ForeignKey("my_course.id"))
    token: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer, default=0)  # the last heartbeat's sequence number
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseEvent(db.Model):
    """What a course administrator changed (a category or a course): append-only, like the
    processes' event log; ``data`` holds the fields changed, before and after."""

    __tablename__ = "course_event"
    __table_args__ = (Index("ix_course_event_course", "course_id", "id"),
                      Index("ix_course_event_category", "category_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("course_category.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


@event.listens_for(CourseEvent, "before_update")
@event.listens_for(CourseEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, target: CourseEvent) -> None:
    raise PermissionError(f"course events are append-only (event {target.id})")
