"""Where a request's time goes: per operation, in-process, without HTTP or other processes.

Runs claim lifecycles through the Flask test client on a fresh SQLite file (or the
PostgreSQL URL given) and prints, per operation: median time, SQL statements, Python
function calls (a steady proxy for CPU on a noisy machine), and with ``--profile OP`` the
pyinstrument call tree of that operation.

    python bench/hotpaths.py [--lifecycles 60] [--db URL] [--profile complete] [--packages]

``--packages`` adds, per operation, the share of Python time (cProfile's own time) spent in
each package: the app, SQLAlchemy, SpiffWorkflow, werkzeug, psycopg...
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

OPS = ("create", "submit", "inbox", "complete", "detail")
ROUTES = [("training", {"days": 1}), ("exam", {"subjects_passed": 1}), ("degree_course", {"courses_passed": 1})]
TRAINEES = ("330106199003070014", "330106198511220029")


def build_app(url: str):
    os.environ["APP_SQLALCHEMY_DATABASE_URI"] = url
    from flask_migrate import upgrade

    from app import create_app
    from app.cli.demo import load_demo
    from app.db import transaction
    from app.extensions import db

    # no proof needed to submit: the review steps are what is timed (as in bench/claims.py)
    app = create_app({"AUTH": {"PASSWORD_METHOD": "pbkdf2:sha256:1000"}, "CLAIMS": {"MIN_PROOFS": 0}})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(directory=str(ROOT / "migrations"))
        with transaction():
            load_demo()
    return app


class Runner:
    def __init__(self, app):
        from app.extensions import db

        self.client = app.test_client()
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

    def call(self, op: str, method: str, path: str, user: str, **kwargs):
        headers = self.tokens[user]
        self.statements = 0
        tree = self.tree if op == self.profiled else None  # one profiler at a time: they share the hook
        counter = None if tree else cProfile.Profile()
        started = time.perf_counter()
        (tree or counter).start() if tree else counter.enable()
        response = self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)
        tree.stop() if tree else counter.disable()
        elapsed = time.perf_counter() - started
        assert response.status_code < 300, (op, response.get_json())
        self.times[op].append(elapsed * 1000)
        self.sql[op].append(self.statements)
        self.calls[op].append(pstats.Stats(counter).total_calls if counter else 0)
        if counter and self.by_package is not None:
            shares = self.by_package.setdefault(op, defaultdict(float))
            for where, (_cc, _nc, own, _cum, _callers) in pstats.Stats(counter).stats.items():
                shares[package(where[0])] += own
        return response.get_json()

    def lifecycle(self, i: int) -> None:
        trainee = TRAINEES[i % 2]
        route, details = ROUTES[(i // 2) % 3]
        claim = self.call("create", "POST", "/claims", trainee, json={
            "year": date.today().year, "route": route, "title": "profile", "details": details,
            "hours_requested": 0.1})
        self.call("submit", "POST", f"/claims/{claim['id']}/submit", trainee)
        for reviewer in ("unit_reviewer", "authority_reviewer"):
            items = self.call("inbox", "GET", "/tasks?per_page=100", reviewer)["items"]
            task = next(t for t in items if t["process"] == "credit_claim" and t["record"]["id"] == claim["id"])
            self.call("complete", "POST", f"/tasks/{task['id']}/complete", reviewer,
                      json={"decision": "approve", "hours": 0.1})
        self.call("detail", "GET", f"/claims/{claim['id']}", trainee)


def package(filename: str) -> str:
    """Which package a profiled function belongs to: an installed one, the app, or the stdlib."""
    found = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if found:
        return found.group(1)
    for mine in ("app/", "workflows/"):
        if f"{ROOT}/{mine}" in filename:
            return mine.rstrip("/")
    return "built-ins" if filename.startswith(("~", "<")) else "stdlib"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=60)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--profile", choices=OPS, help="print the pyinstrument tree of this operation")
    parser.add_argument("--packages", action="store_true", help="print each package's share of the time")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    app = build_app(url)
    runner = Runner(app)
    for i in range(10):  # warm up: parsing, compiled-statement caches, connections
        runner.lifecycle(i)
    runner.times.clear(), runner.sql.clear(), runner.calls.clear()
    if args.packages:
        runner.by_package = {}
    if args.profile:
        from pyinstrument import Profiler

        runner.profiled, runner.tree = args.profile, Profiler(interval=0.0002)
    for i in range(args.lifecycles):
        runner.lifecycle(10 + i)
    print(f"{'operation':<10}{'n':>5}{'p50 ms':>9}{'SQL':>6}{'py calls':>10}   ({url.split(':')[0]})")
    for op in OPS:
        print(f"{op:<10}{len(runner.times[op]):>5}{statistics.median(runner.times[op]):>9.2f}"
              f"{statistics.median(runner.sql[op]):>6.0f}{statistics.median(runner.calls[op]):>10.0f}")
    for op, shares in (runner.by_package or {}).items():
        total = sum(shares.values()) or 1.0
        top = sorted(shares.items(), key=lambda item: -item[1])[:6]
        print(f"{op:<10}" + ", ".join(f"{name} {100 * own / total:.0f} %" for name, own in top))
    if runner.tree is not None:
        print(runner.tree.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
