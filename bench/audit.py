"""Audit study: the audit search, its exports and the hash-chain verification over 1,000,000 events.

Per database, from a fresh database with the demo data (``flask db upgrade``, ``flask demo``), the log
gets N events (default 1,000,000) in bulk Core inserts: I = N/10 synthetic process instances of the
deployed diagrams (credit claims half of them), each with 6-14 events over a few weeks (create,
file_add, submit, take, the diagram's own review steps with decisions and comments, release, a
withdrawal now and then) by 20,000 trainees and 500 reviewers of 250 organisations, over two years,
and 1 % administrative events (role changes with old and new values) in the administrative chain.
**The rows are synthetic, the chains are real**: every event's hash is the app's own digest
(``app.services.audit._digest``) chained to its predecessor, instances and the administrative
chain keep their heads, so ``flask audit verify`` holds; the instances' engine states are empty (no
engine ever loads them here), so the consistency check is not for this database.

Then, through the API (in-process test client with the auditor's bearer token: auth, validation,
the query, the words, JSON), each timed ``--samples`` times after a warm-up:

* per filter, in ``--rounds`` rounds, the first page (50 rows) and a deep page (``after`` a token
  half-way down the result, at most 200,000 rows deep): p50 / p90 / max in ms;
* the CSV and .xlsx exports of ~100,000 rows (a time range; ``--rounds`` times) and of every event
  (no filter; once), each in a fresh subprocess that streams the response to nowhere: rows/s and the process's peak RSS
  (``ru_maxrss``) against its RSS before the export;
* verification: a full run; then ``--rounds`` times an incremental run after 1,000 new events written
  by the app's own ``record_event`` / ``record_admin_event`` (the settle margin is set to 0) and one
  with nothing new; a full run again.

Prints the median of the rounds with their range at the end.

Writes bench/results/audit-<db>-<timestamp>.json.
Run:  python bench/audit.py [--db sqlite|postgres|both] [--events 1000000] [--samples 30] [--rounds 3]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_audit is dropped and recreated.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_audit"
START = dt.datetime(2024, 12, 1, tzinfo=dt.UTC)
DAYS = 700
TRAINEES, REVIEWERS, ORGS = 20_000, 500, 250
BATCH = 5000
CONFIG = {"AUDIT_SETTLE_SECONDS": 0}


def fresh(db: str, tmp: Path) -> str:
    if db == "sqlite":
        url = f"sqlite:///{tmp / 'audit.db'}"
    else:
        import psycopg
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_audit WITH (FORCE)")
            conn.execute("CREATE DATABASE bench_audit")
        url = PG_URL
    env = {**os.environ, "APP_SQLALCHEMY_DATABASE_URI": url, "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads")}
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return url


# -- loading ---------------------------------------------------------------------------------------

def _people() -> dict[str, Any]:
    """20,000 trainees, 500 reviewers of 250 organisations (units under 50 authorities)."""
    from sqlalchemy import insert, select

    from app.clock import utcnow
    from app.extensions import db
    from app.models import Organisation, RoleAssignment, User

    now = utcnow()
    db.session.execute(insert(Organisation), [{"name": f"基准单位{i:03d}", "kind": "unit" if i >= 50 else "authority",
                                               "created_at": now} for i in range(ORGS)])
    orgs = db.session.scalars(select(Organisation.id).where(Organisation.name.like("基准单位%"))
                              .order_by(Organisation.id)).all()
    hashed = db.session.scalar(select(User.password_hash).limit(1))
    users = [{"username": f"bench{i:06d}", "password_hash": hashed, "name": f"学员{i}", "created_at": now,
              "must_change_password": False, "is_active": True} for i in range(TRAINEES)]
    users += [{"username": f"benchrev{i:04d}", "password_hash": hashed, "name": f"审核员{i:03d}", "created_at": now,
               "must_change_password": False, "is_active": True} for i in range(REVIEWERS)]
    db.session.execute(insert(User), users)
    trainees = db.session.scalars(select(User.id).where(User.username.like("bench0%")).order_by(User.id)).all()
    reviewers = db.session.scalars(select(User.id).where(User.username.like("benchrev%")).order_by(User.id)).all()
    db.session.execute(insert(RoleAssignment), [{"user_id": r, "org_id": orgs[k % ORGS], "role": "reviewer"}
                                                for k, r in enumerate(reviewers)])
    admin = db.session.scalar(select(User.id).where(User.username == "admin"))
    db.session.commit()
    return {"orgs": orgs, "trainees": trainees, "reviewers": reviewers, "admin": admin}


def _definitions() -> list[dict[str, Any]]:
    """The latest deployed version of each process, with its user tasks and their actions."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import ProcessDefinition
    from app.services.engine import bundle_for
    from app.services.plugins import registry

    found = []
    for definition_id, key in db.session.execute(select(func.max(ProcessDefinition.id), ProcessDefinition.process_key)
                                                 .group_by(ProcessDefinition.process_key)):
        tasks = [(t.spec, t.properties.get("action", t.spec), t.decisions or ("approve",))
                 for t in bundle_for(definition_id).user_tasks()]
        found.append({"id": definition_id, "key": key, "record_type": registry().for_key(key).record_type,
                      "tasks": tasks or [("review", "review", ("approve",))]})
    return sorted(found, key=lambda d: d["key"])


