"""The printed hour record (学时证明): a person's confirmation of their registration details for a
year (核实报名信息) and each print (打印记录), with a public number."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ProfileConfirmation(db.Model):
    """The person confirmed these registration details for the year.

    ``digest`` is a hash of the details as shown: should they change later (a new enrolment, an
    approved info change), the confirmation no longer matches and the person confirms again.
    """

    __tablename__ = "profile_confirmation"
    __table_args__ = (UniqueConstraint("user_id", "year", name="uq_profile_confirmation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecordPrint(db.Model):
    """One print of a year's hour record, frozen as printed (the public check shows these figures)."""

    __tablename__ = "record_print"
    __table_args__ = (Index("ix_record_print_user", "user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    holder_name: Mapped[str] = mapped_column(String(60))
    holder_id_number: Mapped[str | None] = mapped_column(String(18))
    total: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    professional: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    public: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    required_total: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    # source -> category -> hours, and the registration details printed (label, value) pairs
    by_source: Mapped[dict] = mapped_column(JSON)
    profile: Mapped[list] = mapped_column(JSON)
    region: Mapped[str] = mapped_column(String(60))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
