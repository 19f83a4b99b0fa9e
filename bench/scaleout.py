"""Scale-out: the claim-lifecycle load with 1, 2 and 4 gunicorn workers, and timer runners side by side.

Nothing in the service may hold state in a process, so adding workers (or hosts) must only
add capacity. Per worker count W, on a fresh PostgreSQL database (``bench_scale``) behind
gunicorn: N complete claim lifecycles from C = 2 x W client threads (``bench/claims.py``
phase 1), lifecycles/s and p50/p95 per operation.

Timer runners: the credit-claim diagram gets a one-second deadline on the unit's review
(the diagram variant the race test uses), T claims are submitted, and once their deadlines
have passed, R ``flask --app app run-timers`` processes start at the same moment (R = 1,
then R = 2 on a fresh batch). Checked afterwards, and reported: every instance was advanced
exactly once (one ``timer`` event each, none twice), every claim ended 单位审核不通过, no task
is left open, and the runners' own counts add up to T. It exits 1 if a check fails.

    python bench/scaleout.py [--workers 1,2,4] [--claims 200] [--timer-claims 300]

PostgreSQL: 127.0.0.1:5432, user postgres, trust auth. The machine's core count bounds the
scaling: on 2 cores, 4 workers cannot do more than 2 can.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims import (
    BIN,
    ROOT,
    TRAINEES,
    Recorder,
    lifecycles,
    login_all,
    run_threads,
    served,
)

from tests.support.diagrams import credit_claim_with_deadline

DATABASE = "bench_scale"


def scaling(workers: list[int], claims: int, year: int) -> list[dict[str, Any]]:
    rows = []
    for w in workers:
        with served("postgres", w, database=DATABASE) as server:
            result = lifecycles(server, login_all(server.base), claims, 2 * w, year)
        rows.append({"workers": w, **result})
        print(f"  {w} worker(s), {2 * w} clients: {result['lifecycles_per_s']:.1f} lifecycles/s, "
              f"{len(result['errors'])} errors", flush=True)
    return rows


def _submit_batch(base: str, tokens: dict[str, str], count: int, offset: int, year: int) -> list[int]:
    rec, ids = Recorder(), []

    def work(client: Any, i: int) -> None:
        trainee = TRAINEES[i % len(TRAINEES)]
        ids.append(client.new_claim(offset + i, trainee, year))
    run_threads(count, 4, work, base, tokens, rec)
    if rec.errors:
        raise RuntimeError(f"could not submit the timer claims: {rec.errors[:3]}")
    return ids


def _run_runners(env: dict[str, str], runners: int, limit: int) -> tuple[float, list[int]]:
    """Start ``runners`` timer-runner processes at once; (wall seconds, what each reports it advanced)."""
    start = time.perf_counter()
    procs = [subprocess.Popen([str(BIN / "flask"), "--app", "app", "run-timers", "--limit", str(limit)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(runners)]
    outputs = [p.communicate(timeout=1800) for p in procs]
    wall = time.perf_counter() - start
    for p, (out, err) in zip(procs, outputs, strict=True):
        if p.returncode:
            raise RuntimeError(f"run-timers failed ({p.returncode}):\n{out}{err}")
    counts = [int(out.split("advanced ")[1].split()[0]) for out, _err in outputs]
    return wall, counts


def _check(url: str, claim_ids: list[int]) -> dict[str, Any]:
    """What the database says about these claims after the runners are done."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        rows = conn.execute("""
            SELECT c.id, c.status, i.completed,
                   (SELECT count(*) FROM process_event e WHERE e.instance_id = i.id AND e.action = 'timer'),
                   (SELECT count(*) FROM human_task t WHERE t.instance_id = i.id
                      AND t.status = 'open')
              FROM claim c JOIN process_instance i ON i.id = c.instance_id
             WHERE c.id = ANY(%s)""", (claim_ids,)).fetchall()
    return {
        "claims": len(rows),
        "ended_rejected": sum(1 for r in rows if r[1] == "unit_rejected" and r[2]),
        "timer_events_exactly_one": sum(1 for r in rows if r[3] == 1),
        "timer_events_more_than_one": sum(1 for r in rows if r[3] > 1),
        "open_tasks_left": sum(r[4] for r in rows),
    }


def timer_runners(count: int, year: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-timers-") as tmp:
        variant = Path(tmp) / "credit_claim.bpmn"
        variant.write_bytes(credit_claim_with_deadline("PT1S"))
        rows = []
        with served("postgres", 2, database=DATABASE, setup=(("bpmn", "deploy", str(variant)),)) as (base, env, _pid):
            tokens = login_all(base)
            for n, runners in enumerate((1, 2)):
                ids = _submit_batch(base, tokens, count, 10_000 + n * count, year)
                time.sleep(1.5)  # every deadline has passed
                wall, counts = _run_runners(env, runners, limit=count)
                check = _check(env["APP_SQLALCHEMY_DATABASE_URI"], ids)
                ok = (sum(counts) == count == check["claims"] == check["ended_rejected"]
                      == check["timer_events_exactly_one"] and check["open_tasks_left"] == 0)
                rows.append({"runners": runners, "instances": count, "wall_s": wall,
                             "instances_per_s": count / wall, "advanced_per_runner": counts, "ok": ok, **check})
                print(f"  {runners} runner(s): {count} instances in {wall:.2f} s, advanced {counts}, "
                      f"{'ok' if ok else 'PROBLEM'}", flush=True)
    return rows


def report(result: dict[str, Any]) -> None:
    print(f"\n=== scale-out on PostgreSQL @ {result['commit']} ({os.cpu_count()} cores) ===")
    base = result["scaling"][0]["lifecycles_per_s"] if result["scaling"] else None
    print(f"{'workers':>7}{'clients':>8}{'lc/s':>8}{'x 1 w':>7}   p50/p95 ms: create  submit  complete  inbox  detail")
    for row in result["scaling"]:
        ops = row["ops"]
        cells = "  ".join(f"{ops[k]['p50']:.0f}/{ops[k]['p95']:.0f}"
                          for k in ("create", "submit", "complete", "inbox_list", "claim_detail"))
        print(f"{row['workers']:>7}{row['concurrency']:>8}{row['lifecycles_per_s']:>8.1f}"
              f"{row['lifecycles_per_s'] / base:>7.2f}   {cells}   errors {len(row['errors'])}")
    for row in result["timers"]:
        print(f"timer runners {row['runners']}: {row['instances']} instances, {row['instances_per_s']:.1f}/s, "
              f"per runner {row['advanced_per_runner']}, exactly one timer event: "
              f"{row['timer_events_exactly_one']}, twice: {row['timer_events_more_than_one']}, "
              f"open tasks left: {row['open_tasks_left']} -> {'ok' if row['ok'] else 'PROBLEM'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="comma-separated gunicorn worker counts")
    parser.add_argument("--claims", type=int, default=200, help="lifecycles per worker count")
    parser.add_argument("--timer-claims", type=int, default=300, help="instances per timer-runner round; 0 skips")
    args = parser.parse_args()
    year = datetime.date.today().year
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print("lifecycles per worker count:", flush=True)
    result = {"commit": commit, "cores": os.cpu_count(),
              "scaling": scaling([int(w) for w in args.workers.split(",")], args.claims, year)}
    print("timer runners:", flush=True)
    result["timers"] = timer_runners(args.timer_claims, year) if args.timer_claims else []
    report(result)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"scaleout-{datetime.datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"results written to {path.relative_to(ROOT)}")
    if not all(row["ok"] for row in result["timers"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
