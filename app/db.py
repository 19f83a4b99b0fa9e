"""The one transaction boundary.

Every entry point (HTTP request, CLI command, timer job) runs in one database
transaction: services only ``flush()``; this module commits when the entry
point succeeds and rolls back when it fails, so a crash between two steps
leaves the state as before the step.

SQLite: writers are serialised by SQLite itself. To make "lock, re-check, act"
work without snapshot conflicts, a writing request begins its transaction with
``BEGIN IMMEDIATE`` (taking the write lock up front, waiting up to the busy
timeout), while reads use ``BEGIN`` and run concurrently under WAL.
PostgreSQL: READ COMMITTED plus row locks (see ``lock_instance`` in
``services/processes.py``). An API read (GET/HEAD; ``api/v1`` calls
``begin_read_only``) runs its statements in autocommit: under READ COMMITTED
each statement sees its own snapshot anyway, so the BEGIN and COMMIT round
trips bought nothing; ``_refuse_writes`` makes sure such a request cannot write
(it would not be rolled back on failure).
"""
from __future__ import annotations

import contextvars
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

try:  # POSIX only; elsewhere SQLite's busy timeout alone arbitrates writers
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from flask import Flask, Response, current_app, request
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InvalidRequestError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from . import plain_flush, prebuilt
from .errors import Conflict
from .extensions import db
from .i18n import _

log = logging.getLogger(__name__)
T = TypeVar("T")

_sqlite_begin = contextvars.ContextVar("sqlite_begin", default="BEGIN IMMEDIATE")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ConflictError(Exception):
    """Raised when the commit itself hits a conflict (unique key, lock timeout)."""


class ReadOnlyViolation(RuntimeError):
    """A statement that writes was sent on a read request's autocommit connection (a bug)."""


READ_ONLY_OPTION = "app_read_only"  # execution option marking a read request's connection
_READ_VERBS = ("SELECT", "WITH", "SHOW")


def begin_read_only() -> None:
    """Run the current entry point's statements in autocommit, refusing writes (PostgreSQL only).

    Saves the BEGIN and COMMIT round trips of a request that only reads. Does nothing on
    SQLite (whose reads share one WAL snapshot per transaction, at no round-trip cost) or
    when the session is already inside a transaction.
    """
    if db.engine.dialect.name != "postgresql" or db.session().in_transaction():
        return
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READ_ONLY_OPTION: True})


def begin_recording() -> None:
    """A read that must record something after all (an auditor's read of a proof): from here on
    the entry point writes, in a transaction its end commits or rolls back as any other.

    Endpoints known to record on every call are listed up front (``api/v1/context.py``
    ``RECORDING_READS``); this is for a read that finds out on the way (who reads decides). The
    read part wrote nothing, so ending it commits nothing: on PostgreSQL an API read's
    autocommit, write-refusing connection is let go; on SQLite the read's deferred transaction
    ends, so that the write takes the writers' lock up front (``BEGIN IMMEDIATE``) instead of
    failing to upgrade a snapshot another writer has moved past. Objects read before are
    expired and read again when next used. A request that writes anyway is left as it is.
    """
    session = db.session()
    deferred = db.engine.dialect.name == "sqlite" and _sqlite_begin.get() == "BEGIN"
    if session.in_transaction() and (deferred or session.connection().get_execution_options().get(READ_ONLY_OPTION)):
        commit()
    _sqlite_begin.set("BEGIN IMMEDIATE")


def _refuse_writes(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                   executemany: bool) -> None:
    """Refuse DML (as SQLAlchemy compiled it) and any text that does not start like a read."""
    if not conn.get_execution_options().get(READ_ONLY_OPTION):
        return
    dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if dml or not statement.lstrip()[:6].upper().startswith(_READ_VERBS):
        raise ReadOnlyViolation(f"a read-only request tried to write: {statement[:80]!r}")


