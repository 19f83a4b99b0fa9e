"""Running and persisting workflow instances.

Three SpiffWorkflow 3.2 behaviours are handled here:

* State is stored **without** the spec: a converter drops ``spec`` and
  ``subprocess_specs`` on the way out and takes the cached spec objects on the
  way in, which halves the stored state and skips spec restoration per load.
* The task iterator stops descending at depth 1000, and every send-back loop
  deepens the task tree; ``DeepWorkflow`` lifts that limit everywhere the
  library lets a subclass do so.
* Each change of a task's state builds a log record's extras before the logger is asked;
  ``Task._set_state`` is replaced by one that asks first (the library's runs when it would log).
* The script engine is not serialized, so a restored workflow would fall back
  to plain ``eval``; ``Engine.load`` always installs the sandboxed engine.

Serializers keep per-call state, so each thread gets its own.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Collection, Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .instance import LoadedInstance
from .sandbox import SandboxedScriptEngine, ServiceHandler
from .specs import ProcessBundle, SpecCache, parse_bundle
from .task_state import FastTaskConverter

MAX_TREE_DEPTH = 1_000_000

# SpiffWorkflow builds each log record's extras before asking the logger, and a logger whose own level
# is below INFO (an unconfigured one is 0) adds the task's data, or a list of every task (a walk of the
# tree on each completion of a workflow). Unless a deployment set them, they are set to WARNING: the
# host keeps its own event log, and nothing reads these INFO records.
for _name in ("spiff.task", "spiff.workflow", "spiff.data"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)

_TASK_LOG = logging.getLogger("spiff.task")
_library_set_state = Task._set_state


def _set_state(task: Task, value: int) -> None:
    """``Task._set_state`` without building a log record's extras (~15 calls, at every change of every
    task's state) that no logger would take. When ``spiff.task`` logs at DEBUG or INFO (a deployment
    that asked for it), the library's own method runs, records and all; otherwise the same state and
    time of change are set (tests/unit/test_engine.py holds both to the library's)."""
    if _TASK_LOG.isEnabledFor(logging.INFO):
        _library_set_state(task, value)
    elif value != task._state:
        task.last_state_change = time.time()
        task._state = value


Task._set_state = _set_state


class DeepWorkflow(BpmnWorkflow):
    """BpmnWorkflow whose task walks are not cut off at depth 1000."""

    def get_tasks_iterator(self, first_task: Any = None, **kwargs: Any) -> BpmnTaskIterator:
        kwargs.setdefault("max_depth", MAX_TREE_DEPTH)
        return BpmnTaskIterator(first_task or self.task_tree, **kwargs)

    def get_tasks(self, first_task: Any = None, **kwargs: Any) -> list[Any]:
        """As the library's, but a query by state alone (the engine's own: every step's READY tasks,
        every completion's WAITING ones) walks the task list without the iterator's ~10 calls a task."""
        if first_task is None and not self.subprocesses and len(kwargs) == 1 and "state" in kwargs:
            return self.tasks_in_state(kwargs["state"])
        return super().get_tasks(first_task, **kwargs)

    def tasks_in_state(self, state: int) -> list[Any]:
        """The tasks in ``state``, in the order of SpiffWorkflow's depth-first iterator, which also
        does not look below a task that cannot hold one (tests/bpmn check each answer against it)."""
        if state & TaskState.PREDICTED_MASK:
            floor = TaskState.MAYBE
        elif state & TaskState.DEFINITE_MASK:
            floor = TaskState.FUTURE
        else:
            floor = TaskState.COMPLETED
        tasks, found, stack = self.tasks, [], [self.task_tree]
        while stack:
            task = stack.pop()
            if task._state & state:
                found.append(task)
            if task._children and task._state >= floor:
                stack.extend([tasks[child] for child in reversed(task._children)])
        return found

    def _first(self, **kwargs: Any) -> Any:
        return next(iter(self.get_tasks_iterator(**kwargs)), None)

    def is_completed(self) -> bool:
        if not self.completed and self._first(state=TaskState.NOT_FINISHED_MASK) is None:
            self.completed = True
        return self.completed

    def manual_input_required(self) -> bool:
        return self._first(state=TaskState.READY, manual=False) is None

    def update_waiting_tasks(self) -> None:
        for task in self.get_tasks(state=TaskState.WAITING):
            task.task_spec._update(task)

    def cancel(self, success: bool = False) -> list[Any]:
        self.success = success
        self.completed = True
        cancelled = self.get_tasks(state=TaskState.NOT_FINISHED_MASK)
        for task in cancelled:
            task.cancel()
        return cancelled

    def prune_history(self) -> int:
        """Drop finished tasks above the lowest common ancestor of all open tasks.

        SpiffWorkflow keeps every finished task, and a loop (send back, withdraw)
        hangs the next round below the last, so state, load time and recursion
        depth grow with every round: ``Task.is_descendant_of`` overflows
        Python's stack after about 120 send-backs. Finished tasks above every
        open task can never be consulted again (joins and boundary events look
        below their split), and the host keeps the history in its own event log,
        so they are cut off. Returns how many tasks were dropped.
        """
        if self.subprocesses or self.completed:
            return 0
        tasks = self.tasks  # walked by ids (``_parent``, ``_state``): the properties cost a call a step
        open_tasks = [t for t in tasks.values() if not t._state & TaskState.FINISHED_MASK]
        if not open_tasks:
            return 0
        # Looked up by the ids' integers: a UUID hashes in Python (a call at every look-up), an int in C.
        by_int = {key.int: task for key, task in tasks.items()}
        chain = []  # the first open task's ancestors, root first; Task objects hash by identity, in C
        node = open_tasks[0]
        while node is not None:
            chain.append(node)
            node = by_int.get(node._parent.int) if node._parent is not None else None
        chain.reverse()
        position = {task: i for i, task in enumerate(chain)}
        lowest = len(chain) - 1
        for task in open_tasks[1:]:
            while task not in position:
                task = by_int[task._parent.int]
            lowest = min(lowest, position[task])
        while lowest > 0 and not chain[lowest]._state & TaskState.FINISHED_MASK:
            lowest -= 1  # an open task keeps its parent: a waiting event re-reads the parent's data
        new_root = chain[lowest]
        if new_root is self.task_tree:
            return 0
        kept = [new_root]
        for task in kept:  # the new root's subtree (the list grows as it is walked)
            kept.extend([child for child_id in task._children if (child := by_int.get(child_id.int)) is not None])
        keep = set(kept)
        dropped = [key for key, task in tasks.items() if task not in keep]
        for key in dropped:  # fewer than those kept, as a rule: the dictionary is kept, in its order
            del tasks[key]
        new_root._parent = None
        self.task_tree = new_root
        if self.last_task is not None and self.last_task not in keep:
            self.last_task = None
        return len(dropped)


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Stores a workflow without its spec; restores it onto a cached spec."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        registry = self.registry
        dct = {  # WorkflowConverter.to_dict's, the tasks through FastTaskConverter's whole-mapping call
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": registry.task_converter.tasks_to_dict(workflow.tasks),
            "root": str(workflow.task_tree.id),
        }
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None,
                  subprocess_specs: dict[str, Any] | None = None) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("a stored instance must be restored onto its spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.registry.task_converter.tasks_from_dict(dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer_config() -> dict[Any, Any]:
    config = dict(SPIFF_CONFIG)
    config.pop(BpmnWorkflow, None)
    config[DeepWorkflow] = SpeclessWorkflowConverter
    config[Task] = FastTaskConverter
    return config


class _Serializer(BpmnWorkflowSerializer):
    def dumps(self, workflow: BpmnWorkflow) -> str:
        self.registry._encoder_mode = True
        try:
            dct = self.to_dict(workflow)
            dct[self.VERSION_KEY] = self.VERSION
            return json.dumps(dct, cls=self._encoder_cls, separators=(",", ":"))
        finally:
            self.registry._encoder_mode = False

    def loads(self, state: str, bundle: ProcessBundle) -> BpmnWorkflow:
        dct = json.loads(state)
        self.migrate(dct)
        return self.from_dict(dct, spec=bundle.spec, subprocess_specs=bundle.subprocess_specs)


class Engine:
    """Entry point of the adapter: parse, start, load and save instances.

    ``services`` are the only Python callables a diagram can reach (through
    service tasks). ``host`` objects passed to ``start``/``load`` are handed to
    those handlers untouched.
    """

    def __init__(self, services: Mapping[str, ServiceHandler] | None = None):
        self.services = dict(services or {})
        self.specs = SpecCache(self.services.keys())
        self._local = threading.local()
        self._config = _serializer_config()

    @property
    def serializer(self) -> _Serializer:
        serializer = getattr(self._local, "serializer", None)
        if serializer is None:
            registry = BpmnWorkflowSerializer.configure(self._config)
            serializer = self._local.serializer = _Serializer(registry)
        return serializer

    def bundle(self, content: bytes | str, known_hash: str | None = None) -> ProcessBundle:
        return self.specs.get(content, known_hash)

    def parse(self, content: bytes | str) -> ProcessBundle:
        """Parse ``content`` without keeping it: a draft being edited has a new content at every
        save, and the cache (kept for the life of the process) would grow with each."""
        return parse_bundle(content, self.services.keys())

    def _script_engine(self, host: Any, services: Collection[str] | None) -> SandboxedScriptEngine:
        allowed = self.services if services is None else {
            name: handler for name, handler in self.services.items() if name in services}
        return SandboxedScriptEngine(allowed, host)

    def start(self, bundle: ProcessBundle, data: Mapping[str, Any] | None = None,
              host: Any = None, services: Collection[str] | None = None) -> LoadedInstance:
        """Create an instance, seed its data and run it to its first wait.

        ``services`` narrows the operations this instance may call (a process may reach only
        its own handlers); None allows every registered one.
        """
        workflow = DeepWorkflow(bundle.spec, bundle.subprocess_specs,
                                script_engine=self._script_engine(host, services))
        instance = LoadedInstance(workflow, bundle, self)
        instance.seed(data or {})
        instance.run_engine()
        return instance

    def load(self, bundle: ProcessBundle, state: str, host: Any = None,
             services: Collection[str] | None = None) -> LoadedInstance:
        workflow = self.serializer.loads(state, bundle)
        workflow.script_engine = self._script_engine(host, services)
        return LoadedInstance(workflow, bundle, self)

    def dumps(self, workflow: BpmnWorkflow) -> str:
        return self.serializer.dumps(workflow)
