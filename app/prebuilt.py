"""Statements built once, run on a connection without ``Connection.execute``'s work around each run.

A write request runs ten to twenty statements, most of them built once (the runner's lock, its saves,
the event log, the plain flush's writes). ``Connection.execute`` spends ~28 Python calls on each
before it reaches the execution itself: it dispatches the ``before_execute`` and ``after_execute``
events (asked whenever the engine has any listener, as ours always does), merges the execution
options, and looks the compiled form up in the engine's cache by the statement's cache key. Here
the compiled form SQLAlchemy found for a statement (with its cache key's parameters) is kept on the
statement object itself, for its life, per set of value names and per dialect, and the execution
goes straight to ``Connection._execute_context`` as ``Connection._execute_clauseelement`` would send
it. Everything from there on is SQLAlchemy's own: the execution context, the parameters' type
processing, ``before_cursor_execute`` and ``after_cursor_execute`` (which the read-only guard and the
statement counts rest on), the result.

SQLAlchemy's path is taken instead when the kept form cannot be: ``before_execute`` or
``after_execute`` listeners on the engine or on every engine (they would not be heard; the app has
none, and attaches no listener to a single connection), two or more rows of values (executemany), the
compiled cache switched off or a schema translation, a statement with no ``__dict__``. A copy made
by a generative method (``.where``, ``.add_columns``) carries the dictionary of its original but
not its identity, and so compiles its own. ``tests/integration/test_prebuilt.py`` holds answers,
rows, keys and events equal to ``Connection.execute``'s.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql import compiler

_KEPT = "_app_prebuilt"  # on the statement: (its id, its dialect, {value names: compiled form})


def execute(connection: Connection, statement: Any, values: dict[str, Any] | None = None) -> Any:
    """``connection.execute(statement, values)``, the compiled form kept on the statement."""
    if isinstance(values, list | tuple) and len(values) == 1 and isinstance(values[0], dict):
        values = values[0]  # one row of values: SQLAlchemy too runs it as a single execution
    if (values is not None and not isinstance(values, dict)) or _heard(connection.engine.dispatch):
        return connection.execute(statement, values)
    options = statement._execution_options.merge_with(connection._execution_options)
    found = _compiled(connection, statement, values, options)
    if found is None:
        return connection.execute(statement, values)
    parameters = [values] if values else []
    dialect = connection.dialect
    compiled, extracted, collected = found
    return connection._execute_context(dialect, dialect.execution_ctx_cls._init_compiled, compiled, parameters,
                                       options, compiled, parameters, statement, extracted,
                                       cache_hit=dialect.CACHE_HIT, param_dict=collected)


def _heard(events: Any) -> bool:
    """Whether the engine (or every engine) has ``before_execute`` or ``after_execute`` listeners: read off
    the listener collections' own attributes, which costs no call (their truth value costs ~5)."""
    before, after = events.before_execute, events.after_execute
    return bool(before.listeners or before.parent_listeners or after.listeners or after.parent_listeners)


def _compiled(connection: Connection, statement: Any, values: dict[str, Any] | None, options: Any) -> Any:
    """The statement's compiled form for these value names, found once as SQLAlchemy finds it."""
    attributes = getattr(statement, "__dict__", None)
    if attributes is None or options.get("schema_translate_map"):
        return None
    dialect, keys = connection.dialect, tuple(sorted(values)) if values else ()
    kept = attributes.get(_KEPT)
    if kept is None or kept[0] != id(statement) or kept[1] is not dialect:
        kept = attributes[_KEPT] = (id(statement), dialect, {})
    found = kept[2].get(keys)
    if found is None:
        cache = options.get("compiled_cache", connection.engine._compiled_cache)
        if cache is None:
            return None
        compiled, extracted, collected, _hit = statement._compile_w_cache(
            dialect=dialect, compiled_cache=cache, column_keys=list(keys), for_executemany=False,
            schema_translate_map=None, linting=dialect.compiler_linting | compiler.WARN_LINTING)
        found = kept[2][keys] = (compiled, extracted, collected)
    return found
