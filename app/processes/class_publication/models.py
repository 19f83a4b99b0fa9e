"""A class (培训班信息) published from a filed pre-training filing, open for enrolment once approved."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation
from ...models.types import UTCDateTime, utcnow
from ..provider_prefiling.models import PreFiling


class ProviderClass(db.Model):
    """Seed 004 §三's 培训信息: what trainees see and enrol in. Its name, dates and hours are the
    filing's; the rest is filled here."""

    __tablename__ = "provider_class"
    __table_args__ = (
        Index("ix_provider_class_provider", "provider_id", "id"),
        Index("ix_provider_class_hr", "hr_id", "id"),
        Index("ix_provider_class_status", "status", "enrol_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prefiling_id: Mapped[int] = mapped_column(ForeignKey("provider_prefiling.id"))
    # one live class per filing: the filing's id while the class is not deleted (NULLs do not clash)
    live_prefiling_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    hr_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # the HR department that filed it
    subject: Mapped[str] = mapped_column(String(20), default="professional")  # the ledger category credited
    specialties: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # series, specialty, level
    years: Mapped[list[int]] = mapped_column(JSON, default=list)  # 年度范围: the years its hours count for
    enrol_from: Mapped[date | None] = mapped_column(Date)
    enrol_until: Mapped[date | None] = mapped_column(Date)
    resubmit_until: Mapped[date | None] = mapped_column(Date)  # 退回再次提交截止时间
    has_package: Mapped[bool] = mapped_column(default=False)  # 是否选择课程包
    package: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # content, hours
    seat_limit: Mapped[int] = mapped_column(Integer, default=0)  # 0: no limit
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)  # enrolments holding a seat
    report_venue: Mapped[str] = mapped_column(String(100), default="")  # 报到地点
    class_venue: Mapped[str] = mapped_column(String(100), default="")  # 上课地点
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")  # several allowed
    notes: Mapped[str] = mapped_column(String(50), default="")  # 特殊说明
    # the last change request came while the class was open: a refusal leaves it open, else the
    # provider has yet to open it
    asked_while_open: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the HR department's last approval
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 开启 (the last time)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the resubmit deadline passed
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    prefiling: Mapped[PreFiling] = relationship(lazy="joined")
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id], lazy="joined")
    hr: Mapped[Organisation] = relationship(foreign_keys=[hr_id], lazy="joined")

    @property
    def name(self) -> str:
        return self.prefiling.class_name