def _plan(events: int, rng: random.Random) -> tuple[list[tuple[int, int, int]], list[int]]:
    """(time in µs, instance index or -1 for an administrative event, its sequence) for every event, in
    time order; and the number of events of each instance."""
    instances = events * 99 // 100 // 10
    sizes = [rng.randint(6, 14) for _ in range(instances)]
    over = sum(sizes) - (events - events // 100)
    for k in range(abs(over)):  # the instances' events are exactly 99 %
        sizes[k % instances] += -1 if over > 0 else 1
    start = int(START.timestamp() * 1e6)
    plan = []
    for index, size in enumerate(sizes):
        at = start + rng.randrange(DAYS * 86_400_000_000)
        for seq in range(size):
            plan.append((at, index, seq))
            at += rng.randrange(60_000_000, 5 * 86_400_000_000)  # a minute to five days later
    for seq in range(events - len(plan)):
        plan.append((start + rng.randrange(DAYS * 86_400_000_000), -1, seq))
    plan.sort()
    return plan, sizes


def _instance_rows(sizes: list[int], definitions: list[dict[str, Any]], people: dict[str, Any],
                   first_id: int, rng: random.Random) -> list[dict[str, Any]]:
    weights = [10 if d["key"] == "credit_claim" else 1 for d in definitions]
    rows = []
    for index in range(len(sizes)):
        definition = rng.choices(definitions, weights)[0]
        trainee = index % TRAINEES
        rows.append({"id": first_id + index, "definition_id": definition["id"], "process_key": definition["key"],
                     "record_type": definition["record_type"], "record_id": 1_000_000 + index, "state": "",
                     "status": "done", "status_label": "审核通过", "completed": True, "cancelled": False,
                     "lock_version": 0, "created_at": START, "updated_at": START,
                     "_definition": definition, "_trainee": people["trainees"][trainee],
                     "_unit": 50 + trainee % (ORGS - 50)})
    return rows


EARLY = ("create", "file_add", "submit")
COMMENTS = ("材料齐全，同意。", "证书复印件不清晰，请重新上传。", "=cmd|' /C calc'!A0", "学时计算有误",
            None, None, None)


def _event(at: dt.datetime, instance: dict[str, Any], seq: int, people: dict[str, Any],
           rng: random.Random) -> dict[str, Any]:
    base = {"instance_id": instance["id"], "process_key": instance["process_key"],
            "record_type": instance["record_type"], "record_id": instance["record_id"], "at": at,
            "task_spec": None, "decision": None, "comment": None, "data": {}}
    if seq < len(EARLY):
        data = {"filename": f"证明{seq}.pdf"} if EARLY[seq] == "file_add" else {}
        return {**base, "actor_id": instance["_trainee"], "actor_name": "学员", "actor_org_id": None,
                "actor_org_name": None, "action": EARLY[seq], "data": data}
    where = instance["_unit"] if rng.random() < 0.7 else instance["_unit"] % 50  # the unit, or an authority
    org = people["orgs"][where]
    reviewer = people["reviewers"][where + ORGS * rng.randrange(REVIEWERS // ORGS)]  # two reviewers each
    spec, action, decisions = rng.choice(instance["_definition"]["tasks"])
    kind = rng.random()
    if kind < 0.15:
        return {**base, "actor_id": reviewer, "actor_name": "审核员", "actor_org_id": org, "actor_org_name": "基准单位",
                "action": rng.choice(("take", "release")), "task_spec": spec}
    if kind < 0.18:
        return {**base, "actor_id": instance["_trainee"], "actor_name": "学员", "actor_org_id": None,
                "actor_org_name": None, "action": "withdraw"}
    return {**base, "actor_id": reviewer, "actor_name": "审核员", "actor_org_id": org, "actor_org_name": "基准单位",
            "action": action, "task_spec": spec, "decision": rng.choice(decisions), "comment": rng.choice(COMMENTS)}


def load(events: int, seed: int = 1) -> dict[str, Any]:
    """Fill the log with ``events`` events, hash-chained like the app's own; returns what to search for."""
    from sqlalchemy import bindparam, func, insert, select, text, update

    from app.extensions import db
    from app.models import AuditChain, ProcessEvent, ProcessInstance
    from app.services.audit import ADMIN_CHAIN, _digest

    rng = random.Random(seed)
    began = time.perf_counter()
    people = _people()
    definitions = _definitions()
    plan, sizes = _plan(events, rng)
    first_instance = (db.session.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
    instances = _instance_rows(sizes, definitions, people, first_instance, rng)
    columns = {c.name for c in ProcessInstance.__table__.columns}
    for start in range(0, len(instances), BATCH):
        db.session.execute(insert(ProcessInstance), [{k: v for k, v in row.items() if k in columns}
                                                    for row in instances[start:start + BATCH]])
    chain = db.session.get(AuditChain, ADMIN_CHAIN)
    admin_prev, admin_length = chain.head_hash, chain.length
    next_id = (db.session.scalar(select(func.max(ProcessEvent.id))) or 0) + 1
    heads: dict[int, str | None] = {}
    rows: list[dict[str, Any]] = []
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for micros, index, seq in plan:
        at = epoch + dt.timedelta(microseconds=micros)
        if index < 0:
            user = rng.choice(people["reviewers"])
            row = {"instance_id": None, "process_key": None, "record_type": "user", "record_id": user, "at": at,
                   "actor_id": people["admin"], "actor_name": "系统管理员", "actor_org_id": None,
                   "actor_org_name": None, "action": "role_change", "task_spec": None, "decision": None,
                   "comment": None, "data": {"old": {"roles": ["reviewer"]}, "new": {"roles": ["reviewer", "admin"]}},
                   "prev_hash": admin_prev}
            row["hash"] = admin_prev = _digest(admin_prev, SimpleNamespace(**row))
            admin_length += 1
        else:
            instance = instances[index]
            row = _event(at, instance, seq, people, rng)
            row["prev_hash"] = heads.get(instance["id"])
            row["hash"] = heads[instance["id"]] = _digest(row["prev_hash"], SimpleNamespace(**row))
        row["id"] = next_id
        next_id += 1
        rows.append(row)
        if len(rows) == BATCH:
            db.session.execute(insert(ProcessEvent), rows)
            rows = []
    if rows:
        db.session.execute(insert(ProcessEvent), rows)
    heads_list = [{"b_id": instance_id, "b_hash": head} for instance_id, head in heads.items()]
    statement = update(ProcessInstance.__table__).where(ProcessInstance.__table__.c.id == bindparam("b_id")) \
        .values(last_event_hash=bindparam("b_hash"))
    for start in range(0, len(heads_list), BATCH):
        db.session.execute(statement, heads_list[start:start + BATCH])
    db.session.execute(update(AuditChain).where(AuditChain.name == ADMIN_CHAIN)
                       .values(head_hash=admin_prev, length=admin_length))
    if db.engine.dialect.name == "postgresql":
        for table in ("process_event", "process_instance"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                    f"(SELECT MAX(id) FROM {table}))"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    busy = db.session.execute(select(ProcessEvent.actor_id, func.count()).where(ProcessEvent.actor_id.in_(
        people["reviewers"][:20])).group_by(ProcessEvent.actor_id).order_by(func.count().desc()).limit(1)).first()
    target = instances[len(instances) // 2]
    return {"seconds": time.perf_counter() - began, "instances": len(instances), "reviewer": busy[0],
            "reviewer_events": busy[1], "unit": people["orgs"][60], "record": (target["record_type"],
                                                                             target["record_id"])}


# -- measuring ---------------------------------------------------------------------------------------

def timed(samples: int, send: Any) -> dict[str, float]:
    send()  # warm: the first call compiles statements and loads templates
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        response = send()
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (response.status_code, response.get_data()[:300])
    times.sort()
    return {"p50_ms": statistics.median(times) * 1000, "p90_ms": times[max(0, int(0.9 * len(times)) - 1)] * 1000,
            "max_ms": times[-1] * 1000}


def day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()


def filters(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from app.extensions import db
    from app.models import User

    name = db.session.get(User, found["reviewer"]).name
    kind, record_id = found["record"]
    return {
        "no filter": {}, "person (id)": {"actor_id": found["reviewer"]}, "person (name)": {"actor": name},
        "action (common: submit)": {"action": "submit"}, "action (rare: withdraw)": {"action": "withdraw"},
        "process (staff_transfer)": {"process_key": "staff_transfer"},
        "record": {"record_type": kind, "record_id": record_id}, "organisation": {"org_id": found["unit"]},
        "one day": {"date_from": day(400), "date_to": day(400)},
        "person, one month": {"actor_id": found["reviewer"], "date_from": day(300), "date_to": day(329)},
        "administrative (role_change)": {"action": "role_change"},
    }


def searches(app: Any, token: str, found: dict[str, Any], samples: int) -> dict[str, Any]:
    from app.audit import search
    from app.extensions import db

    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    out = {}
    with app.app_context():
        cases = filters(found)
    for name, query in cases.items():
        with app.app_context():
            resolved = search.resolve(search.FilterSchema().load({k: str(v) for k, v in query.items()}))
            statement = search.query(resolved)
            matching = db.session.scalar(db.select(db.func.count()).select_from(statement.subquery()))
            depth = min(matching // 2, 200_000)
            row = db.session.execute(search.newest(statement).offset(depth).limit(1)).first()
            plan = search.explain(search.newest(statement).limit(51))
            deep_plan = search.explain(search.after(statement, row.at, row.id).limit(51)) if row else ""
            db.session.remove()
        first = timed(samples, lambda q=query: client.get("/api/v1/audit/events", query_string=q, headers=headers))
        deep = timed(samples, lambda q=query, r=row: client.get(
            "/api/v1/audit/events", query_string={**q, "after": search.token(r.at, r.id)}, headers=headers)) \
            if row is not None else None
        out[name] = {"query": query, "matching": matching, "depth": depth, "first": first, "deep": deep,
                     "plan": plan, "deep_plan": deep_plan}
        print(f"  {name:<30} {matching:>9,} rows  first p50 {first['p50_ms']:6.1f} p90 {first['p90_ms']:6.1f} ms"
              + (f"  deep ({depth:,}) p50 {deep['p50_ms']:6.1f} p90 {deep['p90_ms']:6.1f} ms" if deep else ""),
              flush=True)
    return out


def _rss_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def export_child(url: str, kind: str, query: dict[str, Any]) -> None:
    """In a fresh process: stream one export to nowhere; print its time, bytes and memory as JSON. The
    RSS is sampled every 20 ms while the export runs (``ru_maxrss`` would include the start-up)."""
    import resource
    import threading

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **CONFIG})
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "auditor", "password": "demo-pass-2024"}) \
        .get_json()["access_token"]
    before, peak, done = _rss_kb(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_kb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    response = client.get(f"/api/v1/audit/events.{kind}", query_string=query,
                          headers={"Authorization": f"Bearer {token}"}, buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    done.set()
    sampler.join()
    print(json.dumps({"seconds": seconds, "cpu_seconds": after.ru_utime + after.ru_stime - usage.ru_utime
                      - usage.ru_stime, "bytes": size, "status": response.status_code, "rss_before_kb": before,
                      "rss_peak_kb": max(peak[0], _rss_kb())}))


def exports(url: str, counts: dict[str, int], rounds: int) -> dict[str, Any]:
    """Each export of ~100k rows ``rounds`` times, of every event once (minutes for the workbook)."""
    out: dict[str, list[dict[str, Any]]] = {}
    sets = {"~100k rows (70 days)": {"date_from": day(300), "date_to": day(369)}, "every event": {}}
    runs = [(label, query, kind) for label, query in sets.items() for kind in ("csv", "xlsx")
            for _round in range(rounds if label.startswith("~") else 1)]
    for label, query, kind in runs:
        done = subprocess.run([sys.executable, __file__, "--export-child", url, kind, json.dumps(query)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows = counts[label]
        result.update(rows=rows, rows_per_s=rows / result["seconds"],
                      rows_per_cpu_s=rows / max(result["cpu_seconds"], 1e-9))
        out.setdefault(f"{kind} {label}", []).append(result)
        print(f"  {kind:<4} {label:<22} {rows:>9,} rows in {result['seconds']:6.1f} s = "
              f"{result['rows_per_s']:8,.0f} rows/s ({result['rows_per_cpu_s']:8,.0f} per CPU s), "
              f"{result['bytes'] / 1e6:7.1f} MB; "
              f"RSS {result['rss_before_kb'] / 1024:.0f} → peak {result['rss_peak_kb'] / 1024:.0f} MB", flush=True)
    return out


def verification(app: Any, rounds: int, new_events: int = 1000) -> dict[str, Any]:
    from sqlalchemy import select

    from app.audit import integrity
    from app.db import transaction
    from app.extensions import db
    from app.models import ProcessInstance
    from app.services.audit import record_admin_event, record_event

    def run(full: bool) -> dict[str, Any]:
        began = time.perf_counter()
        with transaction():
            checkpoint = integrity.verify(None, full=full)
            result = {"seconds": time.perf_counter() - began, "full": checkpoint.full,
                      "events_checked": checkpoint.events_checked, "chains_checked": checkpoint.chains_checked,
                      "problems": checkpoint.problem_count, "first_problems": list(checkpoint.problems[:5])}
        print(f"  {'full' if full else 'incremental':<11} {result['events_checked']:>9,} events, "
              f"{result['chains_checked']:>7,} chains in {result['seconds']:7.2f} s, {result['problems']} problem(s)",
              flush=True)
        return result

    out: dict[str, Any] = {}
    with app.app_context():
        out["full"] = [run(True)]
        rng = random.Random(7)
        ids = db.session.scalars(select(ProcessInstance.id)).all()
        for _round in range(rounds):
            with transaction():
                for k in range(new_events):
                    if k % 100 == 0:
                        record_admin_event(None, "role_change", record_type="user", record_id=1, old={}, new={})
                    else:
                        record_event(db.session.get(ProcessInstance, rng.choice(ids)), None, "timer")
            out.setdefault(f"incremental after {new_events} new events", []).append(run(False))
            out.setdefault("incremental, nothing new", []).append(run(False))
        out["full"].append(run(True))
        db.session.remove()
    return out


def study(db: str, events: int, samples: int, rounds: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from app import create_app
    from app.audit import search
    from app.extensions import db as sa_db
    from app.models import ProcessEvent

    out: dict[str, Any] = {"db": db, "events": events, "samples": samples}
    with tempfile.TemporaryDirectory(prefix=f"audit-{db}-") as tmpdir:
        tmp = Path(tmpdir)
        url = fresh(db, tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE": {"BACKEND": "local",
                                                                      "LOCAL_ROOT": str(tmp / "uploads")}, **CONFIG})
        with app.app_context():
            found = load(events)
            out["load"] = found
            out["total_events"] = sa_db.session.scalar(select(func.count()).select_from(ProcessEvent))
            print(f"=== audit, {db}: {out['total_events']:,} events ({found['instances']:,} instances) loaded in "
                  f"{found['seconds']:.0f} s ===", flush=True)
            counts = {}
            for label, query in {"~100k rows (70 days)": {"date_from": day(300), "date_to": day(369)},
                                 "every event": {}}.items():
                resolved = search.resolve(search.FilterSchema().load(query))
                counts[label] = sa_db.session.scalar(select(func.count()).select_from(
                    search.query(resolved).subquery()))
            sa_db.session.remove()
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"username": "auditor", "password": "demo-pass-2024"}) \
            .get_json()["access_token"]
        out["search"] = []
        for number in range(rounds):
            print(f"search round {number + 1} (API, 50 rows a page):", flush=True)
            out["search"].append(searches(app, token, found, samples))
        print("exports (API, streamed, each in a fresh process):", flush=True)
        out["export"] = exports(url, counts, rounds)
        print("verification:", flush=True)
        out["verify"] = verification(app, rounds)
        with app.app_context():
            sa_db.session.remove()
            sa_db.engine.dispose()
    return out


def _spread(values: list[float], digits: int = 1) -> str:
    """The median, and the range when there are several."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def summary(out: dict[str, Any]) -> None:
    """Medians over the rounds, with their ranges: the lines docs/performance.md quotes."""
    rounds = out["search"]
    print(f"\n=== summary, {out['db']}: median of {len(rounds)} round(s) (range) ===")
    for name, first in rounds[0].items():
        pages = [r[name] for r in rounds]
        deep = [p["deep"] for p in pages if p["deep"]]
        print(f"  {name:<30} {first['matching']:>9,} rows | first p50 {_spread([p['first']['p50_ms'] for p in pages])} "
              f"p90 {_spread([p['first']['p90_ms'] for p in pages])} ms"
              + (f" | deep p50 {_spread([d['p50_ms'] for d in deep])} p90 {_spread([d['p90_ms'] for d in deep])} ms"
                 if deep else ""))
    for name, runs in out["export"].items():
        print(f"  {name:<30} {runs[0]['rows']:>9,} rows | {_spread([r['rows_per_s'] for r in runs], 0)} rows/s, "
              f"{_spread([r['rows_per_cpu_s'] for r in runs], 0)} per CPU s | RSS "
              f"{_spread([r['rss_before_kb'] / 1024 for r in runs], 0)} → peak "
              f"{_spread([r['rss_peak_kb'] / 1024 for r in runs], 0)} MB")
    for name, runs in out["verify"].items():
        print(f"  {name:<30} {_spread([r['seconds'] for r in runs], 2)} s, "
              f"{_spread([r['events_checked'] for r in runs], 0)} events, problems {[r['problems'] for r in runs]}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--export-child":
        export_child(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="search rounds, 100k exports, incremental runs")
    args = parser.parse_args()
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        out = study(db, args.events, args.samples, args.rounds)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        (results_dir / f"audit-{db}-{stamp}.json").write_text(json.dumps(out, indent=2, default=str))
        summary(out)


if __name__ == "__main__":
    main()
