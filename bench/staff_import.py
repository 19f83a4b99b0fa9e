"""Staff import study (批量导入): a 10,000-row file imported whole, a 5,000-row file with one bad row
refused whole, in process through ``app.people.importing`` as the upload route calls it.

Per database, from a fresh database with the demo data (``flask db upgrade``, ``flask demo``): the
template is made, then an N-row file (valid ID numbers, a department, education and title) is read,
checked and imported as unit 1's administrator: N accounts (initial passwords hashed), N trainee
roles, N declared details, N access-change events and one import event, in one transaction; then a
second file of M new people with one wrong check digit is refused whole (every row read and checked,
nothing written but the refusal and its report), and its error report is written.

Each step is timed (wall and CPU) with how far the resident set rose above where it stood before
(the peak, VmHWM reset by ``clear_refs``; see ``postfiling.py``). Prints the figures as JSON.
Run:  cd /work/main && . .venv/bin/activate && python bench/staff_import.py [--db sqlite|postgres|both]
          [--rows 10000] [--refused-rows 5000] [--account-events each|summary]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_staff_import is dropped and recreated.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_staff_import"


def fresh(db: str, tmp: Path) -> str:
    """A new database (SQLite file, or PostgreSQL dropped and recreated), migrated, with the demo data."""
    if db == "sqlite":
        url = f"sqlite:///{tmp / 'staff_import.db'}"
    else:
        import psycopg
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_staff_import WITH (FORCE)")
            conn.execute("CREATE DATABASE bench_staff_import")
        url = PG_URL
    env = {**os.environ, "APP_SQLALCHEMY_DATABASE_URI": url, "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads")}
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return url


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measured(fn: Any) -> tuple[Any, dict[str, float]]:
    """``fn``'s result with wall and CPU seconds and how far the resident set rose above where it
    stood (Linux: the high-water mark VmHWM, reset first with ``clear_refs`` 5; no psutil needed)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return result, {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
                    "peak_rss_mb": (_status("VmHWM") - before) / 2 ** 20}


def id_numbers(count: int, start: int = 0) -> list[str]:
    from app.domain.idnumber import check_digit

    out = []
    for n in range(start, start + count):
        first17 = f"1101051985{1 + n // 28_000 % 12:02d}{1 + n // 1000 % 28:02d}{n % 1000:03d}"
        out.append(first17 + check_digit(first17))
    return out


def staff_file(numbers: list[str], department: str) -> bytes:
    from openpyxl import Workbook

    from app.people.workbook import HEADER

    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员信息")
    sheet.append(list(HEADER))
    for n, number in enumerate(numbers):
        sheet.append([number, f"员工{n:05d}", f"139{n:08d}", department, "大学本科", "工程师"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def study(db: str, rows: int, refused_rows: int, account_events: str = "each") -> dict[str, Any]:
    from sqlalchemy import func, select

    from app import create_app
    from app.cli.demo import UNIT_1
    from app.errors import ServiceError
    from app.extensions import db as sa_db
    from app.models import Department, Organisation, ProcessEvent, User
    from app.people import importing, workbook
    from app.people.models import StaffImport
    from app.services.actors import Actor

    out: dict[str, Any] = {"db": db, "rows": rows, "refused_rows": refused_rows, "account_events": account_events}
    with tempfile.TemporaryDirectory(prefix=f"staff-import-{db}-") as tmpdir:
        tmp = Path(tmpdir)
        url = fresh(db, tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STAFF_IMPORT": {"ACCOUNT_EVENTS": account_events},
                          "STORAGE": {"BACKEND": "local", "LOCAL_ROOT": str(tmp / "uploads")}})
        with app.test_request_context():
            unit = sa_db.session.scalar(select(Organisation).where(Organisation.name == UNIT_1))
            sa_db.session.add(Department(org_id=unit.id, name="工程部"))
            sa_db.session.commit()
            admin = Actor.of(sa_db.session.scalar(select(User).where(User.username == "unit_admin")))
            template, out["template"] = measured(workbook.template)
            out["template"]["bytes"] = len(template)
            good = staff_file(id_numbers(rows), "工程部")
            out["file_bytes"] = len(good)
            users_before = sa_db.session.scalar(select(func.count(User.id)))

            def run() -> Any:
                attempt = importing.import_staff(admin, unit.id, good)
                sa_db.session.commit()
                return attempt
            attempt, out["import"] = measured(run)
            out["import"].update({
                "imported": attempt.imported,
                "accounts_added": sa_db.session.scalar(select(func.count(User.id))) - users_before,
                "events": sa_db.session.scalar(select(func.count(ProcessEvent.id)).where(
                    ProcessEvent.action.in_((importing.ACTION_ACCOUNT, importing.ACTION_IMPORT))))})
            out["import"]["rows_per_s"] = round(rows / out["import"]["wall_s"])
            numbers = id_numbers(refused_rows, start=rows)
            wrong = refused_rows // 2
            numbers[wrong] = numbers[wrong][:17] + ("1" if numbers[wrong][17] != "1" else "2")
            bad = staff_file(numbers, "工程部")
            before = sa_db.session.scalar(select(func.count(User.id)))

            def refuse() -> list[dict[str, Any]]:
                try:
                    importing.import_staff(admin, unit.id, bad)
                except ServiceError as exc:
                    sa_db.session.commit()  # as the request would: the refusal and its report stay
                    return exc.rows or []
                raise AssertionError("the file with a bad row was imported")
            problems, out["refused"] = measured(refuse)
            refusal = sa_db.session.scalar(select(StaffImport).where(StaffImport.status == "refused"))
            out["refused"].update({"problems": problems, "accounts_added":
                                   sa_db.session.scalar(select(func.count(User.id))) - before})
            report, out["report"] = measured(lambda: workbook.error_report(refusal.errors))
            out["report"]["bytes"] = len(report)
            sa_db.session.remove()
    for step in ("template", "import", "refused", "report"):
        for key in ("wall_s", "cpu_s", "peak_rss_mb"):
            out[step][key] = round(out[step][key], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--refused-rows", type=int, default=5_000)
    parser.add_argument("--account-events", choices=("each", "summary"), default="each",
                        help="STAFF_IMPORT.ACCOUNT_EVENTS: an event per account, or the accounts in one event")
    args = parser.parse_args()
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        print(json.dumps(study(db, args.rows, args.refused_rows, args.account_events), ensure_ascii=False,
                         indent=1, default=str))


if __name__ == "__main__":
    main()
