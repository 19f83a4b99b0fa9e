"""What the API and the pages show of courses."""
from __future__ import annotations

from typing import Any

from ..i18n import label
from ..models.ledger import CATEGORY_LABELS as SUBJECT_LABELS
from .admin import studied, studied_ids
from .models import Course, CourseCategory, MyCourse
from .service import progress


def category_view(row: CourseCategory) -> dict[str, Any]:
    return {"id": row.id, "parent_id": row.parent_id, "name": row.name, "subject": row.subject,
            "subject_label": label(SUBJECT_LABELS[row.subject])}


def course_view(row: Course) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "category": category_view(row.category), "kind": row.kind,
            "duration_seconds": row.duration_seconds, "hours": float(row.hours), "subject": row.subject,
            "subject_label": label(SUBJECT_LABELS[row.subject])}


def my_course_view(row: MyCourse) -> dict[str, Any]:
    return {"course": course_view(row.course), "added_at": row.added_at, **progress(row)}


def admin_category_view(row: CourseCategory) -> dict[str, Any]:
    return {**category_view(row), "active": row.active}


def admin_course_view(row: Course, is_studied: bool | None = None) -> dict[str, Any]:
    """``is_studied`` when the caller knows it (a list asks once for all its courses)."""
    return {**course_view(row), "active": row.active, "has_media": bool(row.media_key),
            "media_type": row.media_type, "studied": studied(row) if is_studied is None else is_studied}


def admin_course_list(rows: list[Course]) -> list[dict[str, Any]]:
    done = studied_ids([row.id for row in rows])
    return [admin_course_view(row, row.id in done) for row in rows]
