"""The unit-registration plug-in (用人单位注册, 审核用人单位): what ``bpmn/unit_registration.bpmn`` may
name, and how a registration shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...clock import utcnow
from ...domain import N_
from ...i18n import _l
from ...services.actors import Actor
from ...services.plugins import NO_ROLE, Fact, NavLink, ProcessPlugin, Summary, org_reviewers, person
from . import api, pages, service
from .models import UnitRegistration
from .views import registration_view

DEMO_AUTHORITY = "演示市交通运输局"
DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - the documented demo password


def _create(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.create_unit(host.record, host.actor, host.instance.process_key)


class UnitRegistrationPlugin(ProcessPlugin):
    name = "unit_registration"
    order = 60
    record_type = service.RECORD_TYPE
    processes = {"unit_registration": N_("用人单位注册")}
    model = UnitRegistration
    label = _l("Unit registration")
    lanes = {"applicant": person("applicant_id"), "authority": org_reviewers("parent_id", service.REVIEW_ROLES)}
    handlers = {"create_registered_unit": _create}
    actions = {"register": _l("Unit registered"), "review": _l("审核用人单位")}
    record_template = "unit_registration/_record.html"
    public_endpoints = frozenset({"unit_registrations.register", "unit_registration.register"})
    nav = (NavLink("unit_registration.mine", _l("My unit registration"), frozenset({NO_ROLE}), order=10),
           NavLink("unit_registration.review", _l("审核用人单位"), frozenset(service.REVIEW_ROLES),
                   frozenset({"authority"}), order=42))

    def visible(self, record: UnitRegistration, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: UnitRegistration) -> Summary:
        return Summary(subject=record.name, title=f"{record.credit_code} · {record.unit_type} · {record.industry}",
                       facts=(Fact(N_("Parent authority"), record.parent.name),
                              Fact(N_("Administrator"), f"{record.applicant.name} {record.applicant.phone or ''}")))

    def year(self, record: UnitRegistration) -> int | None:
        return record.created_at.year if record.created_at else None

    def on_saved(self, record: UnitRegistration, snapshot: Any) -> None:
        super().on_saved(record, snapshot)
        if snapshot.completed and record.decided_at is None:
            record.decided_at = utcnow()

    def present(self, record: UnitRegistration, actor: Actor) -> dict[str, Any]:
        return registration_view(record, with_log=False)

    def record_url(self, record: UnitRegistration, actor: Actor) -> str | None:
        return url_for("unit_registration.detail", registration_id=record.id) if service.visible(record, actor) \
            else None

    def check_record(self, report: Any, instance: Any, record: UnitRegistration, context: dict[str, Any]) -> None:
        if (record.org_id is not None) != (record.status == "approved"):
            report.add(instance.id, "record", f"unit registration {record.id} status {record.status!r} "
                                              f"with org_id={record.org_id}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        """One registration waiting for 演示市交通运输局 (its applicant logs in with the demo password)."""
        service.demo_registration(world.orgs[DEMO_AUTHORITY], DEMO_PASSWORD)


PLUGIN = UnitRegistrationPlugin()
