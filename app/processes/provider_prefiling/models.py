"""A pre-training filing (培训前备案) of one class by a provider."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation
from ...models.types import UTCDateTime, utcnow


class PreFiling(db.Model):
    """The fields of seed 004's 开班申报表; a temporary save may leave any of them empty."""

    __tablename__ = "provider_prefiling"
    __table_args__ = (
        Index("ix_provider_prefiling_provider", "provider_id", "id"),
        Index("ix_provider_prefiling_supervisor", "supervisor_id", "id"),
        Index("ix_provider_prefiling_hr", "hr_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    hr_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))  # set when submitted
    year: Mapped[int] = mapped_column(Integer)
    filing_date: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(50), default="")
    class_name: Mapped[str] = mapped_column(String(50), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # series, specialty, level
    total_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    form: Mapped[str] = mapped_column(String(20), default="")
    fee: Mapped[str] = mapped_column(String(300), default="")
    courses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # content, hours
    teachers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    textbooks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # name, edition
    office_phone: Mapped[str] = mapped_column(String(20), default="")
    fax: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(100), default="")
    post_code: Mapped[str] = mapped_column(String(50), default="")
    head_name: Mapped[str] = mapped_column(String(50), default="")
    head_title: Mapped[str] = mapped_column(String(50), default="")
    head_mobile: Mapped[str] = mapped_column(String(11), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_title: Mapped[str] = mapped_column(String(50), default="")
    contact_mobile: Mapped[str] = mapped_column(String(11), default="")
    complete: Mapped[bool] = mapped_column(default=False)  # the last save checked every field
    stamped_file_id: Mapped[int | None] = mapped_column(Integer)  # the stamped form of this round
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 备案通过
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id], lazy="joined")
    supervisor: Mapped[Organisation] = relationship(foreign_keys=[supervisor_id], lazy="joined")
    hr: Mapped[Organisation | None] = relationship(foreign_keys=[hr_id], lazy="joined")
