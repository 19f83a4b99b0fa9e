"""Process definitions, instances, the inbox projection and the event log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow

DRAFT, PUBLISHED = "draft", "published"


class ProcessDefinition(db.Model):
    """One version of one BPMN diagram: a draft being edited, or a published version.

    Drafts (``status`` ``draft``, no version) are never run; publishing gives a draft the next
    version number of its process key, and new instances start on the latest published
    version. A published version never changes.
    """

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("process_key", "version", name="uq_process_definition_key_version"),
        Index("uq_process_definition_published_hash", "process_key", "content_hash", unique=True,
              sqlite_where=text("status = 'published'"), postgresql_where=text("status = 'published'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    version: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)  # when published
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED


class ProcessInstance(db.Model):
    """A running or finished instance; ``state`` is the engine state without the spec."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_record", "record_type", "record_id"),
        Index("ix_process_instance_timer", "next_timer_due"),
        Index("ix_process_instance_definition", "definition_id", "completed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text)
    # Several open tasks: their statuses joined by "+" and their labels by " / " (see runner.save).
    status: Mapped[str | None] = mapped_column(String(100))
    status_label: Mapped[str | None] = mapped_column(String(120))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Suspended by a process administrator: its tasks leave the inbox and its timers wait.
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The last engine error (a timer or a retry that failed), cleared when it runs again.
    error: Mapped[str | None] = mapped_column(Text)
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    definition: Mapped[ProcessDefinition] = relationship()


class HumanTask(db.Model):
    """One READY user task, projected for inbox queries (never loads a workflow).

    Who may act on it is in ``task_candidate`` (one row per candidate: a role in an
    organisation, or one person); ``summary`` is what the inbox shows of the record.
    """

    __tablename__ = "human_task"
    __table_args__ = (
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
    personal: Mapped[bool] = mapped_column(Boolean, default=False)  # a person's own step, not a review
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    subject: Mapped[str] = mapped_column(String(120), default="")  # whom or what the record is about
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str | None] = mapped_column(String(20))

    candidates: Mapped[list[TaskCandidate]] = relationship(back_populates="task", lazy="raise_on_sql",
                                                           cascade="all, delete-orphan")


class TaskCandidate(db.Model):
    """Who may act on a task: reviewers (``role``) of an organisation, or one person (``user_id``).

    ``status`` and ``process_key`` mirror the task's, so that "what waits for my
    organisation" reads this table's index alone however much history the organisation has:
    in task-id order for a page, by process for the counts.
    """

    __tablename__ = "task_candidate"
    __table_args__ = (
        Index("ix_task_candidate_org", "org_id", "role", "status", "task_id", "process_key"),
        Index("ix_task_candidate_user", "user_id", "status", "task_id", "process_key"),
        Index("ix_task_candidate_task", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    process_key: Mapped[str] = mapped_column(String(60))

    task: Mapped[HumanTask] = relationship(back_populates="candidates")


class ProcessEvent(db.Model):
    """Append-only flow and audit log; each row chains the hash of its predecessor.

    An instance's events chain per instance (the head on the instance row). Events that belong
    to no instance (publishing a diagram, a role or account change, an auditor's read of a
    proof) chain in one administrative chain whose head is ``AuditChain`` ``admin``.
    ``process_key``, ``record_type`` and ``record_id`` say what an event is about (for an
    instance's events, copied from the instance) so the audit search filters one table.
    """

    __tablename__ = "process_event"
    # The audit search (``app/audit``) pages newest first by (at, id): one index per filter, each
    # ending in (at, id), makes a filtered page (with or without a time range) an index range read.
    __table_args__ = (
        Index("ix_process_event_instance", "instance_id", "id"),
        Index("ix_process_event_at", "at", "id"),
        Index("ix_process_event_actor", "actor_id", "at", "id"),
        Index("ix_process_event_action", "action", "at", "id"),
        Index("ix_process_event_process", "process_key", "at", "id"),
        Index("ix_process_event_record", "record_type", "record_id", "at", "id"),
        Index("ix_process_event_org", "actor_org_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    process_key: Mapped[str | None] = mapped_column(String(60))
    record_type: Mapped[str | None] = mapped_column(String(30))
    record_id: Mapped[int | None] = mapped_column(Integer)
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


class AuditChain(db.Model):
    """The head of a chain of events that belong to no instance (``admin``).

    Appending locks this row (an ``UPDATE … RETURNING``), so concurrent appends queue and the
    chain stays a line.
    """

    __tablename__ = "audit_chain"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    head_hash: Mapped[str | None] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(Integer, default=0)


@event.listens_for(ProcessEvent, "before_update")
@event.listens_for(ProcessEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, target: ProcessEvent) -> None:
    """The event log is append-only: the application has no path to change or remove an event."""
    raise PermissionError(f"process events are append-only (event {target.id})")
