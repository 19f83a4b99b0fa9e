"""The demo's course catalogue for tests (made by ``app/courses/demo.py`` in every test's world)."""
from __future__ import annotations

from typing import Any

from app.courses.models import Course, CourseCategory
from app.extensions import db


def make_catalogue(app: Any, short: str | None = "交通运输安全生产法规解读") -> dict[str, int]:
    """The ids of the demo's categories and courses by name; ``short`` is cut to two minutes of
    study (120 s), so a test can finish it in four 30-second beats."""
    with app.app_context():
        ids = {row.name: row.id for row in db.session.scalars(db.select(CourseCategory))}
        ids.update({row.title: row.id for row in db.session.scalars(db.select(Course))})
        if short:
            db.session.get(Course, ids[short]).duration_seconds = 120
            db.session.commit()
        return ids
