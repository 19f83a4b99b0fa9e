"""The growth study's bulk loader writes exactly what the app would have written.

Its rows are clones of real lifecycles; if the app's rows change shape (a new column, a
different engine state, a new event) and the loader is not updated, the figures in
docs/performance.md would describe a database the app never makes. This loads a small SQLite
database and runs the app's own checks over *every* row, not a sample.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bulk_load():
    sys.path.insert(0, str(BENCH))
    try:
        import bulk_load as module
        yield module
    finally:
        sys.path.remove(str(BENCH))


def test_bulk_rows_pass_the_apps_audit_and_consistency_checks(bulk_load, tmp_path):
    url = f"sqlite:///{tmp_path / 'growth.db'}"
    first = bulk_load.load(url, 300, 40, seed=3, verify=0, quiet=True)
    assert first["after"]["finished_claims"] >= 300
    assert first["after"]["open_tasks"] >= 40
    assert first["after"]["measured_inbox"] >= 4  # 10 % wait for the measured reviewer

    grown = bulk_load.load(url, 600, 80, seed=3, verify=0, quiet=True)  # only what is missing is added
    assert grown["after"]["finished_claims"] == pytest.approx(600, abs=5)
    assert grown["after"]["open_tasks"] == pytest.approx(80, abs=5)
    assert grown["after"]["claims"] - first["after"]["claims"] < 400

    from app import create_app
    from app.extensions import db
    from app.services import audit, consistency

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        checked, problems = audit.verify_all()
        assert checked == grown["after"]["instances"] and problems == []
        report = consistency.check_all()
        assert report.ok, report.problems[:5]
        assert report.checked  # it did look at the rows
        db.session.remove()
        db.engine.dispose()
