"""Growth study: does per-request cost grow with the history and the open work in the database?

    python bench/growth.py [--db postgres|sqlite] [--steps 10000:1000,100000:10000,1000000:100000]
                           [--samples 150] [--sendback 0,50,300] [--fresh] [--plot-only FILE ...]

For each step N:M the same database is grown (``bench/bulk_load.py``, which only adds what is
missing) to N finished claims and M open tasks, then a real gunicorn server (1 worker, 1 thread,
the repo's gunicorn.conf.py) is started and one client times, over HTTP, interleaved:

* ``inbox``: GET /tasks?per_page=20 as ``unit_reviewer`` (first page of an inbox holding
  10 % of the open tasks, so it grows with M);
* ``detail``: GET /claims/<id> (with its flow log) of a random claim of that unit, finished or open;
* ``create`` and ``submit``: POST /claims and POST /claims/<id>/submit as trainee 张伟;
* ``complete``: POST /tasks/<id>/complete (unit approve) of a random task in that inbox.

After the HTTP samples it replays one request of each kind in-process, captures the SQL the app
runs and EXPLAIN ANALYZEs every SELECT/UPDATE of it on the grown database (statement counts and
plans go to the JSON).

Then, on the same database (``--sendback``), K claims are sent back R times: each round the unit
approves (a task completion, timed), the authority returns it, the trainee edits it and resubmits.
At 0, 50 and 300 rounds: the next completion, claim detail and inbox, and the stored size of the
instance's serialized engine state.

Prints a table (medians of p50/p95 in ms per step, largest/smallest ratios) and writes
``bench/results/growth-<db>-<timestamp>.json`` (git-ignored) and ``docs/img/growth.png``.
``--plot-only a.json [b.json]`` redraws the table and plot from saved results (a later file's
step replaces an earlier one's).

PostgreSQL: 127.0.0.1:5432, user postgres, trust auth, database ``bench_growth`` (``--fresh``
drops it first). SQLite: ``instance/bench_growth.db``. Before measuring it waits (up to
``--max-wait`` s) for the 1-minute load average to fall below ``--max-load`` and records it.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bulk_load  # noqa: E402
from claims import BENCH_ENV, BIN, ROOT, ApiError, Client, Recorder, login_all, stats, wait_until_up  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_growth"
SQLITE_PATH = ROOT / "instance" / "bench_growth.db"
TRAINEE, REVIEWER, AUTHORITY = "330106199003070014", "unit_reviewer", "authority_reviewer"
OPS = ("inbox", "complete", "detail", "create", "submit")
FLAT_OPS = ("inbox", "complete", "detail")  # the acceptance criterion: within 2x
ROUTES = ["training", "exam", "degree_course", "seminar", "research", "paper"]
DETAILS = {"training": {"days": 1}, "exam": {"subjects_passed": 1}, "degree_course": {"courses_passed": 1},
           "seminar": {"level": "city"}, "research": {"level": "city", "rank": 1},
           "paper": {"journal": "other", "rank": 1, "count": 1}}
PLOT = ROOT / "docs" / "img" / "growth.png"


# -- database helpers (outside the timed requests) ---------------------------------------------

class Db:
    """Direct reads of the benchmark database: ids to act on, sizes, plans."""

    def __init__(self, url: str):
        self.url = url
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg
            self.conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
        else:
            import sqlite3
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql.replace("?", "%s") if self.pg else sql, params).fetchall())

    def value(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.rows(sql, params)[0][0]

    scalar = value  # what bulk_load.counts() calls

    def measured_unit(self) -> int:
        return self.value("SELECT org_id FROM role_assignment ra JOIN app_user u ON u.id = ra.user_id "
                          "WHERE u.username = ? AND ra.role = 'reviewer'", (REVIEWER,))

    def open_tasks(self, unit: int) -> list[int]:
        return [r[0] for r in self.rows("SELECT task_id FROM task_candidate WHERE org_id = ? AND "
                                         "role = 'reviewer' AND status = 'open'", (unit,))]

    def open_task_of(self, claim_id: int) -> int:
        return self.value("SELECT id FROM human_task WHERE record_type = 'claim' AND record_id = ? "
                          "AND status = 'open' ORDER BY id DESC", (claim_id,))

    def state_size(self, claim_id: int) -> tuple[int, int]:
        """(bytes of the serialized engine state, events in the log) of a claim's instance."""
        return self.rows("SELECT length(p.state), (SELECT count(*) FROM process_event e WHERE "
                         "e.instance_id = p.id) FROM process_instance p JOIN claim c ON c.instance_id = p.id "
                         "WHERE c.id = ?", (claim_id,))[0]

    def size(self) -> dict[str, Any]:
        if not self.pg:
            path = Path(self.url.removeprefix("sqlite:///"))
            return {"database_bytes": path.stat().st_size}
        tables = {name: size for name, size in self.rows(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND "
            "relnamespace = 'public'::regnamespace ORDER BY 2 DESC")}
        return {"database_bytes": self.value("SELECT pg_database_size(current_database())"), "tables": tables}

    def close(self) -> None:
        self.conn.close()


