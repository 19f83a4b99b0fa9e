"""What an authority set for its subtree for one year (年度申报时间与政策设置): its claim window,
its supplementary window and its hour policy. A group left empty (None) is inherited from the
nearest authority above that set it, and at the top from the platform (config, ``app/services/policy.py``)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

Hours = Numeric(6, 1)


class YearSetting(db.Model):
    __tablename__ = "year_setting"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # an authority
    year: Mapped[int] = mapped_column(Integer)
    # 学时登记 opening dates for the year's claims (both or neither)
    claim_opens_on: Mapped[date | None] = mapped_column(Date)
    claim_closes_on: Mapped[date | None] = mapped_column(Date)
    # 增补: when the year's hours may be supplemented (in the following year; both or neither)
    supplementary_opens_on: Mapped[date | None] = mapped_column(Date)
    supplementary_closes_on: Mapped[date | None] = mapped_column(Date)
    # the required hours (all or none; senior_total None: no separate rule for senior titles)
    total_hours: Mapped[Decimal | None] = mapped_column(Hours)
    senior_total_hours: Mapped[Decimal | None] = mapped_column(Hours)
    professional_hours: Mapped[Decimal | None] = mapped_column(Hours)
    public_hours: Mapped[Decimal | None] = mapped_column(Hours)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
