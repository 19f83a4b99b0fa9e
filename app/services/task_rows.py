"""A process instance's task rows as the runner and the pages read them: the open ones (with the
organisation an actor may act for on each), and what an instance waits for.

Read-only helpers over the ``human_task`` projection and the diagram; ``runner`` re-exports the
public ones (``runner.listening`` …).
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, select

from workflows import STATUS_SEPARATOR

from .. import plain_load
from ..extensions import db
from ..models import HumanTask, ProcessInstance
from . import candidates, plugins
from .actors import Actor
from .engine import bundle_for

OPEN = "open"


def open_rows(instance_id: int, actor: Actor | None = None) -> list[tuple[HumanTask, int | None]]:
    """The instance's open task rows, each with the organisation ``actor`` may act for on it
    (0: as the person; None: not at all). Read plainly (``plain_load``), as every write reads them."""
    if actor is None:
        return [(row, None) for row, in plain_load.rows(HumanTask, _open_rows_as(None), {"instance_id": instance_id})]
    org, values = candidates.acting_org(actor)
    return plain_load.rows(HumanTask, _open_rows_as(org), {"instance_id": instance_id, **values})


@functools.lru_cache(maxsize=64)
def _open_rows_as(org: Any) -> Any:
    """The open rows' statement, with the acting organisation's column when there is one."""
    statement = (select(*plain_load.columns(HumanTask))
                 .where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.status == OPEN)
                 .order_by(HumanTask.id))
    return statement if org is None else statement.add_columns(org)


def open_tasks(instance_id: int) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                           HumanTask.status == OPEN).order_by(HumanTask.id)))


def open_tasks_of(instance_ids: list[int]) -> list[HumanTask]:
    """The open task rows of many instances (a list page linking each record to its review)."""
    if not instance_ids:
        return []
    return list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(instance_ids),
                                                           HumanTask.status == OPEN)))


def listening(instance: ProcessInstance) -> frozenset[str]:
    """The messages the instance's waiting steps take (``withdraw``, ``delete``, ``cancel``…): what
    a user may do to it right now, read off the diagram rather than known by status."""
    bundle = bundle_for(instance.definition_id)
    names: set[str] = set()
    for row, _org in open_rows(instance.id):
        names |= bundle.graph.messages_for(row.task_spec)
    # A record waiting for an event rather than a person: the catch events its status names.
    statuses = set((instance.status or "").split(STATUS_SEPARATOR)) if not instance.completed else set()
    for element, messages in bundle.graph.listens.items():
        info = bundle.tasks.get(element)
        if info is not None and info.kind == "IntermediateCatchEvent" and info.properties.get("status") in statuses:
            names |= messages
    return frozenset(names)


def waiting_for(instance: ProcessInstance, actor: Actor) -> list[str]:
    """The waiting steps (task ids of the diagram) the actor may act on."""
    return [row.task_spec for row, org in open_rows(instance.id, actor) if org is not None]


def editable_by(instance: ProcessInstance, actor: Actor) -> bool:
    """Whether a waiting step the actor may act on lets them edit the record (``editable`` in the
    diagram): a person's own step, or a step of an organisation they act for."""
    bundle = bundle_for(instance.definition_id)
    plugin = plugins.for_type(instance.record_type)
    return any(org is not None and plugin.editable(bundle.task(row.task_spec))
               for row, org in open_rows(instance.id, actor))
