"""Process definitions, instances, the inbox projection and the event log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class ProcessDefinition(db.Model):
    """One deployed version of one BPMN diagram."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("process_key", "version", name="uq_process_definition_key_version"),
        UniqueConstraint("process_key", "content_hash", name="uq_process_definition_key_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ProcessInstance(db.Model):
    """A running or finished instance; ``state`` is the engine state without the spec."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_record", "record_type", "record_id"),
        Index("ix_process_instance_timer", "next_timer_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(40))
    status_label: Mapped[str | None] = mapped_column(String(40))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    definition: Mapped[ProcessDefinition] = relationship()


class HumanTask(db.Model):
    """One READY user task, projected for inbox queries (never loads a workflow)."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "candidate_org_id", "candidate_role", "status", "id"),
        Index("ix_human_task_assignee", "assignee_id", "status"),
        Index("ix_human_task_instance", "instance_id", "status"),
        Index("ix_human_task_subject", "subject_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    engine_task_id: Mapped[str] = mapped_column(String(36))
    process_key: Mapped[str] = mapped_column(String(60))
    task_spec: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    lane: Mapped[str | None] = mapped_column(String(40))
    candidate_role: Mapped[str] = mapped_column(String(20))
    candidate_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str | None] = mapped_column(String(20))


class ProcessEvent(db.Model):
    """Append-only flow and audit log; each row chains the hash of its predecessor."""

    __tablename__ = "process_event"
    __table_args__ = (Index("ix_process_event_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    actor_org_name: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    task_spec: Mapped[str | None] = mapped_column(String(80))
    decision: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(ProcessEvent, "before_update")
@event.listens_for(ProcessEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, target: ProcessEvent) -> None:
    """The event log is append-only: the application has no path to change or remove an event."""
    raise PermissionError(f"process events are append-only (event {target.id})")
