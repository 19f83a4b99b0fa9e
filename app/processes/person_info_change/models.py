"""A person info change request (人员信息修改) and the one detail only this package holds."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow


class PersonInfoChange(db.Model):
    __tablename__ = "person_info_change"
    __table_args__ = (
        Index("ix_person_info_change_person", "person_id", "id"),
        Index("ix_person_info_change_unit", "unit_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # whose reviewers decide
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollment.id"))  # where the details live
    year: Mapped[int] = mapped_column(Integer)
    # {field: {"old": value, "new": value}} of the changed fields only; dates as ISO strings
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when an approval wrote it

    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    unit: Mapped[Organisation] = relationship(foreign_keys=[unit_id], lazy="joined")


class PersonTitleSeries(db.Model):
    """职称系列: a person's title series (not part of the enrolment), set by approved changes."""

    __tablename__ = "person_title_series"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    title_series: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
