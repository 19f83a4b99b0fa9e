"""The study clock under load: N learners each sending a heartbeat every 30 s (seed 000 §3), compressed.

500 learners beating every 30 s are ~17 heartbeats a second. To measure that without waiting
minutes per round, the app's clock (``app.clock.CLOCK``, the one every rule reads) runs
``--speedup`` times faster than the wall clock for this process: one 30-second interval passes
in 30/speedup real seconds. Each learner's beats are spread across the interval (learner i beats
at i·30/N s into it) and W client threads send them, each one waiting until the app's clock
reaches the beat's moment; so the server sees about 30 s between two beats of a learner and
counts them, as it does in production (it stays the only judge of time: a beat that arrives late
is still capped by ``MAX_BEAT_GAP_SECONDS``, one sent early would count less).

Everything runs in one process through the Flask test client (no HTTP, no gunicorn: the clock
can only be sped up in-process), on a fresh SQLite file or a PostgreSQL database (dropped and
recreated: ``--db postgresql+psycopg://postgres@127.0.0.1:5432/<yours>``). Setup: the schema by
the migrations, one category, one 10-hour course, N trainees (rows inserted directly), each with
the course in 我的课程, an API token and an open study session.

It prints per heartbeat: p50/p95/p99 latency (wall time of the request in the test client), the
CPU this process spent per beat (``time.process_time`` over the run: app and test client, every
thread) and, on PostgreSQL, the CPU of the database backends serving it (psutil on their pids),
how late beats were sent against their schedule, and checks that every beat was accepted and
counted ~30 s. No assertions: it reports figures (exit 1 only if a beat was refused).

    python bench/heartbeats.py [--learners 500] [--rounds 6] [--speedup 10] [--threads 8] \
        [--db sqlite|postgresql+psycopg://postgres@127.0.0.1:5432/bench_heartbeats_x]

Start with the default speedup; if "late" grows round after round the machine cannot carry
learners x speedup / 30 beats per second and the figures are those of an overloaded server:
lower --speedup.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INTERVAL = 30.0  # seconds between two beats of a learner (HEARTBEAT_SECONDS)


def build_app(url: str, threads: int):
    os.environ["APP_SQLALCHEMY_DATABASE_URI"] = url
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    # a pool as large as the client threads: no connection is opened or closed while timing (and
    # the PostgreSQL backends measured stay the same processes)
    app = create_app({"COURSES": {"HEARTBEAT_SECONDS": int(INTERVAL), "MAX_BEAT_GAP_SECONDS": 60,
                                  "IDLE_SECONDS": 600},
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800, "pool_size": threads + 2}})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(directory=str(ROOT / "migrations"))
    return app


def make_learners(app, n: int) -> tuple[int, list[tuple[str, str]]]:
    """One course and N trainees studying it: [(token, session)], the course id."""
    from app.courses import service
    from app.courses.models import Course, CourseCategory, MyCourse
    from app.db import transaction
    from app.extensions import db
    from app.models import User
    from app.services import accounts
    from app.services.actors import Actor

    with app.app_context(), transaction():
        category = CourseCategory(name="专业科目", subject="professional", position=1)
        db.session.add(category)
        db.session.flush()
        course = Course(category_id=category.id, title="压测课程", kind="video", duration_seconds=36000,
                        hours=10, subject="professional", active=True)
        db.session.add(course)
        db.session.flush()
        users = [User(username=f"9{i:017d}", name=f"学员{i}", id_number=f"9{i:017d}", password_hash="!")  # noqa: S106 - no login
                 for i in range(n)]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all([MyCourse(user_id=u.id, course_id=course.id) for u in users])
        db.session.flush()
        out = []
        for user in users:
            token = accounts.issue_token(user)
            out.append((token, service.start(Actor.of(user), course.id)["session"]))
        return course.id, out


def speed_up(speedup: float) -> tuple[datetime, float]:
    """Make the app's clock run ``speedup`` times faster than the wall clock, from now."""
    from app.clock import CLOCK

    base, t0 = datetime.now(UTC), time.monotonic()
    CLOCK.now = lambda: base + timedelta(seconds=(time.monotonic() - t0) * speedup)  # type: ignore[method-assign]
    return base, t0


