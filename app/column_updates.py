"""A loaded object whose changes are plain column values is written by one prebuilt UPDATE.

Nearly every write request ends with one such object: the record a process step changed (its
status, its label, a reviewed figure). The ORM's unit of work spends ~800 Python calls on it
(dependency sorting, history, the statement's parameters); a prebuilt ``UPDATE … WHERE pk``
on the session's connection costs ~100. This runs as the session's ``before_flush`` listener:
what it writes it marks saved, so the flush that follows has nothing left for that object.

Anything the ORM does beyond writing the values stays with the ORM: the whole object is left
to it when a changed attribute is a relationship, a primary key, an SQL expression or an
unloaded (deleted) value; when its mapper inherits, carries a version counter, has columns
that change on update, or has ``before_update``/``after_update`` listeners (the append-only
event tables refuse updates there); when a changed column is a foreign key and new objects
wait to be inserted (their row may be what it points at, and the ORM inserts first); and when
the flush names its objects. As the ORM does, an UPDATE that matched no row raises
``StaleDataError``.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event
from sqlalchemy.orm import ColumnProperty, Mapper, Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

_PK = "pk_%d"  # bind names of the primary key's values; the changed values are bound as v0, v1…
_eligible: dict[Mapper, bool] = {}
_statements: dict[tuple[Mapper, tuple[str, ...]], Any] = {}


def write_column_changes(session: Session, _flush_context: Any, instances: Any) -> None:
    """``before_flush``: write each dirty object that only changed column values, mark it saved."""
    if instances is not None or not session.identity_map._modified:
        return
    pending_inserts = bool(session.new)
    for state in list(session.identity_map._modified):
        if state.deleted or not state.key or state in session._deleted:
            continue
        values = _changed_columns(state, pending_inserts)
        if values is None:
            continue  # the ORM writes it
        if values:
            _update(session, state, values)
        state._commit_all(state.dict, session.identity_map)


def _changed_columns(state: Any, pending_inserts: bool) -> dict[str, Any] | None:
    """The changed attributes' new values by attribute key, or None if the ORM must write them."""
    mapper = state.mapper
    if not _mapper_eligible(mapper):
        return None
    values: dict[str, Any] = {}
    dict_ = state.dict
    for key, old in state.committed_state.items():
        prop = mapper.attrs.get(key)
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1 or key not in dict_:
            return None
        column = prop.columns[0]
        if column.table is not mapper.local_table or column.primary_key:
            return None
        new = dict_[key]
        if isinstance(new, ClauseElement) or hasattr(new, "__clause_element__"):
            return None
        if column.foreign_keys and pending_inserts:
            return None
        if old is not NO_VALUE and column.type.compare_values(old, new):
            continue  # set to what it was: the ORM would not write it either
        values[key] = new
    return values


def _mapper_eligible(mapper: Mapper) -> bool:
    eligible = _eligible.get(mapper)
    if eligible is None:
        table = mapper.local_table
        eligible = _eligible[mapper] = bool(
            mapper.inherits is None and not mapper.polymorphic_map and mapper.version_id_col is None
            and not mapper.dispatch.before_update and not mapper.dispatch.after_update
            and getattr(table, "columns", None) is not None
            and not any(c.onupdate is not None or c.server_onupdate is not None for c in table.columns))
    return eligible


def _update(session: Session, state: Any, values: dict[str, Any]) -> None:
    mapper = state.mapper
    keys = tuple(values)
    statement = _statements.get((mapper, keys))
    if statement is None:
        table = mapper.local_table
        where = [column == bindparam(_PK % i) for i, column in enumerate(mapper.primary_key)]
        statement = _statements[(mapper, keys)] = table.update().where(*where).values(
            {mapper.attrs[key].columns[0].key: bindparam(f"v{i}") for i, key in enumerate(keys)})
    parameters = {f"v{i}": values[key] for i, key in enumerate(keys)}
    for i, value in enumerate(state.key[1]):
        parameters[_PK % i] = value
    result = session.connection(bind_arguments={"mapper": mapper}).execute(statement, parameters)
    if result.rowcount != 1:
        raise StaleDataError(f"UPDATE of {mapper.class_.__name__} {state.key[1]} matched {result.rowcount} rows, "
                             "expected 1")


def register(session_target: Any) -> None:
    """Listen on the application's session (idempotent)."""
    if not event.contains(session_target, "before_flush", write_column_changes):
        event.listen(session_target, "before_flush", write_column_changes)