def execute(statement: Any, values: Any = None) -> Any:
    """Run a plain (Core) statement on the session's connection, without the ORM's autoflush.

    The hot write paths (the runner's save, the event log) write this way: a prebuilt statement
    costs ~100 Python calls where the ORM's unit of work costs ~400 per object. The objects they
    write must then be told (``saved``), or the ORM would write them again. The connection is the
    one the session's transaction began on, kept while it lasts (``Session.connection`` finds it
    again through the session's binds, ~25 calls a statement), except inside a savepoint
    (``plain_flush.connection``).
    """
    return prebuilt.execute(plain_flush.connection(db.session()), statement, values)  # execute_on's, a frame less


def execute_on(session: Any, statement: Any, values: Any = None) -> Any:
    """``execute`` on a session the caller already holds (looking the scoped one up costs ~8 calls)."""
    return prebuilt.execute(plain_flush.connection(session), statement, values)


def read(statement: Any, values: Any = None) -> Any:
    """Plain rows of a (Core) select on the session's connection, what is pending flushed first (as
    the ORM's autoflush would): the ORM's execution path costs ~100 Python calls more a statement."""
    db.session().flush()
    return execute(statement, values)


_BY_ID: dict[tuple[type, bool], Any] = {}


def _by_id_statement(model: type, populate_existing: bool = False) -> Any:
    statement = _BY_ID.get((model, populate_existing))
    if statement is None:
        (key,) = inspect(model).primary_key
        statement = select(model).where(key == bindparam("by_id"))
        if populate_existing:
            statement = statement.execution_options(populate_existing=True)
        _BY_ID[(model, populate_existing)] = statement
    return statement


def by_id(model: type[T], record_id: Any) -> T | None:
    """``db.session.get(model, record_id)`` of an object the session does not hold yet with a statement
    built once per model (``Session.get`` builds its SELECT every time, ~50 Python calls): every
    record's page and answer starts with one. One the session holds is ``Session.get``'s answer."""
    session = db.session()
    if session.identity_map.get(identity_key(model, record_id)) is not None:
        return session.get(model, record_id)
    return session.scalars(_by_id_statement(model), {"by_id": record_id}).first()


def fresh(model: type[T], record_id: Any) -> T | None:
    """The row read again (after its instance's lock): ``by_id``'s statement loading with
    ``populate_existing``, so an object the session holds takes the row's values (``Session.get``
    with ``populate_existing`` builds its statement every time)."""
    return db.session.scalars(_by_id_statement(model, populate_existing=True), {"by_id": record_id}).first()


def reread(obj: T) -> T:
    """``db.session.refresh(obj)`` (every column and relationship loaded with the row read again; lazy
    ones to load again when next used): what it changed is dropped, not flushed, then ``fresh``
    (``Session.refresh`` builds its statement every time, ~110 Python calls more)."""
    (record_id,) = inspect(obj).identity
    db.session.expire(obj)
    found = fresh(type(obj), record_id)
    if found is None:
        raise InvalidRequestError(f"Could not refresh instance {obj!r}: its row is gone")
    return found


def saved(obj: Any, values: dict[str, Any]) -> None:
    """Tell the ORM that ``obj``'s attributes now hold ``values`` in the database (written by
    ``execute``): they read back as such and are not written again at the flush."""
    for key, value in values.items():
        set_committed_value(obj, key, value)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has committed (e.g. delete a blob)."""
    db.session.info.setdefault("after_commit", []).append(callback)


def persist_even_if_refused() -> None:
    """Commit this entry point's writes even if it answers 4xx (e.g. a failed login's record)."""
    db.session.info["persist_on_error"] = True


def on_rollback(callback: Callable[[], None]) -> None:
    """Run ``callback`` if the current transaction is rolled back (e.g. remove a stored blob)."""
    db.session.info.setdefault("on_rollback", []).append(callback)


def _run(key: str) -> None:
    for callback in db.session.info.pop(key, []):
        try:
            callback()
        except Exception:  # a failed clean-up must not turn the outcome into an error
            log.exception("%s callback failed", key)


def commit() -> None:
    """Commit the entry point's transaction; raise ConflictError on a conflict."""
    try:
        db.session.commit()
    except (IntegrityError, OperationalError) as exc:
        rollback()
        raise ConflictError(str(exc.orig)) from exc
    db.session.info.pop("on_rollback", None)
    _run("after_commit")


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop("after_commit", None)
    _run("on_rollback")


