"""The runner's own objects read by a prebuilt plain statement, left in the session exactly as the
ORM's load with ``populate_existing`` leaves them.

Every write to a process instance reads two kinds of rows before anything else: the instance, whose
row lock is taken and read back in one ``UPDATE … RETURNING``, and its open task rows (with the
organisation the actor may act for on each). Through the ORM each costs ~250 Python calls a
statement (the ORM's execution, its result, the loading of each row); the same statement run plainly
on the session's connection costs ~100, and making an object of a row ~20.

``rows`` runs a statement whose first columns are ``columns(model)`` and makes each row's object the
way SQLAlchemy's loader does under ``populate_existing``: an object the session already holds takes
the row's values (its lazy relationships reset, to load again when next used), a new one is made,
keyed and added to the session's identity map, and both are committed, with nothing pending or
expired left for the loaded columns. What is pending is flushed first, as the ORM's autoflush would.
Only mappers that such a load leaves complete are taken: simple ones (``plain_flush.column_map``),
every column attribute a column of their table and not deferred, every relationship lazy (a joined
relationship would need the ORM's join), no ``load`` or ``refresh`` listeners. Others raise
``TypeError`` at their first use. ``tests/integration/test_plain_load.py`` holds each object's state
equal to the ORM's after the same load, new, already held, changed, expired and deleted.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Mapper

from . import plain_flush
from .db import execute_on
from .extensions import db

_LAZY = frozenset({"select", "raise", "raise_on_sql"})


class _Plan:
    """How a mapper's objects are made from rows: its columns, their attributes, its lazy relationships."""

    def __init__(self, mapper: Mapper):
        columns = plain_flush.column_map(mapper)
        reason = self._unloadable(mapper, columns)
        if reason:
            raise TypeError(f"{mapper.class_.__name__} cannot be loaded plainly: {reason}")
        self.cls = mapper.class_
        self.manager = mapper.class_manager
        self.keys = tuple(columns)
        self.columns = tuple(columns[key] for key in self.keys)
        (pk,) = mapper.primary_key
        self.pk = self.columns.index(pk)
        self.lazy = tuple(rel.key for rel in mapper.relationships)

    @staticmethod
    def _unloadable(mapper: Mapper, columns: dict[str, Any] | None) -> str:
        if columns is None:
            return "not a simple mapper (inheritance, versions, update listeners)"
        if len(mapper.primary_key) != 1:
            return "a composite primary key"
        if any(prop.key not in columns or prop.deferred for prop in mapper.column_attrs):
            return "a column attribute that is not a plain column of its table"
        if any(rel.lazy not in _LAZY for rel in mapper.relationships):
            return "a relationship the ORM loads with the row"
        if mapper.class_manager.dispatch.load or mapper.class_manager.dispatch.refresh:
            return "load or refresh listeners"
        return ""


_plans: dict[type, _Plan] = {}


def _plan(model: type) -> _Plan:
    plan = _plans.get(model)
    if plan is None:
        plan = _plans[model] = _Plan(inspect(model))
    return plan


def columns(model: type) -> tuple[Any, ...]:
    """The columns a statement read by ``rows`` must return first, in this order."""
    return _plan(model).columns


def rows(model: type, statement: Any, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each row of ``statement`` as ``(object, *the columns after the model's)``."""
    plan = _plan(model)
    session = db.session()
    if session.dispatch.loaded_as_persistent:
        raise TypeError("a loaded_as_persistent listener would not hear a plain load")
    session._autoflush()  # as the ORM's query would (``read`` flushes even under ``no_autoflush``)
    result = execute_on(session, statement, values).all()
    identity_map, width = session.identity_map, len(plan.keys)
    return [(_object(session, identity_map, plan, row), *row[width:]) for row in result]


def first(model: type, statement: Any, values: dict[str, Any]) -> Any:
    """The object of the statement's first row, or None."""
    found = rows(model, statement, values)
    return found[0][0] if found else None


def _object(session: Any, identity_map: Any, plan: _Plan, row: Any) -> Any:
    key = (plan.cls, (row[plan.pk],), None)
    state = identity_map.fast_get_state(key)
    if state is None:
        obj = plan.manager.new_instance()
        state = obj._sa_instance_state
        state.key, state.identity_token, state.session_id = key, None, session.hash_key
        identity_map._add_unpresent(state, key)
    else:
        obj = state.obj()
        for relationship in plan.lazy:  # as the lazy loader's populate_existing reset does
            state._reset(state.dict, relationship)
    dict_ = state.dict
    dict_.update(zip(plan.keys, row, strict=False))  # the row may go on with columns of its own
    state._commit_all(dict_, identity_map)
    return obj
