"""Integrity checkpoints: what each verification of the event log's hash chains found, and the head of
every chain as last verified (so that the next run reads only the events after it)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.types import JSONType, UTCDateTime, utcnow

ADMIN_CHAIN_KEY = 0  # ``AuditChainMark.chain`` of the administrative chain (instance ids start at 1)


class AuditCheckpoint(db.Model):
    """One verification run: full (every event) or incremental (the events after ``base_id``'s).

    ``last_event_id`` / ``last_event_hash`` are the newest event the run vouches for and its hash
    (the next incremental run checks it is still there with that hash); ``events_total`` is how many
    events there were up to it (the next run counts them again: a deleted old event shows).
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    full: Mapped[bool] = mapped_column(Boolean)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("audit_checkpoint.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    by_name: Mapped[str] = mapped_column(String(60))
    first_event_id: Mapped[int | None] = mapped_column(Integer)  # the first event read (None: none)
    last_event_id: Mapped[int | None] = mapped_column(Integer)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    events_checked: Mapped[int] = mapped_column(Integer, default=0)
    chains_checked: Mapped[int] = mapped_column(Integer, default=0)
    events_total: Mapped[int] = mapped_column(Integer, default=0)
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[Any]] = mapped_column(JSONType, default=list)  # the first MAX_PROBLEMS

    @property
    def clean(self) -> bool:
        return self.problem_count == 0


class AuditChainMark(db.Model):
    """The head of one chain as a clean verification left it: an instance's chain (``chain`` = its
    id) or the administrative chain (``ADMIN_CHAIN_KEY``). An incremental run checks that the event
    before a chain's new events is still this one, with this hash."""

    __tablename__ = "audit_chain_mark"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("audit_checkpoint.id"))
