"""E-certificates (电子证书): one per person, source record and ledger category, with a public number."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User
from .types import UTCDateTime, utcnow


class Certificate(db.Model):
    """What was certified, frozen when issued (the name and ID number printed on it stay as they were).

    ``source``/``source_id`` name the record that issued it (a post-training filing, later an online
    course), like a ledger entry; a record issues a person at most one certificate per category.
    """

    __tablename__ = "certificate"
    __table_args__ = (
        Index("uq_certificate_source", "source", "source_id", "user_id", "category", unique=True),
        Index("ix_certificate_user", "user_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    category: Mapped[str] = mapped_column(String(20))  # the ledger's: professional | public_general | …
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))  # the class or course
    issuer: Mapped[str] = mapped_column(String(100))  # the provider
    issued_on: Mapped[date] = mapped_column(Date)
    holder_name: Mapped[str] = mapped_column(String(60))
    holder_id_number: Mapped[str | None] = mapped_column(String(18))
    source: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class VerificationAttempt(db.Model):
    """Each public look-up of a certificate number, for throttling guessers."""

    __tablename__ = "verification_attempt"
    __table_args__ = (Index("ix_verification_attempt_ip_at", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(45))
    found: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
