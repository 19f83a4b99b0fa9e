"""The unit-change plug-in (更换上级部门, 修改单位信息): what ``bpmn/unit_parent_change.bpmn`` and
``bpmn/unit_change.bpmn`` may name, and how a change shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...i18n import _l
from ...services.actors import Actor
from ...services.plugins import Decision, Fact, NavLink, ProcessPlugin, Summary, org_reviewers, reviewers
from . import api, pages, service
from .models import INFO, UnitChange
from .views import KINDS, change_view


def _apply(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.move_org(host.record)


def _apply_info(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.apply_info(host.record, host.actor)


def _title(record: UnitChange) -> str:
    if record.kind == INFO:
        parts = [f"{record.old_name} → {record.new_name}" if record.new_name else None,
                 f"{record.old_code or '-'} → {record.new_code}" if record.new_code else None]
        return "; ".join(p for p in parts if p)
    old = record.old_parent.name if record.old_parent else "-"
    new = record.new_parent.name if record.new_parent else "-"
    return f"{old} → {new}"


class UnitChangePlugin(ProcessPlugin):
    name = "unit_change"
    order = 40
    record_type = service.RECORD_TYPE
    processes = {"unit_parent_change": N_("变更上级主管部门"), "unit_change": N_("修改单位信息")}
    model = UnitChange
    label = _l("Change of an organisation")
    lanes = {"unit": org_reviewers("org_id", service.STAFF_ROLES),
             "old_parent": reviewers(lambda change: [change.old_parent_id]),
             "new_parent": reviewers(lambda change: [change.new_parent_id]),
             "parent": reviewers(lambda change: [change.old_parent_id])}  # the parent when it was asked
    handlers = {"apply_parent_change": _apply, "apply_info_change": _apply_info}
    decisions = {"reject": Decision(_l("Turn down"), _l("Turned down."))}  # 通过 / 驳回 (seed 001)
    actions = {"request": _l("Change requested"), "old_parent_review": _l("Review by the old parent"),
               "new_parent_review": _l("Review by the new parent"), "cancel": _l("Change cancelled"),
               "parent_review": _l("Review by the parent authority"),
               "unit_info_change": _l("Organisation name or credit code changed")}
    record_template = "unit_change/_record.html"
    nav = (NavLink("unit_change.info", _l("Change organisation information"), frozenset(service.INFO_ROLES),
                   frozenset(service.CHANGEABLE), order=39),
           NavLink("unit_change.request", _l("Change parent authority"), frozenset(service.STAFF_ROLES),
                   frozenset(service.CHANGEABLE), order=40),
           NavLink("unit_change.review", _l("Review organisation changes"), frozenset({"reviewer"}),
                   frozenset({"authority"}), order=41))

    def visible(self, record: UnitChange, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: UnitChange) -> Summary:
        return Summary(subject=record.org.name, title=_title(record),
                       facts=(Fact(N_("Kind of change"), KINDS.get(record.kind, record.kind), translate=True),
                              Fact(N_("Reason"), record.reason)))

    def year(self, record: UnitChange) -> int | None:
        return record.created_at.year if record.created_at else None

    def present(self, record: UnitChange, actor: Actor) -> dict[str, Any]:
        return change_view(record)

    def record_url(self, record: UnitChange, actor: Actor) -> str | None:
        return url_for("unit_change.detail", change_id=record.id) if service.visible(record, actor) else None

    def check_context(self, records: list[UnitChange]) -> dict[str, Any]:
        return service.parents_after_changes([r.org_id for r in records if r.status == "approved"])

    def check_record(self, report: Any, instance: Any, record: UnitChange, context: dict[str, Any]) -> None:
        if (record.applied_at is not None) != (record.status == "approved"):
            report.add(instance.id, "record", f"unit change {record.id} status {record.status!r} "
                                              f"with applied_at={record.applied_at}")
        latest, parent = context.get(record.org_id, (None, None))
        if latest == record.id and parent != record.new_parent_id:
            report.add(instance.id, "record", f"unit change {record.id} is the organisation's latest approved "
                                              f"change, to parent {record.new_parent_id}, but its parent is {parent}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]


PLUGIN = UnitChangePlugin()
