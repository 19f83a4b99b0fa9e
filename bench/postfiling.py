"""Post-training filing study: a 5,000-row results file imported and credited, and 1,000 certificates.

Per database, from a fresh database with the demo data (``flask db upgrade``, ``flask demo``):
N trainees are added with approved enrolments in the demo's class that ended three days ago
(rows written directly: the study is of the filing, not of enrolling), then in-process, through
the plug-in's services as the provider and the HR department would call them:

* ``template``: the results template with the N approved enrolments (``results-template.xlsx``);
* ``import``: a filled N-row file (90 % passed) read, checked row by row and stored
  (``import_results``);
* ``refused``: a 2N-row file (the second half repeats the first) checked whole and refused
  with N row problems and their report (``results-errors.xlsx``);
* ``file``: the HR department's approval: one ledger credit and one e-certificate per passing
  trainee, in one transaction (``runner.complete_task``);
* ``pdf`` (``--pdfs``, first database only): that many certificates rendered as PDFs, each
  timed (WeasyPrint, CJK font, QR code).

Each step is timed (wall and CPU) with how far the resident set rose above where it stood before
(the peak, from Linux's VmHWM reset by ``clear_refs``). Prints a table and writes
bench/results/postfiling-<db>-<timestamp>.json.
Run:  cd /work/main && . .venv/bin/activate && python bench/postfiling.py [--db sqlite|postgres|both]
          [--rows 5000] [--pdfs 1000]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; database bench_postfiling is dropped and recreated.
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv running this script (ROOT/.venv under make)
sys.path.insert(0, str(ROOT))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_postfiling"
ENDED = "2026年度公路工程专业技术人员继续教育培训班"


def fresh(db: str, tmp: Path, name: str = "postfiling") -> str:
    """A new database (SQLite file, or PostgreSQL ``bench_<name>`` dropped and recreated), migrated,
    with the demo data; its URL."""
    if db == "sqlite":
        url = f"sqlite:///{tmp / f'{name}.db'}"
    else:
        import psycopg
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS bench_{name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE bench_{name}")
        url = PG_URL.replace("bench_postfiling", f"bench_{name}")
    env = {**os.environ, "APP_SQLALCHEMY_DATABASE_URI": url, "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads")}
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return url


def _peak_rss() -> int:
    """The process's resident-set high-water mark (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return psutil.Process().memory_info().rss


def measured(fn: Any) -> tuple[Any, dict[str, float]]:
    """Run ``fn`` and return its result with wall and CPU seconds and how far the resident set rose
    above where it stood (the high-water mark is reset first: Linux ``clear_refs`` 5)."""
    import gc

    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = psutil.Process().memory_info().rss
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    figures = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
               "peak_rss_mb": (_peak_rss() - before) / 2 ** 20}
    return result, figures


def add_trainees(n: int, cls: Any) -> list[tuple[str, str]]:
    """N trainees with approved enrolments in ``cls`` (Core inserts)."""
    from sqlalchemy import insert, select

    from app.clock import utcnow
    from app.domain.idnumber import check_digit
    from app.extensions import db
    from app.models import User
    from app.processes.class_enrollment.models import ClassEnrollment

    hashed = db.session.scalar(select(User.password_hash).where(User.username == "provider_admin"))
    people = []
    for i in range(n):
        first17 = f"4401061985{(i // 28) % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"
        people.append((first17 + check_digit(first17), f"学员{i:05d}"))
    now = utcnow()
    db.session.execute(insert(User), [{"username": f"bench{i:05d}", "password_hash": hashed, "name": name,
                                       "id_number": id_number, "must_change_password": False, "is_active": True,
                                       "created_at": now} for i, (id_number, name) in enumerate(people)])
    ids = dict(db.session.execute(select(User.id_number, User.id).where(User.username.like("bench%"))).all())
    choice = cls.specialties[0]
    db.session.execute(insert(ClassEnrollment), [
        {"class_id": cls.id, "provider_id": cls.provider_id, "trainee_id": ids[id_number],
         "live_key": f"{cls.id}:{ids[id_number]}", "year": cls.years[0], **choice, "phone": "13800000000",
         "unit_name": "演示单位", "courses": [], "remark": "", "holds_seat": True, "status": "approved",
         "status_label": "审核通过", "created_at": now, "updated_at": now, "submitted_at": now, "approved_at": now}
        for id_number, _name in people])
    db.session.commit()
    return people


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, format="PNG")
    return out.getvalue()


