"""What the online courses bring to the app (registered by ``create_app``: they are not a review
process, so no plug-in discovery): their API and pages, and their consistency check."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..domain import N_
from ..extensions import db
from ..i18n import _l
from ..models import HourEntry
from ..services.plugins import Feature, NavLink
from . import admin, admin_api, admin_pages, api, pages
from .models import Course, MyCourse
from .service import SOURCE


def check_credits(report: Any) -> None:
    """The online courses' credits (``source = 'course'``) against the finished courses: net hours
    per my-course equal the course's hours under its subject when finished, nothing otherwise."""
    report.checked["courses"] += 0  # listed even with no course studied yet
    standing: dict[int, tuple[int, str, Any]] = {}
    for source_id, user_id, category, hours in db.session.execute(
            select(HourEntry.source_id, HourEntry.user_id, HourEntry.category, func.sum(HourEntry.hours))
            .where(HourEntry.source == SOURCE).group_by(HourEntry.source_id, HourEntry.user_id, HourEntry.category)):
        standing[source_id] = (user_id, category, hours)
    rows = db.session.execute(select(MyCourse.id, MyCourse.user_id, MyCourse.completed_at, Course.hours,
                                     Course.subject).join(Course, Course.id == MyCourse.course_id))
    for my_id, user_id, completed_at, hours, subject in rows:
        report.checked["courses"] += 1
        found = standing.pop(my_id, None)
        expected = (user_id, subject, hours) if completed_at is not None else None
        if found is None and expected is None:
            continue
        if found is None or expected is None or found[:2] != expected[:2] or float(found[2]) != float(expected[2]):
            report.add(None, "courses", f"my-course {my_id} (finished={completed_at is not None}): ledger {found}, "
                                        f"expected {expected}")
    for my_id, found in standing.items():
        report.add(None, "courses", f"ledger credits my-course {my_id}, which does not exist: {found}")


FEATURE = Feature(
    name="courses", api_blueprints=(api.blp, admin_api.blp), page_blueprints=(pages.blp, admin_pages.blp),
    checks={"courses": ("each finished online course stands in the ledger once with its hours and subject; "
                        "nothing else does", check_credits)},
    ledger_sources={SOURCE: N_("在线学习")},
    nav=(NavLink("courses_pages.mine", _l("My courses"), frozenset({"trainee"}), order=13),
         NavLink("courses_pages.catalogue", _l("Online courses"), frozenset({"trainee"}), order=14),
         NavLink("course_admin_pages.courses", _l("课程管理"), frozenset({admin.ROLE}), order=20),
         NavLink("course_admin_pages.categories", _l("课程分类管理"), frozenset({admin.ROLE}), order=21)))
