"""Hour-record study: the summary pages of a trainee with ten years of history, among many others.

Per database, from a fresh database with the demo data (``flask db upgrade``, ``flask demo``), the
ledger gets P other people x 10 years x E entries (Core inserts: the study is of reading) and the demo
trainee 张伟 ten years of entries from every source (courses, claims, classes, declarations), about
E a year. Then, in-process through a test client with a bearer token (the whole request: auth,
the service, marshmallow, JSON), each timed N times:

* ``history``: ``GET /api/v1/me/history`` (every year's totals, completion and prints);
* ``hours``: ``GET /api/v1/me/hours`` (学习首页: this year by source and subject);
* ``history page``: the 历史记录 page with one year opened (``/history?year=…``, logged in).

Prints p50 / p95 / max in ms, the CPU per request, and the SQL statements each request runs
(exact). Writes bench/results/history-<db>-<timestamp>.json.
Run:  cd /work/main && . .venv/bin/activate && python bench/history.py [--db sqlite|postgres|both]
          [--people 2000] [--entries 30] [--samples 200]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_history is dropped and recreated.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_history"
YEARS = 10
SOURCES = (("course", "public_industry"), ("course", "professional"), ("claim", "professional"),
           ("postfiling", "professional"), ("declaration", "public_general"))


def fresh(db: str, tmp: Path) -> str:
    if db == "sqlite":
        url = f"sqlite:///{tmp / 'history.db'}"
    else:
        import psycopg
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_history WITH (FORCE)")
            conn.execute("CREATE DATABASE bench_history")
        url = PG_URL
    env = {**os.environ, "APP_SQLALCHEMY_DATABASE_URI": url, "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads")}
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return url


def fill(people: int, entries: int, trainee_id: int, this_year: int) -> int:
    """The ledger rows: ``people`` others and the trainee, ten years of ``entries`` each."""
    from sqlalchemy import insert, select

    from app.clock import utcnow
    from app.extensions import db
    from app.models import HourEntry, User

    hashed = db.session.scalar(select(User.password_hash).limit(1))
    now = utcnow()
    db.session.execute(insert(User), [{"username": f"hist{i:06d}", "password_hash": hashed, "name": f"学员{i}",
                                       "must_change_password": False, "is_active": True, "created_at": now}
                                      for i in range(people)])
    ids = [*db.session.scalars(select(User.id).where(User.username.like("hist%"))), trainee_id]
    rows, source_id, total = [], 10_000_000, 0
    for user_id in ids:
        for year in range(this_year - YEARS + 1, this_year + 1):
            for k in range(entries):
                source, category = SOURCES[k % len(SOURCES)]
                source_id += 1
                rows.append({"user_id": user_id, "year": year, "category": category, "source": source,
                             "source_id": source_id, "route": None, "hours": 1.5, "note": None,
                             "reverses_id": None, "created_at": now})
        if len(rows) >= 20_000:
            db.session.execute(insert(HourEntry), rows)
            total += len(rows)
            rows = []
    if rows:
        db.session.execute(insert(HourEntry), rows)
        total += len(rows)
    db.session.commit()
    return total


def timed(samples: int, send: Any, count: Any) -> dict[str, float]:
    send()  # warm: the first call compiles statements and loads templates
    times, cpu = [], 0.0
    for _ in range(samples):
        c, t = time.process_time(), time.perf_counter()
        response = send()
        times.append(time.perf_counter() - t)
        cpu += time.process_time() - c
        assert response.status_code == 200, response.status_code
    times.sort()
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": times[int(0.95 * len(times)) - 1] * 1000,
            "max_ms": times[-1] * 1000, "cpu_ms": cpu / samples * 1000, "statements": count(send)}


def statements(app: Any) -> Any:
    from sqlalchemy import event

    from app.extensions import db

    def count(send: Any) -> int:
        with app.app_context():
            engine = db.engine
        seen = []

        def hook(*_args: Any) -> None:
            seen.append(1)
        event.listen(engine, "before_cursor_execute", hook)
        try:
            send()
        finally:
            event.remove(engine, "before_cursor_execute", hook)
        return len(seen)
    return count


def study(db: str, people: int, entries: int, samples: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from app import create_app
    from app.clock import today
    from app.extensions import db as sa_db
    from app.models import HourEntry, User
    from tests.support.web import logged_in

    out: dict[str, Any] = {"db": db, "people": people, "entries_per_year": entries}
    with tempfile.TemporaryDirectory(prefix=f"history-{db}-") as tmpdir:
        tmp = Path(tmpdir)
        url = fresh(db, tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE": {"BACKEND": "local",
                                                                      "LOCAL_ROOT": str(tmp / "uploads")}})
        with app.app_context():
            trainee = sa_db.session.scalar(select(User).where(User.id_number == "330106199003070014"))
            began = time.perf_counter()
            out["rows"] = fill(people, entries, trainee.id, today().year)
            out["fill_s"] = time.perf_counter() - began
            out["ledger_rows"] = sa_db.session.scalar(select(func.count(HourEntry.id)))
            username = trainee.username
            sa_db.session.remove()
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"username": username,
                                                        "password": "demo-pass-2024"}).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        count = statements(app)
        out["history"] = timed(samples, lambda: client.get("/api/v1/me/history", headers=headers), count)
        years = client.get("/api/v1/me/history", headers=headers).get_json()["items"]
        out["history"]["years"] = len(years)
        out["hours"] = timed(samples, lambda: client.get("/api/v1/me/hours", headers=headers), count)
        page = logged_in(app, username)
        year = years[-1]["year"]
        out["history_page"] = timed(samples, lambda: page.get(f"/history?year={year}"), count)
        with app.app_context():
            sa_db.session.remove()
            sa_db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=30)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        out = study(db, args.people, args.entries, args.samples)
        stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
        (results_dir / f"history-{db}-{stamp}.json").write_text(json.dumps(out, indent=2, default=str))
        print(f"\n=== hour record, {db}: {out['ledger_rows']:,} ledger rows ({args.people:,} people x {YEARS} years "
              f"x {args.entries}), filled in {out['fill_s']:.1f} s; {args.samples} samples each ===")
        for step in ("history", "hours", "history_page"):
            f = out[step]
            print(f"{step:<13} p50 {f['p50_ms']:6.2f} ms  p95 {f['p95_ms']:6.2f} ms  max {f['max_ms']:6.2f} ms  "
                  f"cpu {f['cpu_ms']:6.2f} ms/request  {f['statements']} statements")


if __name__ == "__main__":
    main()
