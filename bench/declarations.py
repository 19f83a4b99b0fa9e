"""Unit-declared hours: a batch approval of 1,000 declarations by their authority (学时审批, 批量审核通过).

Per database, from a fresh database with the demo data (``flask db upgrade``, ``flask demo``):
N trainees are added to the demo's unit 1 (rows written directly: the study is of the review,
not of registering people), then for each run:

* setup (not timed as the figure): the unit's reviewer declares N declarations through the
  plug-in's service (``service.declare``, 100 people at a time, one proof each), committed;
* ``batch``: the authority's reviewer approves all N through ``inbox.complete_batch``, the call the
  inbox's batch page and ``POST /tasks/batch`` make (each item in a savepoint: lock, load the
  workflow, run the step and the ``credit_declaration`` handler, save, the task rows and events),
  then the commit.

Prints the median and range of the batch over the runs, and the cost per declaration.
Run:  cd /work/main && . .venv/bin/activate && python bench/declarations.py [--db sqlite|postgres|both]
          [--n 1000] [--runs 3]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_declarations is dropped and recreated.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from postfiling import fresh  # noqa: E402  (a migrated database with the demo data)

PER_CALL = 100  # people in one declaration form (service.MAX_PERSONS)


def add_staff(n: int, unit_id: int) -> list[str]:
    """N trainees of the unit (Core inserts); their ID numbers."""
    from sqlalchemy import insert, select

    from app.clock import utcnow
    from app.domain.idnumber import check_digit
    from app.extensions import db
    from app.models import RoleAssignment, User

    hashed = db.session.scalar(select(User.password_hash).where(User.username == "unit_reviewer"))
    numbers = []
    for i in range(n):
        first17 = f"3301061986{(i // 28) % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"
        numbers.append(first17 + check_digit(first17))
    now = utcnow()
    db.session.execute(insert(User), [{"username": f"decl{i:05d}", "password_hash": hashed, "name": f"职工{i:05d}",
                                       "id_number": number, "must_change_password": False, "is_active": True,
                                       "created_at": now} for i, number in enumerate(numbers)])
    ids = db.session.scalars(select(User.id).where(User.username.like("decl%"))).all()
    db.session.execute(insert(RoleAssignment), [{"user_id": uid, "org_id": unit_id, "role": "trainee"} for uid in ids])
    db.session.commit()
    return numbers


def declare_all(numbers: list[str], unit_reviewer: Any) -> list[int]:
    """One declaration per person, through the service; the ids of their open review tasks."""
    from datetime import date
    from decimal import Decimal

    from app.extensions import db
    from app.processes.unit_declaration import service
    from app.processes.unit_declaration.demo import demo_proof
    from app.services import runner

    year = date.today().year - 1
    proof = demo_proof()
    made = []
    for start in range(0, len(numbers), PER_CALL):
        payload = {"id_numbers": numbers[start:start + PER_CALL], "year": year, "learning_form": "post_training",
                   "school": "演示交通职业培训学院", "class_name": "公路养护岗位培训", "content": None,
                   "starts_on": date(year, 5, 6), "ends_on": date(year, 5, 10), "score": "合格",
                   "hours": Decimal(24), "subject": "professional"}
        made += service.declare(unit_reviewer, payload, [(proof, "结业证书.png", None)])
        db.session.commit()
    tasks = [row.id for row in runner.open_tasks_of([d.instance_id for d in made])]
    db.session.commit()
    return tasks


def study(db: str, n: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = fresh(db, tmp, "declarations")
        from app import create_app
        from app.cli.demo import UNIT_1
        from app.extensions import db as sa
        from app.models import Organisation, User
        from app.services import inbox, runner
        from app.services.actors import Actor

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE": {"BACKEND": "local",
                                                                      "LOCAL_ROOT": str(tmp / "uploads")}})
        timings, setups = [], []
        with app.test_request_context():
            unit = sa.session.scalar(sa.select(Organisation).where(Organisation.name == UNIT_1))
            people = add_staff(n * runs, unit.id)
            unit_reviewer = Actor.load(sa.session.scalar(sa.select(User.id).where(User.username == "unit_reviewer")))
            authority = Actor.load(sa.session.scalar(sa.select(User.id).where(User.username == "authority_reviewer")))
            for run in range(runs):
                started = time.perf_counter()
                tasks = declare_all(people[run * n:(run + 1) * n], unit_reviewer)
                setups.append(time.perf_counter() - started)
                assert len(tasks) == n, len(tasks)
                started = time.perf_counter()
                results = inbox.complete_batch(tasks, authority, runner.DecisionForm("approve"))
                sa.session.commit()
                timings.append(time.perf_counter() - started)
                failed = [r for r in results if not r["ok"]]
                assert not failed, failed[:3]
                sa.session.expunge_all()
    return {"db": db, "n": n, "batch_s": timings, "setup_s": setups}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        result = study(db, args.n, args.runs)
        batch = result["batch_s"]
        median = statistics.median(batch)
        print(f"{db}: batch approval of {args.n} declarations, {args.runs} runs: median {median:.2f} s "
              f"(range {min(batch):.2f}–{max(batch):.2f} s), {median / args.n * 1000:.1f} ms per declaration; "
              f"setup (declaring {args.n}) median {statistics.median(result['setup_s']):.2f} s")


if __name__ == "__main__":
    main()
