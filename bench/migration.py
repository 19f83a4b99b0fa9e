"""Moving running instances to another version: a dry run and a migration of N credit claims.

    python bench/migration.py [--db sqlite|postgres] [--n 10000]

Setup (not timed): ``bench/bulk_load.py`` fills a fresh database with N open credit claims
waiting at the unit's review (cloned from real lifecycles; no finished ones), then v2 of the
credit claim (a second unit review, 单位复核, after the unit approves) is published through the
process administration service.

Timed, through ``app.process_admin.instances.migrate`` (what ``POST /api/v1/migrations`` and the
migrate page call), in batches of ``MAX_BATCH`` instances per call as the API serves them:

* ``dry run``: every instance loaded onto its engine state and checked against v2 (no write);
* ``migration``: every instance locked, moved, its task rows re-synced, an event appended,
  committed on its own.

Prints the wall time, CPU time and peak resident-set rise of each, the cost per instance, and
checks afterwards that every instance is on v2 and that a sample passes the consistency checks.
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_growth_migration is dropped
and recreated.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from postfiling import measured  # noqa: E402  (wall, CPU and peak RSS of one call)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_growth_migration"


def database(db: str, tmp: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{tmp / 'migration.db'}"
    import psycopg
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_growth_migration WITH (FORCE)")
    return PG_URL


def publish_v2(app: Any) -> tuple[int, int]:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.process_admin import versions
    from app.services.actors import Actor
    from app.services.definitions import latest_published
    from tests.support.diagrams import credit_claim_second_unit_review

    with app.app_context():
        admin = Actor.load(db.session.scalar(select(User.id).where(User.username == "process_admin")))
        v1 = latest_published("credit_claim").id
        draft, _report = versions.create_draft(credit_claim_second_unit_review(), admin, based_on=v1)
        versions.publish(draft.id, admin)
        db.session.commit()
        return v1, draft.id


def run_all(app: Any, v1: int, v2: int, *, dry_run: bool) -> dict[str, int]:
    """Every running instance of v1, in API-sized batches."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.process_admin import instances
    from app.process_admin.versions import get
    from app.services.actors import Actor

    totals = {"checked": 0, "ok": 0, "moved": 0}
    with app.test_request_context():
        admin = Actor.load(db.session.scalar(select(User.id).where(User.username == "process_admin")))
        ids = instances.candidates(get(v1), None)
        for start in range(0, len(ids), instances.MAX_BATCH):
            chunk = ids[start:start + instances.MAX_BATCH]
            result = instances.migrate(v1, v2, admin, instance_ids=chunk, dry_run=dry_run)
            db.session.rollback()  # a dry run wrote nothing; a real one committed per instance
            totals["checked"] += len(result["results"])
            totals["ok"] += result["movable"]
            totals["moved"] += result["moved"]
            db.session.expunge_all()
    return totals


def check_after(app: Any, v2: int, n: int) -> list[str]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import ProcessInstance
    from app.services import consistency

    with app.app_context():
        on_v2 = db.session.scalar(select(func.count()).where(ProcessInstance.definition_id == v2,
                                                               ProcessInstance.completed.is_(False)))
        report = consistency.check_all()  # every instance: the moved ones and the rest
        problems = [] if on_v2 >= n else [f"only {on_v2} of {n} instances on v2"]
        return problems + list(report.problems)[:10]


def study(db: str, n: int) -> dict[str, Any]:
    from bulk_load import load

    with tempfile.TemporaryDirectory() as tmp_name:
        url = database(db, Path(tmp_name))
        load(url, finished=0, open_tasks=n, measured_share=0.1, verify=50, quiet=True)
        from app import create_app
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMS": {"MIN_PROOFS": 0}})
        v1, v2 = publish_v2(app)
        dry, dry_figures = measured(lambda: run_all(app, v1, v2, dry_run=True))
        moved, move_figures = measured(lambda: run_all(app, v1, v2, dry_run=False))
        problems = check_after(app, v2, dry["checked"])
        with app.app_context():
            from app.extensions import db as sa
            sa.session.remove()
            sa.engine.dispose()
    return {"db": db, "n": dry["checked"], "dry": dry, "dry_figures": dry_figures, "moved": moved,
            "move_figures": move_figures, "problems": problems}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        r = study(db, args.n)
        n = r["n"]
        for name, totals, figures in (("dry run", r["dry"], r["dry_figures"]),
                                      ("migration", r["moved"], r["move_figures"])):
            print(f"{db}: {name} of {n} instances: {figures['wall_s']:.1f} s wall, {figures['cpu_s']:.1f} s CPU, "
                  f"{figures['wall_s'] / n * 1000:.2f} ms per instance, peak RSS +{figures['peak_rss_mb']:.0f} MB; "
                  f"{totals['ok']} can move, {totals['moved']} moved")
        print(f"{db}: after: {'ok' if not r['problems'] else r['problems']}")


if __name__ == "__main__":
    main()