# -- the server ------------------------------------------------------------------------------

class Server:
    def __init__(self, url: str, tmp: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.log = tmp / "gunicorn.log"
        env = {**os.environ, **BENCH_ENV, "APP_SQLALCHEMY_DATABASE_URI": url,
               "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads")}
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "1", "--threads", "1",
                 "--bind", f"127.0.0.1:{self.port}", "app:create_app()"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(self.base, self.proc, self.log)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_for_quiet(max_load: float, max_wait: float) -> list[float]:
    """Wait until the 1-minute load average is below ``max_load`` (at most ``max_wait`` s)."""
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= max_load and time.monotonic() < deadline:
        time.sleep(10)
    return [round(x, 2) for x in os.getloadavg()]


# -- one step --------------------------------------------------------------------------------

class Ops:
    """The measured requests; each returns after recording its latency under its kind."""

    def __init__(self, client: Client, db: Db, unit: int, rng: random.Random):
        self.c, self.db, self.unit, self.rng = client, db, unit, rng
        self.year = datetime.date.today().year
        self.n = 0
        self.pool: list[int] = []
        self.claims = [r[0] for r in db.rows("SELECT id FROM claim WHERE unit_id = ? AND deleted_at IS NULL "
                                             "ORDER BY random() LIMIT 5000", (unit,))]

    def inbox(self, kind: str = "inbox") -> dict[str, Any]:
        return self.c.call(kind, REVIEWER, "GET", "/tasks", params={"per_page": 20})

    def detail(self, claim_id: int | None = None, kind: str = "detail", user: str = REVIEWER) -> Any:
        claim_id = claim_id or self.rng.choice(self.claims)
        return self.c.call(kind, user, "GET", f"/claims/{claim_id}")

    def create_submit(self, prefix: str = "") -> int:
        route = ROUTES[self.n % len(ROUTES)]
        self.n += 1
        claim = self.c.call(prefix + "create", TRAINEE, "POST", "/claims", json={
            "year": self.year, "route": route, "title": f"growth {self.n}", "details": DETAILS[route],
            "hours_requested": 0.1})
        self.c.call(prefix + "submit", TRAINEE, "POST", f"/claims/{claim['id']}/submit")
        return claim["id"]

    def complete(self) -> None:
        if not self.pool:
            self.pool = self.db.open_tasks(self.unit)
            self.rng.shuffle(self.pool)
        self.c.call("complete", REVIEWER, "POST", f"/tasks/{self.pool.pop()}/complete",
                    json={"decision": "approve"})