def workbook(rows: list[tuple[Any, ...]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("学员成绩")
    sheet.append(("身份证号", "姓名", "成绩", "是否合格"))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def study(db: str, rows: int, pdfs: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from app import create_app
    from app.errors import ServiceError
    from app.extensions import db as sa_db
    from app.models import Certificate, HourEntry, User
    from app.processes.class_publication.models import ProviderClass
    from app.processes.provider_postfiling import service
    from app.processes.provider_prefiling.models import PreFiling
    from app.services import certificates, runner
    from app.services.actors import Actor
    from app.services.runner import DecisionForm

    out: dict[str, Any] = {"db": db, "rows": rows}
    with tempfile.TemporaryDirectory(prefix=f"postfiling-{db}-") as tmpdir:
        tmp = Path(tmpdir)
        url = fresh(db, tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE": {"BACKEND": "local",
                                                                      "LOCAL_ROOT": str(tmp / "uploads")}})
        with app.test_request_context():
            cls = sa_db.session.scalar(select(ProviderClass).join(PreFiling, PreFiling.id == ProviderClass.prefiling_id)
                                       .where(PreFiling.class_name == ENDED))
            people = add_trainees(rows, cls)
            provider = Actor.of(sa_db.session.scalar(select(User).where(User.username == "provider_admin")))
            hr = Actor.of(sa_db.session.scalar(select(User).where(User.username == "hr_reviewer")))
            filing = service.create(provider, {"class_id": cls.id})
            service.update(filing.id, provider, {"attended": rows, "summary": "基准测试"})
            service.add_file(filing.id, provider, png(), "培训总结.png", None, "summary")
            sa_db.session.commit()
            template, out["template"] = measured(lambda: service.template(filing.id, provider))
            out["template"]["bytes"] = len(template)
            filled = [(id_number, name, 80 + i % 20, "否" if i % 10 == 0 else "是")
                      for i, (id_number, name) in enumerate(people)]
            good = workbook(filled)
            out["file_bytes"] = len(good)
            imported, out["import"] = measured(lambda: service.import_results(filing.id, provider, good))
            sa_db.session.commit()
            out["import"]["imported"] = len(imported)
            bad = workbook(filled + filled)

            def refuse() -> int:
                try:
                    service.import_results(filing.id, provider, bad)
                except ServiceError as exc:
                    return len(exc.rows or [])
                return 0
            refused, out["refused"] = measured(refuse)
            sa_db.session.rollback()
            out["refused"].update({"rows_in_file": 2 * rows, "problems": refused})
            service.submit(filing.id, provider)
            sa_db.session.commit()
            task = next(t.id for t in runner.open_tasks(filing.instance_id) if t.task_spec == "hr_review")
            _row, out["file"] = measured(lambda: runner.complete_task(task, hr, DecisionForm("approve")))
            sa_db.session.commit()
            out["file"]["credits"] = sa_db.session.scalar(select(func.count(HourEntry.id)).where(
                HourEntry.source == "postfiling", HourEntry.source_id == filing.id))
            out["file"]["certificates"] = sa_db.session.scalar(select(func.count(Certificate.id)).where(
                Certificate.source == "postfiling", Certificate.source_id == filing.id))
            if pdfs:
                certs = list(sa_db.session.scalars(select(Certificate).where(
                    Certificate.source == "postfiling").order_by(Certificate.id).limit(pdfs)))
                times, sizes = [], []
                certificates.render_pdf(certs[0])  # WeasyPrint's first load (fonts, pango) is not a certificate's
                for cert in certs:
                    began = time.perf_counter()
                    sizes.append(len(certificates.render_pdf(cert)))
                    times.append(time.perf_counter() - began)
                out["pdf"] = {"count": len(times), "total_s": sum(times), "p50_ms": statistics.median(times) * 1000,
                              "max_ms": max(times) * 1000, "mean_kb": statistics.mean(sizes) / 1024}
            sa_db.session.remove()
            sa_db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--pdfs", type=int, default=1000)
    args = parser.parse_args()
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for i, db in enumerate(["sqlite", "postgres"] if args.db == "both" else [args.db]):
        out = study(db, args.rows, args.pdfs if i == 0 else 0)
        stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
        (results_dir / f"postfiling-{db}-{stamp}.json").write_text(json.dumps(out, indent=2, default=str))
        print(f"\n=== post-training filing, {db}, {args.rows} rows (file {out['file_bytes'] / 1024:.0f} KB) ===")
        for step in ("template", "import", "refused", "file"):
            f = out[step]
            extra = {k: v for k, v in f.items() if k not in ("wall_s", "cpu_s", "peak_rss_mb")}
            print(f"{step:<10}wall {f['wall_s']:6.2f} s  cpu {f['cpu_s']:6.2f} s  "
                  f"peak memory +{f['peak_rss_mb']:6.1f} MB  {extra}")
        if "pdf" in out:
            p = out["pdf"]
            print(f"pdf       {p['count']} certificates in {p['total_s']:.1f} s: p50 {p['p50_ms']:.0f} ms, "
                  f"max {p['max_ms']:.0f} ms, {p['mean_kb']:.0f} KB each")


if __name__ == "__main__":
    main()