@contextmanager
def read_only() -> Iterator[None]:
    """A command or job that only reads: on SQLite it must not take the write lock.

    Without this a long check (audit verify, consistency) would hold SQLite's
    write lock, and every web request that writes would queue behind it.
    """
    token = _sqlite_begin.set("BEGIN")
    try:
        yield
    finally:
        rollback()
        _sqlite_begin.reset(token)


@contextmanager
def transaction() -> Iterator[None]:
    """One unit of work for CLI commands, jobs and tests."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def transactional(func: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with transaction():
            return func(*args, **kwargs)
    return wrapper


@contextmanager
def savepoint() -> Iterator[None]:
    """A nested unit (one item of a batch): rolled back alone on error."""
    nested = db.session.begin_nested()
    try:
        yield
    except BaseException:
        if nested.is_active:
            nested.rollback()
        # the ORM expires only the objects it saw change; the hot writes go through ``execute``
        # (plain statements) and mark their objects saved, so forget every loaded value
        db.session.expire_all()
        raise
    if nested.is_active:
        nested.commit()


class WriterQueue:
    """Queue SQLite writers on an advisory file lock before ``BEGIN IMMEDIATE``.

    Without it, writers that find the database locked sit in SQLite's busy
    handler, which polls with sleeps of up to 100 ms and favours no one: under
    load some requests starve for a second or more. ``flock`` waits in the
    kernel and wakes a waiter as soon as the lock is free, across gunicorn
    workers and threads alike (each thread locks through its own descriptor).
    """

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()

    def _fd(self) -> int:
        fd = getattr(self._local, "fd", None)
        if fd is None:
            fd = self._local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return fd

    def acquire(self) -> None:
        if not getattr(self._local, "held", False):
            fcntl.flock(self._fd(), fcntl.LOCK_EX)
            self._local.held = True

    def release(self) -> None:
        if getattr(self._local, "held", False):
            self._local.held = False
            fcntl.flock(self._fd(), fcntl.LOCK_UN)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    database = engine.url.database
    queue = WriterQueue(database + ".writers") if fcntl and database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = _sqlite_begin.get()
        if queue is not None and mode == "BEGIN IMMEDIATE":
            queue.acquire()
        try:
            connection.exec_driver_sql(mode)
        except BaseException:
            if queue is not None:
                queue.release()
            raise

    if queue is not None:
        @event.listens_for(engine, "commit")
        def _on_commit(connection: Any) -> None:
            queue.release()

        @event.listens_for(engine, "rollback")
        def _on_rollback(connection: Any) -> None:
            queue.release()


def init_app(app: Flask) -> None:
    plain_flush.register(db.session)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        elif engine.dialect.name == "postgresql":
            event.listen(engine, "before_cursor_execute", _refuse_writes)

    @app.before_request
    def _choose_begin_mode() -> None:
        _sqlite_begin.set("BEGIN" if request.method in READ_METHODS else "BEGIN IMMEDIATE")

    @app.after_request
    def _finish(response: Response) -> Response:
        persist = db.session.info.pop("persist_on_error", False)
        if response.status_code >= 500 or (response.status_code >= 400 and not persist):
            rollback()
            return response
        try:
            commit()
        except ConflictError:  # answered as any refusal is (the API's JSON, a page's message)
            refusal = Conflict(_("Someone changed this at the same time; reload and try again."), code="conflict")
            return current_app.make_response(current_app.handle_user_exception(refusal))
        return response

    @app.teardown_request
    def _teardown(exc: BaseException | None) -> None:
        if exc is not None:
            rollback()