def measure(server: Server, db: Db, samples: int, warmup: int, seed: int) -> dict[str, Any]:
    tokens = login_all(server.base)
    warm, rec = Recorder(), Recorder()
    rng = random.Random(seed)
    unit = db.measured_unit()
    for recorder, rounds in ((warm, warmup), (rec, samples)):
        ops = Ops(Client(server.base, tokens, recorder), db, unit, rng)
        for _ in range(rounds):
            try:  # interleaved, so that noise hits every operation alike
                ops.inbox()
                ops.detail()
                ops.create_submit()
                ops.complete()
            except ApiError:
                pass
    inbox = Client(server.base, tokens, Recorder()).call("setup", REVIEWER, "GET", "/tasks", params={"per_page": 1})
    return {"ops": {k: stats(rec.times[k]) for k in OPS}, "errors": rec.errors + warm.errors,
            "inbox_total": inbox["total"], "inbox_total_capped": inbox.get("total_capped"), "tokens": tokens}


def explain(url: str, tokens: dict[str, str], db: Db) -> dict[str, Any]:
    """Replay one request per operation in-process, capture its SQL and EXPLAIN ANALYZE it."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db as sa

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMS": {"MIN_PROOFS": 0}})  # as its server (BENCH_ENV)
    client = app.test_client()
    captured: list[tuple[str, Any]] = []
    unit = db.measured_unit()
    year = datetime.date.today().year
    with app.app_context():
        engine = sa.engine
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, statement, params, ctx, many: captured.append((statement, params)))

    def run(method: str, path: str, user: str, **kwargs: Any) -> Any:
        captured.clear()
        response = client.open("/api/v1" + path, method=method,
                               headers={"Authorization": f"Bearer {tokens[user]}"}, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json(), list(captured)

    claim_id = random.Random(7).choice([r[0] for r in db.rows(
        "SELECT id FROM claim WHERE unit_id = ? AND status = 'approved' LIMIT 200", (unit,))])
    task_id = db.open_tasks(unit)[0]
    requests = {}
    requests["inbox"] = run("GET", "/tasks?per_page=20", REVIEWER)[1]
    requests["detail"] = run("GET", f"/claims/{claim_id}", REVIEWER)[1]
    requests["complete"] = run("POST", f"/tasks/{task_id}/complete", REVIEWER, json={"decision": "approve"})[1]
    created, requests["create"] = run("POST", "/claims", TRAINEE, json={
        "year": year, "route": "training", "title": "growth explain", "details": {"days": 1}, "hours_requested": 0.1})
    requests["submit"] = run("POST", f"/claims/{created['id']}/submit", TRAINEE)[1]
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for op, statements in requests.items():
            plans = []
            for statement, params in statements:
                verb = statement.lstrip().split(None, 1)[0].upper()
                if verb not in ("SELECT", "UPDATE", "WITH"):
                    plans.append({"sql": statement[:200], "ms": None, "plan": None})
                    continue
                plans.append(_plan(raw, db.pg, statement, params))
            timed = [p["ms"] for p in plans if p["ms"] is not None]
            out[op] = {"statements": len(statements), "explained_ms_total": round(sum(timed), 3) if db.pg else None,
                       "slowest_ms": max(timed) if timed and db.pg else None, "plans": plans}
    engine.dispose()
    return out


def _plan(raw: Any, pg: bool, statement: str, params: Any) -> dict[str, Any]:
    cursor = raw.cursor()
    try:
        if pg:  # in a transaction rolled back at once: an UPDATE explained changes nothing
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            lines = [r[0] for r in cursor.fetchall()]
            raw.rollback()
            ms = next((float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution Time")),
                      None)
            return {"sql": " ".join(statement.split())[:400], "ms": ms, "plan": lines}
        cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
        return {"sql": " ".join(statement.split())[:400], "ms": None, "plan": [str(r[-1]) for r in cursor.fetchall()]}
    finally:
        cursor.close()


def run_step(url: str, finished: int, open_tasks: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    print(f"\n=== step: {finished:,} finished claims, {open_tasks:,} open tasks ===", flush=True)
    loaded = None if args.no_load else bulk_load.load(url, finished, open_tasks, measured_share=args.measured_share,
                                                      seed=args.seed)
    db = Db(url)
    size = db.size()
    counts = bulk_load.counts(db, db.measured_unit())
    load_before = wait_for_quiet(args.max_load, args.max_wait)
    server = Server(url, tmp)
    try:
        measured = measure(server, db, args.samples, args.warmup, args.seed)
    finally:
        server.stop()
    load_after = [round(x, 2) for x in os.getloadavg()]
    plans = explain(url, measured.pop("tokens"), db) if args.explain else {}
    db.close()
    step = {"finished": finished, "open": open_tasks, "counts": counts, "size": size, "load": loaded,
            "loadavg_before": load_before, "loadavg_after": load_after, **measured, "explain": plans}
    print_step(step)
    return step


# -- send-backs ----------------------------------------------------------------------------------

def sendback(url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    checkpoints = sorted(args.sendback)
    window, k = args.sendback_window, args.sendback_claims
    last = checkpoints[-1] + window
    print(f"\n=== send-backs: {k} claims, rounds 0..{last} ===", flush=True)
    db = Db(url)
    wait_for_quiet(args.max_load, args.max_wait)
    server = Server(url, tmp)
    try:
        tokens = login_all(server.base)
        rec = Recorder()
        client = Client(server.base, tokens, rec)
        ops = Ops(client, db, db.measured_unit(), random.Random(args.seed))
        claims = [ops.create_submit(prefix="sb_") for _ in range(k)]
        per_round: dict[str, list[list[float]]] = {"complete": [], "return": [], "resubmit": []}
        points = {}
        for r in range(last + 1):
            if r in checkpoints:
                reads = Recorder()
                reader = Client(server.base, tokens, reads)
                for _ in range(args.sendback_reads):
                    for claim_id in claims:
                        reader.call("detail", TRAINEE, "GET", f"/claims/{claim_id}")
                    reader.call("inbox", REVIEWER, "GET", "/tasks", params={"per_page": 20})
                sizes = [db.state_size(c) for c in claims]
                log = reader.call("log", TRAINEE, "GET", f"/claims/{claims[0]}")
                points[r] = {"detail": stats(reads.times["detail"]), "inbox": stats(reads.times["inbox"]),
                             "state_bytes": [s[0] for s in sizes], "events": [s[1] for s in sizes],
                             "log_entries_shown": len(log["log"]), "log_more": log["log_more"]}
                print(f"  after {r} send-backs: state {sizes[0][0]} bytes, {sizes[0][1]} events, detail p50 "
                      f"{points[r]['detail']['p50']:.1f} ms, inbox p50 {points[r]['inbox']['p50']:.1f} ms", flush=True)
            if r == last:
                break
            times: dict[str, list[float]] = {"complete": [], "return": [], "resubmit": []}
            for claim_id in claims:
                for kind, user, body in (("complete", REVIEWER, {"decision": "approve"}),
                                         ("return", AUTHORITY, {"decision": "return", "comment": "请补充证明材料"})):
                    before = len(rec.times[kind])
                    client.call(kind, user, "POST", f"/tasks/{db.open_task_of(claim_id)}/complete", json=body)
                    times[kind].append(rec.times[kind][before])
                client.call("edit", TRAINEE, "PATCH", f"/claims/{claim_id}", json={"title": f"growth send-back {r}"})
                before = len(rec.times["resubmit"])
                client.call("resubmit", TRAINEE, "POST", f"/claims/{claim_id}/submit")
                times["resubmit"].append(rec.times["resubmit"][before])
            for kind in per_round:
                per_round[kind].append(times[kind])
        for r, point in points.items():
            for kind in per_round:  # "the next" operation: rounds r .. r+window-1, every claim
                values = [v for rnd in per_round[kind][r:r + window] for v in rnd]
                point[f"next_{kind}"] = stats(values)
        result = {"claims": k, "window": window, "points": {str(r): p for r, p in points.items()},
                  "errors": rec.errors}
    finally:
        server.stop()
        db.close()
    return result


# -- reporting -----------------------------------------------------------------------------------

def print_step(step: dict[str, Any]) -> None:
    c = step["counts"]
    print(f"database: {c['finished_claims']:,} finished claims, {c['instances']:,} instances, {c['open_tasks']:,} "
          f"open tasks ({c['measured_inbox']:,} for {REVIEWER}), {c['events']:,} events, "
          f"{step['size']['database_bytes'] / 2**30:.2f} GiB; load average {step['loadavg_before']} -> "
          f"{step['loadavg_after']}")
    for op in OPS:
        s = step["ops"][op]
        plan = step["explain"].get(op, {})
        extra = f"  SQL {plan['statements']}, explained {plan['explained_ms_total']} ms" if plan else ""
        if s["count"]:
            print(f"  {op:<9} n={s['count']:<4} p50 {s['p50']:7.2f} ms  p95 {s['p95']:7.2f} ms{extra}")
    for error in step["errors"][:5]:
        print("  error:", error)


def table(steps: list[dict[str, Any]], sb: dict[str, Any] | None) -> str:
    lines = ["| finished / open | " + " | ".join(f"{op} p50 / p95" for op in OPS) + " |",
             "|---|" + "---:|" * len(OPS)]
    for step in steps:
        cells = [f"{step['ops'][op]['p50']:.1f} / {step['ops'][op]['p95']:.1f}" for op in OPS]
        lines.append(f"| {step['finished']:,} / {step['open']:,} | " + " | ".join(cells) + " |")
    if len(steps) > 1:
        ratios = [f"{steps[-1]['ops'][op]['p50'] / steps[0]['ops'][op]['p50']:.2f}× / "
                  f"{steps[-1]['ops'][op]['p95'] / steps[0]['ops'][op]['p95']:.2f}×" for op in OPS]
        lines.append("| largest ÷ smallest | " + " | ".join(ratios) + " |")
    if sb:
        lines += ["", "| send-backs | next complete p50 / p95 | detail p50 / p95 | inbox p50 / p95 | "
                      "state bytes | events |", "|---:|---:|---:|---:|---:|---:|"]
        for r, p in sb["points"].items():
            lines.append(f"| {r} | {p['next_complete']['p50']:.1f} / {p['next_complete']['p95']:.1f} | "
                         f"{p['detail']['p50']:.1f} / {p['detail']['p95']:.1f} | "
                         f"{p['inbox']['p50']:.1f} / {p['inbox']['p95']:.1f} | {max(p['state_bytes']):,} | "
                         f"{max(p['events']):,} |")
    return "\n".join(lines)


def plot(steps: list[dict[str, Any]], sb: dict[str, Any] | None, path: Path, db: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    xs = [s["finished"] for s in steps]
    labels = {"inbox": "inbox list", "complete": "task completion", "detail": "claim detail",
              "create": "create", "submit": "submit"}
    for op in OPS:
        line = left.plot(xs, [s["ops"][op]["p50"] for s in steps], marker="o", label=f"{labels[op]} p50")[0]
        left.plot(xs, [s["ops"][op]["p95"] for s in steps], linestyle=":", color=line.get_color(), alpha=0.7)
    left.set_xscale("log")
    left.set_xticks(xs, [f"{s['finished']:,}\n{s['open']:,} open" for s in steps])
    left.minorticks_off()
    left.set_xlabel("finished claims in the database / open tasks")
    left.set_ylabel("ms (solid p50, dotted p95)")
    left.set_ylim(bottom=0)
    left.set_title(f"Per-request time as the database grows ({db}, gunicorn 1 worker)")
    left.legend(fontsize=8, loc="upper left")
    left.grid(alpha=0.3)
    if sb:
        rounds = list(sb["points"])
        pos = list(range(len(rounds)))
        for key, label in (("next_complete", "next completion"), ("detail", "claim detail"), ("inbox", "inbox list")):
            right.plot(pos, [sb["points"][r][key]["p50"] for r in rounds], marker="o", label=f"{label} p50")
        right.set_xticks(pos, [f"{r}\n{max(sb['points'][r]['state_bytes']) / 1024:.1f} KiB state" for r in rounds])
        right.set_xlabel("times sent back (size of the stored engine state)")
        right.set_ylabel("ms")
        right.set_ylim(bottom=0)
        right.set_title("One claim sent back again and again")
        right.legend(fontsize=8)
        right.grid(alpha=0.3)
    else:
        right.set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def merge(files: list[Path]) -> dict[str, Any]:
    """Steps and send-backs of several result files; a later file's step replaces an earlier one."""
    steps: dict[tuple[int, int], dict[str, Any]] = {}
    merged: dict[str, Any] = {"sendback": None, "sources": [str(f) for f in files]}
    for f in files:
        data = json.loads(f.read_text())
        for step in data["steps"]:
            steps[(step["finished"], step["open"])] = step
        merged["sendback"] = data.get("sendback") or merged["sendback"]
        merged["db"] = data["db"]
    merged["steps"] = [steps[k] for k in sorted(steps)]
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--steps", default="10000:1000,100000:10000,1000000:100000",
                        help="finished:open targets, grown in order")
    parser.add_argument("--samples", type=int, default=150, help="timed rounds per step (each op once a round)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--measured-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sendback", default="0,50,300", help="checkpoints (rounds); empty: skip")
    parser.add_argument("--sendback-claims", type=int, default=3)
    parser.add_argument("--sendback-window", type=int, default=10, help="rounds timed after each checkpoint")
    parser.add_argument("--sendback-reads", type=int, default=20, help="detail/inbox reads per checkpoint")
    parser.add_argument("--database", default="bench_growth", help="PostgreSQL database (bench_growth*)")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--no-load", action="store_true", help="measure the database as it is")
    parser.add_argument("--no-explain", dest="explain", action="store_false")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=float, default=300)
    parser.add_argument("--plot-only", nargs="+", type=Path, metavar="FILE")
    args = parser.parse_args()
    args.sendback = [int(x) for x in args.sendback.split(",") if x.strip()]
    if args.plot_only:
        merged = merge(args.plot_only)
        print(table(merged["steps"], merged["sendback"]))
        plot(merged["steps"], merged["sendback"], PLOT, merged["db"])
        print(f"plot written to {PLOT.relative_to(ROOT)}")
        return
    if not args.database.startswith("bench_growth"):
        parser.error("--database must start with bench_growth")
    url = f"{PG_URL.rsplit('/', 1)[0]}/{args.database}" if args.db == "postgres" else f"sqlite:///{SQLITE_PATH}"
    if args.fresh:
        if args.db == "postgres":
            import psycopg
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm", ".writers"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = out / f"growth-{args.db}-{stamp}.json"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    result: dict[str, Any] = {"db": args.db, "commit": commit, "args": {k: str(v) for k, v in vars(args).items()},
                              "machine": machine(), "steps": [], "sendback": None}
    with tempfile.TemporaryDirectory(prefix="growth-") as tmpdir:
        for spec in args.steps.split(","):
            finished, open_tasks = (int(x) for x in spec.split(":"))
            result["steps"].append(run_step(url, finished, open_tasks, args, Path(tmpdir)))
            path.write_text(json.dumps(result, indent=1, default=str))
        if args.sendback:
            result["sendback"] = sendback(url, args, Path(tmpdir))
            path.write_text(json.dumps(result, indent=1, default=str))
    print()
    print(table(result["steps"], result["sendback"]))
    print(f"results written to {path.relative_to(ROOT)}")
    if result["steps"]:
        plot(result["steps"], result["sendback"], PLOT, args.db)
        print(f"plot written to {PLOT.relative_to(ROOT)}")


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
        info["memory_gib"] = round(int(meminfo[1]) / 2**20, 1)
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                           if line.startswith("model name"))
    except (OSError, StopIteration, IndexError, ValueError):
        pass
    return info


if __name__ == "__main__":
    main()
