"""A trainee's enrolment (学员报名) in a provider's class."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import User
from ...models.types import UTCDateTime, utcnow
from ..class_publication.models import ProviderClass


class ClassEnrollment(db.Model):
    __tablename__ = "class_enrollment"
    __table_args__ = (
        Index("ix_class_enrollment_trainee", "trainee_id", "id"),
        Index("ix_class_enrollment_class", "class_id", "status"),
        Index("ix_class_enrollment_provider", "provider_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("provider_class.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    # one live enrolment per trainee and class: "<class>:<trainee>" until a draft is deleted
    live_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    year: Mapped[int] = mapped_column(Integer)  # the year its hours count for (one of the class's)
    series: Mapped[str] = mapped_column(String(30), default="")
    specialty: Mapped[str] = mapped_column(String(30), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(11), default="")
    unit_name: Mapped[str] = mapped_column(String(100), default="")  # 工作单位
    courses: Mapped[list[str]] = mapped_column(JSON, default=list)  # chosen from the class's package
    remark: Mapped[str] = mapped_column(String(200), default="")
    holds_seat: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the resubmit deadline passed
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    klass: Mapped[ProviderClass] = relationship(lazy="joined")
    trainee: Mapped[User] = relationship(lazy="joined")

    @property
    def choice(self) -> dict[str, Any]:
        return {"series": self.series, "specialty": self.specialty, "level": self.level}
