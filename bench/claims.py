"""Claim-lifecycle benchmark against a real gunicorn server, on SQLite and/or PostgreSQL.

Per database, from a fresh database with the demo data:

* Floor: F authenticated GET /me, one at a time, with the CPU they cost: what every request
  pays before doing anything of its own.
* Phase 1 (lifecycles): C client threads run N complete credit-claim lifecycles over the
  JSON API: create-and-start (POST /claims), submit, unit review and authority review (each:
  find the task with GET /tasks?process=credit_claim&per_page=100, time a plain inbox page
  GET /tasks?per_page=20, complete it), claim detail (status must be "approved"). Prints
  wall time, lifecycles/s, count/p50/p95/p99 per operation kind, p50s against a peer, and
  the CPU per lifecycle spent by the app, PostgreSQL and the load generator (``CpuMeter``).
* Phase 2 (inbox size): K more claims are created and submitted (they wait for
  unit_reviewer), then 200 sequential GET /tasks?per_page=20 and ?per_page=100 are timed.

Claims use 0.1 h over 3 trainees x 3 routes, so the 36 h/route/year cap allows ~3000
lifecycles. No assertions: it prints figures and writes bench/results/claims-<db>-<ts>.json.
Run:  cd /work/main && . .venv/bin/activate && python bench/claims.py \
          [--db sqlite|postgres|both] [--claims N] [--workers W] [--concurrency C] [--inbox-size K]
          [--batch B] [--floor F]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_ce is dropped and recreated.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import socket
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "demo-pass-2024"  # noqa: S105 - the demo accounts' documented password
UNIT_REVIEWER = {"330106199003070014": "unit_reviewer", "330106198511220029": "unit_reviewer",
                 "330102199204150031": "unit_reviewer_b"}
TRAINEES = list(UNIT_REVIEWER)
ROUTES = [("training", {"days": 1}), ("exam", {"subjects_passed": 1}),
          ("degree_course", {"courses_passed": 1})]
USERS = TRAINEES + ["unit_reviewer", "unit_reviewer_b", "authority_reviewer"]
PEER_P50_MS = {"complete": 93.0, "create": 112.0, "inbox_list": 35.0}
KINDS = ["create", "submit", "inbox_find", "inbox_list", "complete", "claim_detail"]
# The benchmarks time the review steps, as they did before claims needed a proof: their servers
# let a claim be submitted without one (uploads are timed by the upload tests, not here).
BENCH_ENV = {"APP_CLAIMS__MIN_PROOFS": "0"}
PG_ADMIN, PG_BASE = ("postgresql://postgres@127.0.0.1:5432/test",
                     "postgresql+psycopg://postgres@127.0.0.1:5432/")


class ApiError(Exception):
    """A non-2xx answer (already recorded as an error)."""


class Recorder:
    """Latencies (ms) per operation kind and the errors seen, shared by all threads."""

    def __init__(self) -> None:
        self.lock, self.errors = threading.Lock(), []  # type: ignore[var-annotated]
        self.times: dict[str, list[float]] = defaultdict(list)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.times[kind].append(ms)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Client:
    """One thread's HTTP client: a keep-alive session, shared bearer tokens."""

    def __init__(self, base: str, tokens: dict[str, str], rec: Recorder):
        self.base, self.tokens, self.rec, self.http = base, tokens, rec, requests.Session()

    def call(self, kind: str, user: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        timeout = kwargs.pop("timeout", 120)
        start = time.perf_counter()
        response = self.http.request(method, self.base + path, headers=headers, timeout=timeout, **kwargs)
        self.rec.add(kind, (time.perf_counter() - start) * 1000)
        if not 200 <= response.status_code < 300:
            self.rec.error(f"{kind} {method} {path} as {user}: HTTP {response.status_code} "
                           f"{response.text[:300]}")
            raise ApiError(path)
        return response.json() if response.content else None

    def new_claim(self, i: int, trainee: str, year: int) -> int:
        """Create-and-start a 0.1 h claim, then submit it to the unit's review."""
        route, details = ROUTES[(i // len(TRAINEES)) % len(ROUTES)]
        claim = self.call("create", trainee, "POST", "/claims", json={
            "year": year, "route": route, "title": f"bench {i}", "details": details, "hours_requested": 0.1})
        self.call("submit", trainee, "POST", f"/claims/{claim['id']}/submit")
        return claim["id"]

    def find_task(self, user: str, claim_id: int) -> int:
        page = 1
        while True:
            body = self.call("inbox_find", user, "GET", "/tasks",
                             params={"process": "credit_claim", "per_page": 100, "page": page})
            for item in body["items"]:
                if item["record"] == {"type": "claim", "id": claim_id}:
                    return item["id"]
            if page * 100 >= body["total"]:
                self.rec.error(f"{user} has no open task for claim {claim_id}")
                raise ApiError(claim_id)
            page += 1

    def review(self, user: str, claim_id: int) -> None:
        task_id = self.find_task(user, claim_id)
        self.call("inbox_list", user, "GET", "/tasks", params={"per_page": 20})
        self.call("complete", user, "POST", f"/tasks/{task_id}/complete",
                  json={"decision": "approve", "hours": 0.1})

    def lifecycle(self, i: int, year: int) -> None:
        trainee = TRAINEES[i % len(TRAINEES)]
        claim_id = self.new_claim(i, trainee, year)
        self.review(UNIT_REVIEWER[trainee], claim_id)
        self.review("authority_reviewer", claim_id)
        detail = self.call("claim_detail", trainee, "GET", f"/claims/{claim_id}")
        if detail["status"] != "approved":
            self.rec.error(f"claim {claim_id}: status {detail['status']!r}, expected 'approved'")


class CpuMeter:
    """CPU seconds (user + system) spent during a phase by the app server, PostgreSQL and this client.

    The app is gunicorn's master and its workers; PostgreSQL is every ``postgres`` process on the
    host (backends, WAL writer, checkpointer); the client is this process (the load generator's
    threads). A process that starts during the phase counts in full; one that ends during it is
    lost, which pooled connections and long-lived workers make rare.
    """

    def __init__(self, server_pid: int):
        self.server = psutil.Process(server_pid)

    def _processes(self) -> dict[str, list[psutil.Process]]:
        postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
        return {"app": [self.server, *self.server.children(recursive=True)], "postgres": postgres}

    def _sample(self) -> dict[str, dict[int, float]]:
        sample: dict[str, dict[int, float]] = {}
        for part, processes in self._processes().items():
            sample[part] = {}
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    sample[part][process.pid] = times.user + times.system
        return sample

    def __enter__(self) -> CpuMeter:
        self.before, self.client_before = self._sample(), time.process_time()
        self.seconds: dict[str, float] = {}
        return self

    def __exit__(self, *exc: object) -> None:
        after, client = self._sample(), time.process_time()
        for part, now in after.items():
            self.seconds[part] = sum(cpu - self.before[part].get(pid, 0.0) for pid, cpu in now.items())
        self.seconds["client"] = client - self.client_before


def cpu_report(seconds: dict[str, float], lifecycles: int, wall: float) -> dict[str, Any]:
    """CPU per lifecycle by part, how full the machine was, and what one core of server can carry."""
    per = {part: 1000 * s / max(lifecycles, 1) for part, s in seconds.items()}
    server_ms = per.get("app", 0.0) + per.get("postgres", 0.0)
    return {"cpu_s": seconds, "ms_per_lifecycle": per, "server_ms_per_lifecycle": server_ms,
            "machine_busy": sum(seconds.values()) / (wall * (os.cpu_count() or 1)),
            "lifecycles_per_server_core": 1000 / server_ms if server_ms else None,
            "server_cores_for_200": 200 * server_ms / 1000}


def run_threads(count: int, concurrency: int, work: Any, base: str, tokens: dict[str, str],
                rec: Recorder) -> tuple[float, int]:
    """Run work(client, i) for i in range(count) on `concurrency` threads; (wall s, successes)."""
    next_index, lock, done = iter(range(count)), threading.Lock(), []  # type: ignore[var-annotated]

    def worker() -> None:
        client = Client(base, tokens, rec)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            try:
                work(client, i)
                done.append(i)
            except ApiError:  # already recorded
                pass
            except Exception as exc:  # connection errors and the like
                rec.error(f"item {i}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, len(done)


def stats(values: list[float]) -> dict[str, float]:
    """count, mean, max and nearest-rank p50/p95/p99 (ms)."""
    s = sorted(values)
    if not s:
        return {"count": 0}
    pct = {f"p{p}": s[max(0, math.ceil(p / 100 * len(s)) - 1)] for p in (50, 95, 99)}
    return {"count": len(s), **pct, "mean": sum(s) / len(s), "max": s[-1]}


def fresh_database(db: str, tmp: Path, name: str = "bench_ce") -> str:
    """A new empty database: a SQLite file in ``tmp``, or PostgreSQL ``name`` dropped and recreated."""
    if db == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_BASE + name


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            requests.get(base + "/me", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def login_all(base: str) -> dict[str, str]:
    tokens = {}
    for user in USERS:  # once per user: password hashing is deliberately slow
        r = requests.post(base + "/auth/token", json={"username": user, "password": PASSWORD}, timeout=60)
        r.raise_for_status()
        tokens[user] = r.json()["access_token"]
    return tokens


def phase2(base: str, tokens: dict[str, str], args: argparse.Namespace, year: int) -> dict[str, Any]:
    rec = Recorder()
    unit1 = [t for t in TRAINEES if UNIT_REVIEWER[t] == "unit_reviewer"]
    offset = args.claims  # keep claim titles/routes distinct from phase 1
    run_threads(args.inbox_size, args.concurrency,
                lambda c, i: c.new_claim(offset + i, unit1[i % len(unit1)], year), base, tokens, rec)
    client = Client(base, tokens, rec)
    waiting = client.call("setup", "unit_reviewer", "GET", "/tasks", params={"per_page": 1})["total"]
    for per_page in (20, 100):
        for _ in range(200):
            client.call(f"inbox_{per_page}", "unit_reviewer", "GET", "/tasks", params={"per_page": per_page})
    return {"waiting_tasks": waiting, "errors": rec.errors,
            "inbox_20": stats(rec.times["inbox_20"]), "inbox_100": stats(rec.times["inbox_100"])}


def phase3(base: str, tokens: dict[str, str], args: argparse.Namespace, year: int) -> dict[str, Any]:
    """Batch approval: N waiting tasks approved by one POST /tasks/batch."""
    rec = Recorder()
    client = Client(base, tokens, rec)
    unit1 = [t for t in TRAINEES if UNIT_REVIEWER[t] == "unit_reviewer"]
    waiting = client.call("setup", "unit_reviewer", "GET", "/tasks", params={"per_page": 1})["total"]
    offset = args.claims + args.inbox_size
    missing = max(0, args.batch - waiting)
    run_threads(missing, args.concurrency,
                lambda c, i: c.new_claim(offset + i, unit1[i % len(unit1)], year), base, tokens, rec)
    ids: list[int] = []
    page = 1
    while len(ids) < args.batch:
        body = client.call("setup", "unit_reviewer", "GET", "/tasks",
                           params={"process": "credit_claim", "per_page": 100, "page": page})
        ids += [item["id"] for item in body["items"]]
        if not body["items"]:
            break
        page += 1
    ids = ids[:args.batch]
    started = time.perf_counter()
    body = client.call("batch", "unit_reviewer", "POST", "/tasks/batch",
                       json={"task_ids": ids, "decision": "approve"}, timeout=600)
    seconds = time.perf_counter() - started
    return {"tasks": len(ids), "seconds": seconds, "per_task_ms": seconds * 1000 / max(len(ids), 1),
            "succeeded": body["succeeded"] if body else 0, "errors": rec.errors}


class Served(NamedTuple):
    base: str  # the API's base URL
    env: dict[str, str]  # the server's environment, for CLI commands against the same database
    pid: int  # gunicorn's master process


@contextlib.contextmanager
def served(db: str, workers: int, threads: int = 1, database: str = "bench_ce",
           setup: tuple[tuple[str, ...], ...] = ()) -> Iterator[Served]:
    """A fresh database with the demo data (plus ``flask`` setup commands) behind gunicorn.

    The server is stopped with SIGTERM on the way out.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-{db}-") as tmpdir:
        tmp = Path(tmpdir)
        env = {**os.environ, **BENCH_ENV, "APP_SQLALCHEMY_DATABASE_URI": fresh_database(db, tmp, database),
               "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads"), "APP_SECRET_KEY": "bench-" + "x" * 24}
        for command in (("db", "upgrade"), ("demo",), *setup):
            flask(env, *command)
        with socket.socket() as sock:  # a free port
            sock.bind(("127.0.0.1", 0))
            port, log = sock.getsockname()[1], tmp / "gunicorn.log"
        base = f"http://127.0.0.1:{port}/api/v1"
        with log.open("w") as log_fh:  # the repo's gunicorn.conf.py: gthread workers, warm-up
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers",
                 str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
                 "app:create_app()"], cwd=ROOT, env=env, stdout=log_fh, stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, server, log)
            yield Served(base, env, server.pid)
        finally:
            server.terminate()  # SIGTERM: gunicorn stops its workers gracefully
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def flask(env: dict[str, str], *command: str) -> str:
    """Run ``flask --app app <command>`` against the bench database; its output."""
    done = subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def lifecycles(server: Served, tokens: dict[str, str], claims: int, concurrency: int, year: int) -> dict[str, Any]:
    """Phase 1: N complete lifecycles from C client threads, with the CPU each part spent."""
    rec = Recorder()
    with CpuMeter(server.pid) as cpu:
        wall, done = run_threads(claims, concurrency, lambda c, i: c.lifecycle(i, year), server.base, tokens, rec)
    return {"claims": claims, "concurrency": concurrency, "wall_s": wall, "completed": done,
            "lifecycles_per_s": done / wall, "errors": rec.errors, "ops": {k: stats(rec.times[k]) for k in KINDS},
            "cpu": cpu_report(cpu.seconds, done, wall)}


def floor(server: Served, tokens: dict[str, str], count: int) -> dict[str, Any]:
    """The cost of an authenticated request that does almost nothing (GET /me), one at a time.

    What every request of a lifecycle pays before any work of its own: HTTP on both sides,
    routing, the token lookup, a small JSON answer. Run before phase 1, on the warm server.
    """
    rec = Recorder()
    client = Client(server.base, tokens, rec)
    for _ in range(50):
        client.call("warm", "unit_reviewer", "GET", "/me")
    with CpuMeter(server.pid) as cpu:
        for _ in range(count):
            client.call("me", "unit_reviewer", "GET", "/me")
    return {"requests": count, "latency": stats(rec.times["me"]), "errors": rec.errors,
            "cpu_ms_per_request": {part: 1000 * s / count for part, s in cpu.seconds.items()}}


def run_db(db: str, args: argparse.Namespace) -> dict[str, Any]:
    year = datetime.date.today().year
    with served(db, args.workers, args.threads) as server:
        base = server.base
        tokens = login_all(base)
        floor_result = floor(server, tokens, args.floor) if args.floor else None
        result = {"db": db, "workers": args.workers, "threads": args.threads,
                  **lifecycles(server, tokens, args.claims, args.concurrency, year)}
        if floor_result:
            result["floor"] = floor_result
        if args.inbox_size:
            result["inbox_size"] = phase2(base, tokens, args, year)
        if args.batch:
            result["batch"] = phase3(base, tokens, args, year)
        return result


def report(r: dict[str, Any]) -> None:
    print(f"\n=== {r['db']} @ {r['commit']}: {r['claims']} lifecycles, {r['workers']} gunicorn "
          f"workers, {r['concurrency']} client threads ===")
    print(f"wall {r['wall_s']:.2f} s, {r['completed']} complete lifecycles, "
          f"{r['lifecycles_per_s']:.2f} lifecycles/s, {len(r['errors'])} errors")
    print(f"{'operation':<14}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind, s in r["ops"].items():
        if s["count"]:
            print(f"{kind:<14}{s['count']:>7}{s['p50']:>10.1f}{s['p95']:>10.1f}{s['p99']:>10.1f}")
    print(f"{'vs peer (p50)':<14}{'peer ms':>10}{'aim ms':>10}{'ours ms':>10}{'ours/peer':>11}")
    for kind, peer in PEER_P50_MS.items():
        ours = r["ops"][kind].get("p50", float("nan"))
        print(f"{kind:<14}{peer:>10.1f}{peer / 10:>10.1f}{ours:>10.1f}{ours / peer:>11.2f}")
    cpu = r["cpu"]
    per = cpu["ms_per_lifecycle"]
    print(f"CPU per lifecycle: app {per['app']:.1f} ms, PostgreSQL {per['postgres']:.1f} ms, "
          f"load generator {per['client']:.1f} ms; machine {100 * cpu['machine_busy']:.0f} % busy")
    if cpu["lifecycles_per_server_core"]:
        print(f"  server (app + PostgreSQL) {cpu['server_ms_per_lifecycle']:.1f} ms per lifecycle: "
              f"{cpu['lifecycles_per_server_core']:.0f} lifecycles/s per core; 200/s needs "
              f"~{cpu['server_cores_for_200']:.1f} cores")
    if r.get("floor"):
        fl, cpu_fl = r["floor"], r["floor"]["cpu_ms_per_request"]
        print(f"floor (GET /me, one at a time): p50 {fl['latency']['p50']:.2f} ms; CPU per request: "
              f"app {cpu_fl['app']:.2f} ms, PostgreSQL {cpu_fl['postgres']:.2f} ms, "
              f"load generator {cpu_fl['client']:.2f} ms")
    inbox = r.get("inbox_size") or {"errors": [], "waiting_tasks": None}
    if inbox["waiting_tasks"] is not None:
        print(f"inbox size: {inbox['waiting_tasks']} tasks waiting for unit_reviewer")
        for key in ("inbox_20", "inbox_100"):
            if inbox[key]["count"]:
                print(f"  GET /tasks?per_page={key[6:]:<4} n={inbox[key]['count']} "
                      f"p50 {inbox[key]['p50']:.1f} ms, p95 {inbox[key]['p95']:.1f} ms")
    batch = r.get("batch")
    if batch:
        print(f"batch approval: {batch['succeeded']}/{batch['tasks']} tasks in {batch['seconds']:.2f} s "
              f"({batch['per_task_ms']:.1f} ms per task)")
    for message in r["errors"][:10] + inbox["errors"][:5] + (batch or {}).get("errors", [])[:5]:
        print("  error:", message)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--inbox-size", type=int, default=200, help="0 skips phase 2")
    parser.add_argument("--batch", type=int, default=1000, help="tasks approved in one batch call; 0 skips")
    parser.add_argument("--floor", type=int, default=500, help="GET /me requests timed first; 0 skips")
    args = parser.parse_args()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()  # the app code changes often: say which
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        result = {**run_db(db, args), "commit": commit}
        report(result)
        path = out / f"claims-{db}-{stamp}.json"
        path.write_text(json.dumps(result, indent=2))
        print(f"results written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
