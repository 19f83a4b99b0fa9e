"""What the task page shows of the record behind a task (a claim or an enrolment)."""
from __future__ import annotations

from typing import Any

from ...domain.routes import JOURNAL_LABELS, LEVEL_LABELS
from ...i18n import _, label
from ...services import claims, enrollments, presenters
from ...services.actors import Actor

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
PDF_TYPE = "application/pdf"


def route_details(route: str, details: dict[str, Any]) -> list[str]:
    """The claim's route details as sentences (the form's fields, in words)."""
    lines = []
    if "subjects_passed" in details:
        lines.append(_("Subjects passed: %(n)s", n=details["subjects_passed"]))
    if "level" in details:
        lines.append(_("Level: %(level)s", level=label(LEVEL_LABELS.get(details["level"], details["level"]))))
    if details.get("stated_hours") is not None:
        lines.append(_("Hours stated by the seminar: %(n)s", n=details["stated_hours"]))
    if "days" in details:
        lines.append(_("Days: %(n)s", n=details["days"]))
    if "journal" in details:
        lines.append(_("Journal: %(journal)s",
                       journal=label(JOURNAL_LABELS.get(details["journal"], details["journal"]))))
    if "count" in details:
        lines.append(_("Papers (or 10,000-word units): %(n)s", n=details["count"]))
    if "rank" in details:
        lines.append(_("Author or contributor rank: %(n)s", n=details["rank"]))
    if "courses_passed" in details:
        lines.append(_("Courses passed: %(n)s", n=details["courses_passed"]))
    return lines


def file_size(size: int | None) -> str:
    size = size or 0
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=f"{size / (1024 * 1024):.1f}")
    return _("%(n)s KB", n=f"{max(size, 1) / 1024:.1f}")


def preview_kind(content_type: str | None) -> str | None:
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type == PDF_TYPE:
        return "pdf"
    return None


def claim_record(record_id: int, actor: Actor) -> dict[str, Any]:
    claim = claims.get_visible(record_id, actor)
    view = presenters.claim_view(claim)
    view["details_text"] = route_details(claim.route, claim.details or {})
    for item in view["files"]:
        item["size_text"] = file_size(item["size"])
        item["preview"] = preview_kind(item["content_type"])
    return view


ENROLMENT_CHOICES = ("identity_type", "political_status", "education", "title")


def enrollment_record(record_id: int, actor: Actor) -> dict[str, Any]:
    view = presenters.enrollment_view(enrollments.get_visible(record_id, actor))
    for key in ENROLMENT_CHOICES:
        view[key + "_text"] = label(view[key])
    return view


def record_for(record_type: str, record_id: int, actor: Actor) -> dict[str, Any]:
    """The record through its own visibility check (NotFound when the actor may not see it)."""
    if record_type == "claim":
        return claim_record(record_id, actor)
    return enrollment_record(record_id, actor)
