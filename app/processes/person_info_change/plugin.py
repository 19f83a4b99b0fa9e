"""The person-info-change plug-in (人员信息修改): what ``bpmn/person_info_change.bpmn`` may name, and how a
change shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...domain.idnumber import mask
from ...i18n import _l, label
from ...services.actors import Actor
from ...services.plugins import Decision, Fact, NavLink, ProcessPlugin, Summary, org_reviewers, person
from . import api, pages, service
from .models import PersonInfoChange
from .views import change_view

UNIT_STAFF = frozenset(service.STAFF_ROLES)


def _apply(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.apply(host.record)


class PersonInfoChangePlugin(ProcessPlugin):
    name = "person_info_change"
    order = 33
    record_type = service.RECORD_TYPE
    processes = {"person_info_change": N_("人员信息修改")}
    model = PersonInfoChange
    label = _l("Person info change")
    lanes = {"trainee": person("person_id"),
             "unit": org_reviewers("unit_id", service.STAFF_ROLES)}
    handlers = {"apply_person_info_change": _apply}
    decisions = {"reject": Decision(_l("Turn down"), _l("Turned down."))}  # 审核通过 / 驳回 (seed 001 §3.3)
    actions = {"request": _l("Change of details asked"), "unit_review": _l("Unit review of the change"),
               "withdraw": _l("Change withdrawn")}
    record_template = "person_info_change/_record.html"
    nav = (NavLink("person_info_change.mine", _l("My details"), frozenset({"trainee"}), order=13),
           NavLink("person_info_change.reviews", _l("Person info changes"), UNIT_STAFF, frozenset({"unit"}),
                   order=23))

    def visible(self, record: PersonInfoChange, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: PersonInfoChange) -> Summary:
        changed = "、".join(str(service.LABELS[f]) for f in service.FIELDS if f in record.changes)
        return Summary(subject=record.person.name, subject_id_number=mask(record.person.id_number),
                       title=f"{record.year} · {record.unit.name}",
                       facts=(Fact(N_("Details changed"), changed),))

    def subject_user_id(self, record: PersonInfoChange) -> int | None:
        return record.person_id

    def year(self, record: PersonInfoChange) -> int | None:
        return record.year

    def present(self, record: PersonInfoChange, actor: Actor) -> dict[str, Any]:
        return change_view(record)

    def record_url(self, record: PersonInfoChange, actor: Actor) -> str | None:
        if record.person_id == actor.id:
            return url_for("person_info_change.mine")
        return url_for("person_info_change.detail", change_id=record.id) if service.my_units(actor) else None

    def check_record(self, report: Any, instance: Any, record: PersonInfoChange, context: dict[str, Any]) -> None:
        if (record.applied_at is not None) != (record.status == "approved"):
            report.add(instance.id, "record", f"person info change {record.id} status {record.status!r} "
                                              f"with applied_at={record.applied_at}")

    def log_remark(self, event: Any) -> list[str]:
        fields = (event.data or {}).get("fields") if event.action == "request" else None
        return ["、".join(str(label(service.LABELS[f])) for f in fields if f in service.LABELS)] if fields else []

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]


PLUGIN = PersonInfoChangePlugin()
