"""One loaded workflow instance: "load -> check -> run -> save".

``task.run()`` in SpiffWorkflow checks nothing: it will run a task that is not
READY, or run a finished one again. Every entry point here checks state, kind
and lane first and raises a ``workflows.errors`` exception instead.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway, IntermediateCatchEvent
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .errors import EventNotWaiting, LaneError, MigrationRefused, TaskStateError
from .specs import ProcessBundle, TaskInfo
from .validation import LABEL_SEPARATOR

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine

# What of a task spec places it in the flow (SpiffWorkflow's serialized attribute names).
STRUCTURAL_CHANGES = frozenset({"typename", "inputs", "outputs", "cond_task_specs", "default_task_spec",
                                "choice", "event_definition", "cancel_activity", "main_child_task_spec"})
TIMER_EVENT_TYPES = frozenset({"DurationTimerEventDefinition", "TimeDateEventDefinition",
                               "CycleTimerEventDefinition"})


@dataclass(frozen=True)
class ReadyTask:
    """A READY manual task, as plain data."""

    id: str
    info: TaskInfo

    @property
    def spec(self) -> str:
        return self.info.spec

    @property
    def lane(self) -> str | None:
        return self.info.lane


@dataclass
class Snapshot:
    """Everything the host persists after running an instance."""

    state: str
    completed: bool
    status: str | None
    status_label: str | None
    ready: list[ReadyTask] = field(default_factory=list)
    next_timer_due: datetime | None = None
    end_event: TaskInfo | None = None


STATUS_SEPARATOR = "+"


def combined_status(sources: list[TaskInfo]) -> tuple[str | None, str | None]:
    """One status for what waits: the shared one, or each distinct one joined (``a+b``).

    The labels are joined the same way (``等待原上级审核 / 等待新上级审核``), so a record
    waiting on two reviews says so.
    """
    statuses = list(dict.fromkeys(s.properties["status"] for s in sources))
    labels = list(dict.fromkeys(s.properties.get("status_label", s.properties["status"]) for s in sources))
    if not statuses:
        return None, None
    return STATUS_SEPARATOR.join(statuses), LABEL_SEPARATOR.join(labels)


class LoadedInstance:
    def __init__(self, workflow: Any, bundle: ProcessBundle, engine: Engine):
        self.workflow = workflow
        self.bundle = bundle
        self._engine = engine

    # -- reading -------------------------------------------------------------
    def ready_tasks(self) -> list[ReadyTask]:
        tasks = self.workflow.get_tasks(state=TaskState.READY)  # the engine's walk by state, then manual
        return [ReadyTask(str(t.id), self.bundle.task(t.task_spec.name)) for t in tasks if t.task_spec.manual]

    def _open_tasks(self) -> tuple[list[Any], list[Any]]:
        """The READY manual tasks and the WAITING tasks, in one walk of the tree (each is what
        ``get_tasks`` with that state would give, in the same order): a save needs both, and
        each walk of the tree costs calls."""
        ready: list[Any] = []
        waiting: list[Any] = []
        for task in self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            if task.state == TaskState.WAITING:
                waiting.append(task)
            elif task.task_spec.manual:
                ready.append(task)
        return ready, waiting

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.workflow.data)

    def end_event(self) -> TaskInfo | None:
        ends = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                if isinstance(t.task_spec, EndEvent)]
        if not ends:
            return None
        last = max(ends, key=lambda t: t.last_state_change)
        return self.bundle.task(last.task_spec.name)

    def status_sources(self, ready: list[ReadyTask] | None = None,
                       waiting_tasks: list[Any] | None = None) -> list[TaskInfo]:
        """Where the user-facing status comes from: the waiting tasks, or the end event reached.

        Statuses are properties in the diagram (``status``, ``status_label``), so an edited
        diagram carries its own. Parallel branches may wait on several tasks at once.
        """
        if not (ready or waiting_tasks) and self.workflow.is_completed():  # what is open is unfinished
            end = self.end_event()
            return [end] if end and "status" in end.properties else []
        waiting = ready if ready is not None else self.ready_tasks()
        sources = [task.info for task in waiting if "status" in task.info.properties]
        return sources + [info for info in self.waiting_events_info(waiting_tasks) if "status" in info.properties]

    def _waiting_catches(self, waiting_tasks: list[Any] | None = None) -> list[Any]:
        """The intermediate catch events the instance waits at: one waiting by itself, or the
        branches of a waiting event-based gateway (SpiffWorkflow keeps those MAYBE until one fires).

        ``waiting_tasks``: the WAITING tasks, when the caller has them already."""
        found = []
        for task in self._waiting(waiting_tasks):
            if isinstance(task.task_spec, EventBasedGateway):
                found.extend(child for child in task.children if isinstance(child.task_spec, IntermediateCatchEvent))
            elif isinstance(task.task_spec, IntermediateCatchEvent):
                found.append(task)
        return found

    def _waiting(self, waiting_tasks: list[Any] | None) -> list[Any]:
        return waiting_tasks if waiting_tasks is not None else self.workflow.get_tasks(state=TaskState.WAITING)

    def waiting_events_info(self, waiting_tasks: list[Any] | None = None) -> list[TaskInfo]:
        """The catch events the instance waits at, for a record that waits for an event rather
        than a person (an open class: a change request, or its deadline); such an event may
        carry ``status`` like a user task."""
        found: list[TaskInfo] = []
        for task in self._waiting_catches(waiting_tasks):
            info = self.bundle.tasks.get(task.task_spec.name)
            if info is not None and info not in found:
                found.append(info)
        return found

    def status(self) -> str | None:
        return combined_status(self.status_sources())[0]

    def element_states(self) -> tuple[list[str], set[str]]:
        """Diagram elements waiting (on a person or an event: ``current``) and already passed (``done``).

        Only what the (pruned) state still holds: callers add what their own
        history records.
        """
        current: list[str] = []
        done: set[str] = set()
        for task in self.workflow.get_tasks():
            element = getattr(task.task_spec, "bpmn_id", None)
            if not element:
                continue
            if task.task_spec.manual and task.state in (TaskState.READY, TaskState.WAITING):
                if element not in current:
                    current.append(element)
            elif task.state == TaskState.COMPLETED:
                done.add(element)
        for task in self._waiting_catches():  # waiting for an event (a message, a date)
            if task.task_spec.bpmn_id not in current:
                current.append(task.task_spec.bpmn_id)
        return current, done

    def next_timer_due(self, waiting_tasks: list[Any] | None = None) -> datetime | None:
        due = []
        for event in self.workflow.waiting_events():
            if event.event_type in TIMER_EVENT_TYPES and isinstance(event.value, str):
                try:
                    due.append(datetime.fromisoformat(event.value).astimezone(UTC))
                except ValueError:
                    continue
        for task in self._waiting(waiting_tasks):  # a timer behind an event-based
            value = task._get_internal_data("event_value")  # gateway keeps its date on the gateway
            if isinstance(task.task_spec, EventBasedGateway) and isinstance(value, str):
                try:
                    due.append(datetime.fromisoformat(value).astimezone(UTC))
                except ValueError:
                    continue
        return min(due) if due else None

    # -- acting ----------------------------------------------------------------
    def run_engine(self) -> None:
        self.workflow.do_engine_steps()

    def seed(self, data: Mapping[str, Any]) -> None:
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)

    def complete(self, task_id: str, data: Mapping[str, Any] | None = None,
                 lanes: Collection[str] | Callable[[ReadyTask], bool] | None = None) -> ReadyTask:
        """Complete one READY manual task after checking it, then run the engine.

        ``lanes`` is the set of lanes the caller may act in (or a predicate);
        ``None`` means the host has already checked the caller.
        """
        task = self._ready_manual_task(task_id)
        ready = ReadyTask(str(task.id), self.bundle.task(task.task_spec.name))
        allowed = lanes(ready) if callable(lanes) else (lanes is None or ready.lane in lanes)
        if not allowed:
            raise LaneError(f"task {ready.spec} is in lane {ready.lane!r}")
        task.data.update(dict(data or {}))
        task.run()
        self.run_engine()
        return ready

    def _ready_manual_task(self, task_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, TaskStateError):
            task = None
        except Exception:  # Spiff raises a bare TaskNotFoundException subclass
            task = None
        if task is None:
            raise TaskStateError(f"no task {task_id} in this instance")
        if task.state != TaskState.READY:
            raise TaskStateError(f"task {task.task_spec.name} is {TaskState.get_name(task.state)}, not READY")
        if not task.task_spec.manual:
            raise TaskStateError(f"task {task.task_spec.name} is not a user task")
        return task

    def send_message(self, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """Deliver a BPMN message (e.g. a withdrawal); only a waiting catch event takes it."""
        if name not in self.bundle.messages:
            raise EventNotWaiting(f"the diagram has no message {name!r}")
        event = BpmnEvent(MessageEventDefinition(name), payload=dict(payload or {}))
        try:
            self.workflow.send_event(event)
        except WorkflowException as exc:
            raise EventNotWaiting(str(exc)) from None
        self.run_engine()

    def refresh_timer_data(self, data: Mapping[str, Any]) -> None:
        """Give the waiting date timers the host's current facts (e.g. a deadline moved since the
        timer started waiting): their data is updated and the date they computed is dropped, so the
        next check evaluates their expression again. SpiffWorkflow computes a timer's date once,
        when it starts waiting, and keeps it."""
        if not data:
            return
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            kinds = {type(d).__name__ for d in getattr(definition, "event_definitions", [definition])}
            # Only dates: a duration counts from when it started, and recomputing it would restart it.
            if "TimeDateEventDefinition" in kinds and not kinds & (TIMER_EVENT_TYPES - {"TimeDateEventDefinition"}):
                for holder in (task, task.parent):  # a waiting event re-inherits its parent's data
                    if holder is not None:
                        holder.data.update(data)
                task.internal_data.pop("event_value", None)

    def advance_timers(self) -> bool:
        """Fire every expired timer and run on; True if anything moved."""
        before = self._progress_marker()
        for _ in range(3):  # a fired timer may ready a task that needs another pass
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
        return self._progress_marker() != before

    def _progress_marker(self) -> tuple[int, int]:
        return (len(self.workflow.tasks), len(self.workflow.get_tasks(state=TaskState.FINISHED_MASK)))

    def cancel(self) -> None:
        self.workflow.cancel()

    def migration_problems(self, new_bundle: ProcessBundle) -> list[str]:
        """Why this instance cannot move onto ``new_bundle`` (empty: it can). Changes nothing.

        SpiffWorkflow's ``migrate_workflow`` happily removes the task an instance waits on, and
        a remaining task whose spec is gone cannot be restored from storage. A finished task
        still in the state whose place in the flow changed (its type, where it leads, what
        leads to it, a gateway's conditions) would let joins and boundary events read a history
        that the new diagram cannot have produced. All three are refused; a finished task whose
        words or properties changed (label, status, decisions) is not.
        """
        if self.workflow.subprocesses:
            return ["instances with running sub-processes cannot be migrated"]
        self.workflow.prune_history()
        spec_diff, diff = self._diff(new_bundle)
        problems = []
        for task in self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            # SpiffWorkflow would align a renamed step by its place; the host's task rows, events
            # and statuses name steps by id, so a waiting step must keep its id
            if task.task_spec.name not in new_bundle.spec.task_specs:
                problems.append(f"{task.task_spec.name} ({TaskState.get_name(task.state)}): the step the "
                                "instance waits on is not in the new version")
        for task in diff.removed:
            state = TaskState.get_name(task.state)
            if not task.has_state(TaskState.FINISHED_MASK):
                problems.append(f"{task.task_spec.name} ({state}): the step the instance waits on is not in "
                                "the new version")
            else:
                problems.append(f"{task.task_spec.name} ({state}): a finished step still in the instance's "
                                "state is removed")
        for task in diff.changed:
            if not task.has_state(TaskState.FINISHED_MASK):
                continue
            structural = sorted(set(spec_diff.changed.get(task.task_spec, ())) & STRUCTURAL_CHANGES)
            if structural:
                problems.append(f"{task.task_spec.name} ({TaskState.get_name(task.state)}): a finished step "
                                f"changed its place in the flow ({', '.join(structural)})")
        return list(dict.fromkeys(problems))

    def _diff(self, new_bundle: ProcessBundle) -> tuple[SpecDiff, WorkflowDiff]:
        registry = self._engine.serializer.registry
        spec_diff = SpecDiff(registry, self.workflow.spec, new_bundle.spec)
        return spec_diff, WorkflowDiff(self.workflow, spec_diff)

    def migrate(self, new_bundle: ProcessBundle) -> list[str]:
        """Move this instance onto another version of its diagram (``migration_problems`` refused
        first, before anything changes). Returns the names of task specs whose attributes changed.
        """
        problems = self.migration_problems(new_bundle)
        if problems:
            raise MigrationRefused(problems)
        _spec_diff, diff = self._diff(new_bundle)
        migrate_workflow(diff, self.workflow, new_bundle.spec)
        self.workflow.subprocess_specs = dict(new_bundle.subprocess_specs)
        self.bundle = new_bundle
        self.run_engine()
        return sorted({t.task_spec.name for t in diff.changed})

    # -- saving ----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        self.workflow.prune_history()
        ready_tasks, waiting_tasks = self._open_tasks()
        # a READY or WAITING task is unfinished: only a workflow with neither can have completed
        completed = self.workflow.completed or (not ready_tasks and not waiting_tasks and self.workflow.is_completed())
        ready = [] if completed else [ReadyTask(str(t.id), self.bundle.task(t.task_spec.name)) for t in ready_tasks]
        status, status_label = combined_status(self.status_sources(ready, waiting_tasks))
        return Snapshot(
            state=self._engine.dumps(self.workflow),
            completed=completed,
            status=status,
            status_label=status_label,
            ready=ready,
            next_timer_due=None if completed else self.next_timer_due(waiting_tasks),
            end_event=self.end_event() if completed else None,
        )
