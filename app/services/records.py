"""Record types: what a process is *about* (a claim, an enrolment...).

The generic process runner (``processes.py``) knows nothing of claims; each
record type tells it how to resolve a lane to candidates, what to show in the
inbox, how to validate a reviewer's form and what to do when the status
changes. Adding a process means adding one of these, not editing the runner.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from workflows import Snapshot, TaskInfo

from ..domain.idnumber import mask
from ..errors import NotFound
from ..extensions import db
from ..i18n import _
from .actors import Actor


@dataclass(frozen=True)
class Candidate:
    """Who may act on a task: a (role, organisation) pair, or one named user."""

    role: str
    org_id: int | None = None
    assignee_id: int | None = None


@dataclass
class DecisionForm:
    decision: str
    comment: str | None = None
    hours: Any = None


class RecordType:
    record_type: ClassVar[str]
    process_key: ClassVar[str]
    model: ClassVar[type]
    # Lane -> the record attribute naming who acts there: the trainee lane names a
    # person, the others an organisation whose reviewers are the candidates.
    lanes: ClassVar[dict[str, str]] = {"trainee": "trainee_id", "unit": "unit_id"}

    def get(self, record_id: int, *, refresh: bool = False) -> Any:
        options = {"populate_existing": True} if refresh else {}
        record = db.session.get(self.model, record_id, **options)
        if record is None:
            raise NotFound(_("Record not found."))
        return record

    # -- what the inbox needs --------------------------------------------------
    def candidate(self, lane: str | None, record: Any) -> Candidate:
        attribute = self.lanes.get(lane or "")
        if attribute is None:
            raise ValueError(f"{self.process_key} has no lane {lane!r}")
        if lane == "trainee":
            return Candidate("trainee", None, getattr(record, attribute))
        return Candidate("reviewer", getattr(record, attribute))

    def subject_user_id(self, record: Any) -> int | None:
        return getattr(record, "trainee_id", None)

    def year(self, record: Any) -> int | None:
        return getattr(record, "year", None)

    def summary(self, record: Any) -> dict[str, Any]:
        """What the inbox shows of the record (stored on the task row when it becomes ready)."""
        trainee = record.trainee
        return {"trainee_name": trainee.name, "id_number": mask(trainee.id_number), "year": record.year}

    # -- acting --------------------------------------------------------------
    def engine_data(self, task: TaskInfo, form: DecisionForm, record: Any,
                    actor: Actor) -> dict[str, Any]:
        """Validate a form against the record and return the data the diagram reads."""
        return {"decision": form.decision}

    def event_data(self, task: TaskInfo, form: DecisionForm, record: Any) -> dict[str, Any]:
        return {}

    def on_saved(self, record: Any, snapshot: Snapshot, status_label: str | None) -> None:
        """Mirror the instance status onto the record (for list queries)."""
        if snapshot.status:
            record.status = snapshot.status
            record.status_label = status_label or snapshot.status


REGISTRY: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    REGISTRY[record_type.record_type] = record_type
    return record_type


def record_type(name: str) -> RecordType:
    return REGISTRY[name]
