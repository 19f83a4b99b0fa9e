"""A flush's simple writes in prebuilt plain statements: a changed object's columns in one UPDATE, a
new object's row in one INSERT … RETURNING.

Nearly every write request ends with such objects: the record a process step changed (its status,
its label, a reviewed figure), a new record and its process instance, a ledger entry. The ORM's unit
of work spends ~400–800 Python calls an object on them (dependency sorting, history, the
statement's parameters); a prebuilt statement on the session's connection costs ~100–150. This runs
as the session's ``before_flush`` listener: what it writes it registers with the session as the
flush would (saved; a new object persistent, expunged again if its transaction rolls back), so the
flush that follows has nothing left to do for those objects.

What the ORM does beyond writing values stays with the ORM. A changed object is left to it when a
changed attribute is a relationship, a primary key, an SQL expression or an unloaded (deleted)
value; when its mapper inherits, carries a version counter, has columns that change on update, or
has ``before_update``/``after_update`` listeners (the append-only event tables refuse updates
there); when a changed column is a foreign key and new objects wait to be inserted (their row may
be what it points at). New objects are inserted here only when every one of them can be and no
changed object or deletion is left to the ORM (so its order among them is kept): each must set
only column attributes (no relationship, which the ORM would follow and sync), its mapper must have
the same simplicity and no insert listeners, and a single-column primary key. They go in the order
of their tables' foreign keys, then of their adding, as the ORM orders them. Values follow the
ORM's rules: a None is left out where the column's default or ``none_as_null`` type applies, a
column with no default and no value is given NULL, Python-side defaults are applied by the
statement and read back, server defaults and generated keys come back through RETURNING.

As the ORM does, an UPDATE that matched no row raises ``StaleDataError``; a failed INSERT raises
its ``IntegrityError`` with the object still pending (a savepoint's rollback then expunges it).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, insert
from sqlalchemy.orm import ColumnProperty, Mapper, Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

from . import prebuilt

CONNECTION = "app.connection"  # the session's connection while its outermost transaction lasts (session.info)
_PK = "pk_%d"  # bind names of the primary key's values; the changed values are bound as v0, v1…
_simple: dict[Mapper, bool] = {}
_insertable: dict[Mapper, bool] = {}
_columns: dict[Mapper, dict[str, Any]] = {}  # attribute key -> its column in the mapper's table
_attributes: dict[Mapper, dict[str, str]] = {}  # column key -> attribute key (the reverse)
_updates: dict[tuple[Mapper, tuple[str, ...]], Any] = {}
_inserts: dict[Mapper, Any] = {}
_table_order: dict[Any, int] = {}


def write_plain(session: Session, _flush_context: Any, instances: Any) -> None:
    """``before_flush``: write what is plain (see the module), register it with the session."""
    if instances is not None:
        return
    left_to_orm = bool(session._deleted)
    if session.identity_map._modified:
        left_to_orm |= _write_changes(session)
    if session._new and not left_to_orm:
        _write_new(session)


# -- changed objects ------------------------------------------------------------------------------

def _write_changes(session: Session) -> bool:
    """Write every changed object that only changed column values; True if some are left to the ORM."""
    pending_inserts = bool(session._new)
    left = False
    for state in list(session.identity_map._modified):
        if state.deleted or not state.key or state in session._deleted:
            continue
        values = _changed_columns(state, pending_inserts)
        if values is None:
            left = True
            continue
        if values:
            _update(session, state, values)
        state._commit_all(state.dict, session.identity_map)
        session._register_altered((state,))  # a rollback expires it, as after the ORM's flush
    return left


def _changed_columns(state: Any, pending_inserts: bool) -> dict[str, Any] | None:
    """The changed attributes' new values by attribute key, or None if the ORM must write them."""
    mapper = state.mapper
    if not _mapper_simple(mapper):
        return None
    columns = _columns[mapper]
    values: dict[str, Any] = {}
    dict_ = state.dict
    for key, old in state.committed_state.items():
        column = columns.get(key)
        if column is None or column.primary_key or key not in dict_:
            return None
        new = dict_[key]
        if _is_expression(new):
            return None
        if column.foreign_keys and pending_inserts:
            return None
        if old is not NO_VALUE and column.type.compare_values(old, new):
            continue  # set to what it was: the ORM would not write it either
        values[key] = new
    return values


def _mapper_simple(mapper: Mapper) -> bool:
    simple = _simple.get(mapper)
    if simple is None:
        table = mapper.local_table
        simple = bool(
            mapper.inherits is None and not mapper.polymorphic_map and mapper.version_id_col is None
            and not mapper.dispatch.before_update and not mapper.dispatch.after_update
            and getattr(table, "columns", None) is not None
            and not any(c.onupdate is not None or c.server_onupdate is not None for c in table.columns))
        if simple:
            columns = _columns[mapper] = {
                prop.key: prop.columns[0] for prop in mapper.attrs
                if isinstance(prop, ColumnProperty) and len(prop.columns) == 1 and prop.columns[0].table is table}
            _attributes[mapper] = {column.key: key for key, column in columns.items()}
        _simple[mapper] = simple
    return simple


def column_map(mapper: Mapper) -> dict[str, Any] | None:
    """A simple mapper's attribute keys and their columns in its table (see ``_mapper_simple``); None
    for one whose writes are left to the ORM. ``plain_load`` reads by the same map."""
    return _columns[mapper] if _mapper_simple(mapper) else None


