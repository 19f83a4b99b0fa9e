"""A post-training filing (培训后备案) of one class and the trainees' imported results."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation
from ...models.types import UTCDateTime, utcnow
from ..class_publication.models import ProviderClass


class PostFiling(db.Model):
    __tablename__ = "provider_postfiling"
    __table_args__ = (
        Index("ix_provider_postfiling_provider", "provider_id", "id"),
        Index("ix_provider_postfiling_hr", "hr_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    hr_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    class_id: Mapped[int] = mapped_column(ForeignKey("provider_class.id"))
    live_class_id: Mapped[int | None] = mapped_column(Integer, unique=True)  # one live filing per class
    name: Mapped[str] = mapped_column(String(50))  # 培训后备案名称
    year: Mapped[int] = mapped_column(Integer)  # 备案年度
    # 结业备案信息 (completion details)
    held_from: Mapped[date | None] = mapped_column(Date)  # 实际开班时间
    held_until: Mapped[date | None] = mapped_column(Date)  # 实际结业时间
    attended: Mapped[int | None] = mapped_column(Integer)  # 实到人数
    summary: Mapped[str] = mapped_column(String(500), default="")  # 培训总结
    results_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # the last refused file's rows
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 备案通过: hours and certificates issued
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    klass: Mapped[ProviderClass] = relationship(lazy="joined")
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id], lazy="joined")
    hr: Mapped[Organisation] = relationship(foreign_keys=[hr_id], lazy="joined")


class PostFilingResult(db.Model):
    """One trainee's result, as imported (a new import replaces them all)."""

    __tablename__ = "provider_postfiling_result"
    __table_args__ = (
        Index("uq_postfiling_result_trainee", "postfiling_id", "trainee_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    postfiling_id: Mapped[int] = mapped_column(ForeignKey("provider_postfiling.id"))
    row: Mapped[int] = mapped_column(Integer)  # its row in the imported sheet
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("class_enrollment.id"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(60))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    passed: Mapped[bool] = mapped_column()
