"""A small course catalogue for tests (rows written directly; the demo brings its own)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.courses.models import Course, CourseCategory
from app.extensions import db


def make_catalogue(app: Any) -> dict[str, int]:
    """行业公需科目 (two courses); 专业科目 → 交通运输 → 规划与设计 (one) and 建设与监理 (one);
    一般公需科目 (one). Durations in seconds; returns ids by name."""
    with app.app_context():
        ids: dict[str, int] = {}

        def category(name: str, subject: str, parent: str | None = None) -> CourseCategory:
            row = CourseCategory(name=name, subject=subject, parent_id=ids.get(parent) if parent else None)
            db.session.add(row)
            db.session.flush()
            ids[name] = row.id
            return row

        def course(title: str, where: str, subject: str, seconds: int, hours: str) -> None:
            row = Course(category_id=ids[where], title=title, kind="document", duration_seconds=seconds,
                         hours=Decimal(hours), subject=subject)
            db.session.add(row)
            db.session.flush()
            ids[title] = row.id

        category("行业公需科目", "public_industry")
        category("一般公需科目", "public_general")
        category("专业科目", "professional")
        category("交通运输", "professional", "专业科目")
        category("规划与设计", "professional", "交通运输")
        category("建设与监理", "professional", "交通运输")
        course("交通运输安全生产法规解读", "行业公需科目", "public_industry", 120, "1.5")
        course("交通强国建设纲要", "行业公需科目", "public_industry", 3600, "2.0")
        course("专业技术人员职业道德", "一般公需科目", "public_general", 1800, "1.0")
        course("公路路线设计规范", "规划与设计", "professional", 5400, "3.0")
        course("公路工程施工监理", "建设与监理", "professional", 2700, "1.5")
        db.session.commit()
        return ids
