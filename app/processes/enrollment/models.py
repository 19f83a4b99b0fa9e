"""Annual enrolment with a unit (报名)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow


class Enrollment(db.Model):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("trainee_id", "year", name="uq_enrollment_trainee_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    identity_type: Mapped[str] = mapped_column(String(20))
    political_status: Mapped[str] = mapped_column(String(20))
    education: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(20))
    title_date: Mapped[date | None] = mapped_column(Date)
    specialty: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trainee: Mapped[User] = relationship(lazy="joined")
    unit: Mapped[Organisation] = relationship(lazy="joined")
