"""Tasks to and from their stored form: the library's format, written and read in fewer calls.

Every write request restores an instance's tasks from JSON and stores them again, so SpiffWorkflow's
``TaskConverter`` ran ~70 Python calls a task on the way in and ~35 on the way out: each id, parent
and child parsed into a ``UUID`` again (the same id three times), each parent found through the
``Task.parent`` property (a dictionary look-up hashing a ``UUID`` in Python), the registry's
generic walk over empty ``internal_data``, and the generic dispatch per task. ``FastTaskConverter``
writes and reads the very same dictionaries (``tests/bpmn`` holds both directions equal to the
library's at every step of every diagram test) with:

- one ``UUID`` per id string per restore (``Ids``): a task's parent and children were parsed
  as ids of other tasks, or will be;
- the parent looked up once, by its id, in the tasks restored so far;
- empty ``internal_data`` and empty delta updates not walked;
- a parent's data copied as ``DeepMerge.merge({}, data)`` does (a new dictionary whose dict,
  list and set values are shallow copies), without its per-key recursion.
"""
from __future__ import annotations

from copy import copy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState

_MUTABLE = (dict, list, set)


class Ids(dict):
    """Id strings to ``UUID`` objects, each string parsed once (one per restore)."""

    def __missing__(self, key: str) -> UUID:
        value = self[key] = UUID(key)
        return value


def copy_of_parent_data(data: dict[str, Any]) -> dict[str, Any]:
    """What ``DeepMerge.merge({}, data)`` returns: the keys in order, mutable values shallow-copied."""
    copied = dict(data)
    for key, value in copied.items():
        if isinstance(value, _MUTABLE):
            copied[key] = copy(value)
    return copied


class FastTaskConverter(TaskConverter):
    """SpiffWorkflow's ``TaskConverter``, the same dictionaries in fewer calls (see the module).
    The registry keeps it as ``task_converter`` for the workflow converter's whole-mapping calls."""

    def __init__(self, target_class: Any, registry: Any, typename: str | None = None):
        super().__init__(target_class, registry, typename)
        registry.task_converter = self

    def to_dict(self, task: Any) -> dict[str, Any]:
        parent = task.workflow.tasks.get(task._parent)
        if parent is None:
            data, delta = task.data, {}
        else:
            data, own, inherited = {}, task.data, parent.data
            delta = {
                "updates": {key: own[key] for key in own if key not in inherited or own[key] != inherited[key]},
                "deletions": [key for key in inherited if key not in own],
            }
        internal = task.internal_data
        return {
            "id": str(task.id),
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(internal) if internal else {},
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any, ids: Ids | None = None) -> Any:
        ids = Ids() if ids is None else ids
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=ids[dct["id"]])
        task._parent = ids[dct["parent"]] if dct["parent"] is not None else None
        task._children = [ids[child] for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        internal = dct["internal_data"]
        task.internal_data = self.registry.restore(internal) if internal or type(internal) is not dict else {}
        if isinstance(task_spec, CatchingEvent) and task._state & TaskState.WAITING:
            workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent = workflow.tasks.get(task._parent) if delta else None
        if parent is not None:
            data = copy_of_parent_data(parent.data)
            updates = delta.get("updates", {})
            if updates or type(updates) is not dict:
                data.update(self.registry.restore(updates))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task

    def tasks_to_dict(self, tasks: dict[UUID, Any]) -> dict[str, Any]:
        """``mapping_to_dict(workflow.tasks)``: each task's dictionary with its ``typename``."""
        typename = self.registry.typenames[self.target_class]
        stored = {}
        for key, task in tasks.items():
            if type(task) is self.target_class:
                dct = self.to_dict(task)
                dct["typename"] = typename
            else:
                dct = self.registry.convert(task)
            stored[str(key)] = dct
        return stored

    def tasks_from_dict(self, stored: dict[str, Any], workflow: Any) -> dict[UUID, Any]:
        """``mapping_from_dict(stored, UUID, workflow=workflow)``, each id parsed once."""
        typename = self.registry.typenames[self.target_class]
        ids, tasks = Ids(), {}
        for key, dct in stored.items():
            if dct.get("typename") == typename:
                tasks[ids[key]] = self.from_dict(dct, workflow, ids)
            else:
                tasks[ids[key]] = self.registry.restore(dct, workflow=workflow)
        return tasks