def _is_expression(value: Any) -> bool:
    """An SQL expression assigned to an attribute (``x.n = X.n + 1``): the ORM renders and expires it."""
    return isinstance(value, ClauseElement) or hasattr(value, "__clause_element__")


def _update(session: Session, state: Any, values: dict[str, Any]) -> None:
    mapper = state.mapper
    keys = tuple(values)
    statement = _updates.get((mapper, keys))
    if statement is None:
        table, columns = mapper.local_table, _columns[mapper]
        where = [column == bindparam(_PK % i) for i, column in enumerate(mapper.primary_key)]
        statement = _updates[(mapper, keys)] = table.update().where(*where).values(
            {columns[key].key: bindparam(f"v{i}") for i, key in enumerate(keys)})
    parameters = {f"v{i}": values[key] for i, key in enumerate(keys)}
    for i, value in enumerate(state.key[1]):
        parameters[_PK % i] = value
    result = prebuilt.execute(connection(session, mapper), statement, parameters)
    if result.rowcount != 1:
        raise StaleDataError(f"UPDATE of {mapper.class_.__name__} {state.key[1]} matched {result.rowcount} rows, "
                             "expected 1")


# -- new objects ----------------------------------------------------------------------------------

def _write_new(session: Session) -> None:
    """Insert every new object if each can be (see the module), and make them persistent."""
    planned = []
    for position, state in enumerate(session._new):
        values = _insert_values(state)
        if values is None:
            return  # one the ORM must insert: it inserts them all, in its order
        planned.append((_rank(state.mapper.local_table), position, state, values))
    planned.sort(key=lambda plan: plan[:2])
    for *_order, state, values in planned:
        _insert(session, state, values)
    session._register_persistent({state for _r, _p, state, _v in planned})


def _insert_values(state: Any) -> dict[str, Any] | None:
    """The INSERT's values by column key (as the ORM would send them), or None if the ORM must."""
    mapper = state.mapper
    if not _mapper_insertable(mapper):
        return None
    columns = _columns[mapper]
    values: dict[str, Any] = {}
    for key, value in state.dict.items():
        column = columns.get(key)
        if column is None:
            if key in mapper.attrs:
                return None  # a relationship (or an attribute of no column here) is set
            continue  # not mapped (the instance's state, a plain attribute)
        if _is_expression(value):
            return None
        if value is None and not column.type.should_evaluate_none:
            continue  # the column's default, if it has one, or NULL
        values[column.key] = value
    for column in mapper.local_table.columns:  # no value and no default: NULL, as the ORM sends it
        if (column.key not in values and not column.primary_key and column.default is None
                and column.server_default is None and not column.type.should_evaluate_none):
            values[column.key] = None
    return values


def _mapper_insertable(mapper: Mapper) -> bool:
    insertable = _insertable.get(mapper)
    if insertable is None:
        table = mapper.local_table
        insertable = _insertable[mapper] = bool(
            _mapper_simple(mapper) and not mapper.dispatch.before_insert and not mapper.dispatch.after_insert
            and len(mapper.primary_key) == 1 and not mapper._insert_orm_defaults.get(table)
            and all(prop.key in _columns[mapper] for prop in mapper.column_attrs
                    if prop.columns[0].table is table))
    return insertable


def _insert(session: Session, state: Any, values: dict[str, Any]) -> None:
    mapper = state.mapper
    table = mapper.local_table
    prepared = _inserts.get(mapper)
    if prepared is None:
        returned = [c for c in table.columns if c.primary_key or c.server_default is not None]
        prepared = _inserts[mapper] = (insert(table).returning(*returned), returned)
    statement, returned = prepared
    result = prebuilt.execute(connection(session, mapper), statement, values)
    row = result.one()
    keys = _attributes[mapper]
    sent = result.last_inserted_params()  # the values with the Python-side defaults the statement applied
    dict_ = state.dict
    for column in table.columns:
        if column.default is not None and column.key not in values and column.key in sent:
            dict_[keys[column.key]] = sent[column.key]
    for column, value in zip(returned, row, strict=True):
        dict_[keys[column.key]] = value


def _rank(table: Any) -> int:
    """A table's place in its metadata's foreign-key order (parents before children)."""
    rank = _table_order.get(table)
    if rank is None:
        for i, each in enumerate(table.metadata.sorted_tables):
            _table_order[each] = i
        rank = _table_order.get(table, len(_table_order))
    return rank


def connection(session: Session, mapper: Mapper | None = None) -> Any:
    """The session's connection: the one its outermost transaction began on (``CONNECTION``, kept by
    ``db.py``), or, inside a savepoint, the session's own answer (which emits the SAVEPOINT when the
    savepoint has not used the connection yet: statements sent past it would not roll back with it)."""
    kept = session.info.get(CONNECTION)
    if kept is None or session.in_nested_transaction():
        return session.connection(bind_arguments={"mapper": mapper} if mapper is not None else None)
    return kept


def _remember_connection(session: Session, _transaction: Any, connection: Any) -> None:
    session.info[CONNECTION] = connection


def _forget_connection(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended (a savepoint's end keeps it)
        session.info.pop(CONNECTION, None)


def register(session_target: Any) -> None:
    """Listen on the application's session (idempotent): the plain writes at each flush, and the
    connection kept while the outermost transaction lasts (``connection``)."""
    for name, listener in (("before_flush", write_plain), ("after_begin", _remember_connection),
                           ("after_transaction_end", _forget_connection)):
        if not event.contains(session_target, name, listener):
            event.listen(session_target, name, listener)