def pg_backends(app) -> list:
    """The PostgreSQL backend processes serving this app's connections (on this machine)."""
    import psutil

    from app.extensions import db
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return []
        name = db.engine.url.database
        with db.engine.connect() as conn:
            pids = [row[0] for row in conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.Error:
            continue
    return procs


def cpu_of(procs: list) -> float:
    import psutil

    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # a backend that ended counts nothing more
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def run(args: argparse.Namespace, url: str, label: str) -> None:
    app = build_app(url, args.threads)
    course_id, learners = make_learners(app, args.learners)
    n = len(learners)
    schedule = [(r * INTERVAL + (i + 1) * INTERVAL / n, i, r + 1) for r in range(args.rounds) for i in range(n)]
    schedule.sort()
    lock = threading.Lock()
    cursor = iter(schedule)
    times_ms: list[float] = []
    late_s: list[float] = []
    counted: list[int] = []
    errors: list[str] = []
    path = f"/api/v1/me/courses/{course_id}/heartbeat"

    # open the pool's connections before timing, so the backends can be found and measured
    with app.app_context():
        from contextlib import ExitStack

        from app.extensions import db
        with ExitStack() as stack:
            for _ in range(args.threads + 2):
                stack.enter_context(db.engine.connect())
    base, t0 = speed_up(args.speedup)
    from app.clock import CLOCK

    def worker() -> None:
        client = app.test_client()
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                return
            at, learner, seq = item
            due = base + timedelta(seconds=at)
            wait = (due - CLOCK.now()).total_seconds() / args.speedup
            if wait > 0:
                time.sleep(wait)
            late = (CLOCK.now() - due).total_seconds()
            token, session = learners[learner]
            started = time.perf_counter()
            response = client.post(path, json={"session": session, "seq": seq},
                                   headers={"Authorization": f"Bearer {token}"})
            ms = (time.perf_counter() - started) * 1000
            with lock:
                times_ms.append(ms)
                late_s.append(late)
                if response.status_code == 200:
                    if seq > 1:
                        counted.append(response.get_json()["counted_seconds"])
                else:
                    errors.append(f"{response.status_code} {response.get_data(as_text=True)[:200]}")

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    backends = pg_backends(app)
    pg0 = cpu_of(backends)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    backends = backends + [p for p in pg_backends(app) if p.pid not in {b.pid for b in backends}]
    pg = cpu_of(backends) - pg0
    beats = len(times_ms)
    q = statistics.quantiles(times_ms, n=100)
    print(f"\n== {label}: {n} learners x {args.rounds} rounds = {beats} heartbeats, "
          f"{args.threads} threads, clock x{args.speedup:g} "
          f"({n * args.speedup / INTERVAL:.0f} beats/s offered, {beats / wall:.0f}/s done, {wall:.1f} s)")
    print(f"   latency ms: p50 {q[49]:.2f}  p95 {q[94]:.2f}  p99 {q[98]:.2f}  max {max(times_ms):.2f}")
    print(f"   CPU per heartbeat: this process (app + test client) {cpu / beats * 1000:.2f} ms"
          + (f", PostgreSQL backends {pg / beats * 1000:.2f} ms ({len(backends)} backends)" if backends else ""))
    print(f"   late against schedule (app clock s): p50 {statistics.median(late_s):.2f}  "
          f"p95 {statistics.quantiles(late_s, n=20)[18]:.2f}  max {max(late_s):.2f}")
    if counted:
        print(f"   counted per beat (s): min {min(counted)}  median {statistics.median(counted)}  max {max(counted)}")
    print(f"   refused: {len(errors)}" + (f" e.g. {errors[0]}" if errors else ""))
    CLOCK.reset()
    if errors:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL (its schema is dropped)")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--speedup", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-heartbeats-") as tmp:
            run(args, f"sqlite:///{tmp}/bench.db", "SQLite")
    else:
        run(args, args.db, "PostgreSQL")


if __name__ == "__main__":
    main()
