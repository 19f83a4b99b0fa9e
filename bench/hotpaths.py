"""Where a request's time goes: per operation, in-process, without HTTP or other processes.

Runs lifecycles of credit claims, staff transfers and provider pre-training filings
(``bench/hotpaths_lifecycles.py``) through the Flask test client on a fresh SQLite file (or
the PostgreSQL URL given) and prints, per process and operation: median time, SQL statements,
Python function calls (a steady proxy for CPU on a noisy machine), and with ``--profile OP``
the pyinstrument call tree of that operation.

    python bench/hotpaths.py [--lifecycles 60] [--process claim|transfer|prefiling|all] [--db URL]
                             [--server-only] [--profile complete] [--packages]

``--server-only`` measures only the application's side of each request: the WSGI environ is
built beforehand (werkzeug's ``EnvironBuilder``), and only ``app(environ, start_response)``,
its body joined and closed, is timed, counted and profiled, without the test client's own calls.

``--packages`` adds, per operation, the share of Python time (cProfile's own time) spent in
each package: the app, SQLAlchemy, SpiffWorkflow, werkzeug, psycopg...
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.hotpaths_lifecycles import LIFECYCLES, TRAINEES  # noqa: E402

OPS = ("create", "submit", "inbox", "complete", "detail")


def build_app(url: str):
    os.environ["APP_SQLALCHEMY_DATABASE_URI"] = url
    from flask_migrate import upgrade

    from app import create_app
    from app.cli.demo import load_demo
    from app.db import transaction
    from app.extensions import db

    # no proof needed to submit: the review steps are what is timed (as in bench/claims.py); nor the
    # filing's three named attachments (its stamped form still is, uploaded untimed)
    app = create_app({"AUTH": {"PASSWORD_METHOD": "pbkdf2:sha256:1000"}, "CLAIMS": {"MIN_PROOFS": 0},
                      "PROVIDER_FILINGS": {"PREFILING_REQUIRED_FILES": []},
                      "STORAGE": {"BACKEND": "local", "LOCAL_ROOT": tempfile.mkdtemp(prefix="hotpaths-files-")}})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(directory=str(ROOT / "migrations"))
        with transaction():
            load_demo()
    return app


class Runner:
    def __init__(self, app, server_only: bool = False):
        from app.extensions import db

        self.app, self.server_only = app, server_only
        self.client = app.test_client()
        self.units: dict[str, int] = {}
        self.statements = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)
        self.tokens = {u: self._login(u) for u in (*TRAINEES, "unit_reviewer", "authority_reviewer")}
        self.times: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, list[int]] = defaultdict(list)
        self.calls: dict[str, list[int]] = defaultdict(list)
        self.profiled: str | None = None
        self.tree = None
        self.by_package: dict[str, dict[str, float]] | None = None

    def _count(self, *args) -> None:
        self.statements += 1

    def _login(self, username: str) -> dict[str, str]:
        token = self.client.post("/api/v1/auth/token", json={"username": username,
                                                              "password": "demo-pass-2024"}).get_json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    def headers(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            self.tokens[user] = self._login(user)
        return self.tokens[user]

    def plain(self, method: str, path: str, user: str, **kwargs):
        """A request neither timed nor counted (what a lifecycle needs between its operations)."""
        response = self.client.open("/api/v1" + path, method=method, headers=self.headers(user), **kwargs)
        assert response.status_code < 300, (path, response.get_json())
        return response.get_json()

    def call(self, op: str, method: str, path: str, user: str, **kwargs):
        headers = self.headers(user)
        environ = None
        if self.server_only:  # built before the clock starts: only the app's side is measured
            from werkzeug.test import EnvironBuilder

            environ = EnvironBuilder(path="/api/v1" + path, method=method, headers=headers, **kwargs).get_environ()
        self.statements = 0
        tree = self.tree if op == self.profiled else None  # one profiler at a time: they share the hook
        counter = None if tree else cProfile.Profile()
        started = time.perf_counter()
        (tree or counter).start() if tree else counter.enable()
        if environ is None:
            response = self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)
        else:
            status, body = self._serve(environ)
        tree.stop() if tree else counter.disable()
        elapsed = time.perf_counter() - started
        if environ is None:
            status, body = response.status_code, response.get_json()
        else:
            body = json.loads(body) if body else None
        assert status < 300, (op, body)
        self.times[op].append(elapsed * 1000)
        self.sql[op].append(self.statements)
        self.calls[op].append(pstats.Stats(counter).total_calls if counter else 0)
        if counter and self.by_package is not None:
            shares = self.by_package.setdefault(op, defaultdict(float))
            for where, (_cc, _nc, own, _cum, _callers) in pstats.Stats(counter).stats.items():
                shares[package(where[0])] += own
        return body

    def _serve(self, environ: dict) -> tuple[int, bytes]:
        """The WSGI call itself: the app, its body joined and its iterable closed."""
        status: list[str] = []

        def start_response(line: str, headers: list, exc_info=None):
            status.append(line)
            return lambda data: None

        iterable = self.app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return int(status[0].split(" ", 1)[0]), body

    def reset(self) -> None:
        self.times.clear(), self.sql.clear(), self.calls.clear()
        if self.by_package is not None:
            self.by_package = {}


def package(filename: str) -> str:
    """Which package a profiled function belongs to: an installed one, the app, or the stdlib."""
    found = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if found:
        return found.group(1)
    for mine in ("app/", "workflows/"):
        if f"{ROOT}/{mine}" in filename:
            return mine.rstrip("/")
    return "built-ins" if filename.startswith(("~", "<")) else "stdlib"


def report(runner: Runner, process: str, url: str) -> None:
    mode = "server only: app(environ, start_response)" if runner.server_only else "through the test client"
    print(f"\n{process}: {mode}")
    print(f"{'operation':<10}{'n':>5}{'p50 ms':>9}{'SQL':>6}{'py calls':>10}   ({url.split(':')[0]})")
    for op in (*OPS, *sorted(set(runner.times) - set(OPS))):
        if not runner.times[op]:
            print(f"{op:<10}{0:>5}{'-':>9}{'-':>6}{'-':>10}")
            continue
        print(f"{op:<10}{len(runner.times[op]):>5}{statistics.median(runner.times[op]):>9.2f}"
              f"{statistics.median(runner.sql[op]):>6.0f}{statistics.median(runner.calls[op]):>10.0f}")
    for op, shares in (runner.by_package or {}).items():
        total = sum(shares.values()) or 1.0
        top = sorted(shares.items(), key=lambda item: -item[1])[:6]
        print(f"{op:<10}" + ", ".join(f"{name} {100 * own / total:.0f} %" for name, own in top))
    if runner.tree is not None:
        print(runner.tree.output_text(unicode=True, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=60)
    parser.add_argument("--process", choices=(*LIFECYCLES, "all"), default="all",
                        help="which process's lifecycles to run (default: each in turn, claims first)")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--server-only", action="store_true",
                        help="measure only app(environ, start_response), not the test client's side")
    parser.add_argument("--profile", choices=(*OPS, "stamp"), help="print the pyinstrument tree of this operation")
    parser.add_argument("--packages", action="store_true", help="print each package's share of the time")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    app = build_app(url)
    runner = Runner(app, server_only=args.server_only)
    print(f"mode: {'--server-only (the app alone)' if args.server_only else 'Flask test client (default)'}; "
          f"{args.lifecycles} lifecycles per process after 10 to warm up")
    for process, lifecycle in LIFECYCLES.items():
        if args.process not in (process, "all"):
            continue
        runner.by_package = None
        runner.profiled, runner.tree = None, None
        for i in range(10):  # warm up: parsing, compiled-statement caches, connections
            lifecycle(runner, i)
        runner.reset()
        if args.packages:
            runner.by_package = {}
        if args.profile:
            from pyinstrument import Profiler

            runner.profiled, runner.tree = args.profile, Profiler(interval=0.0002)
        for i in range(args.lifecycles):
            lifecycle(runner, 10 + i)
        report(runner, process, url)


if __name__ == "__main__":
    main()
