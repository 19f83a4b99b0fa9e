"""The class publication plug-in (培训班信息): what ``bpmn/class_publication.bpmn`` may name."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...i18n import _l
from ...services.actors import Actor
from ...services.plugins import (
    Decision,
    Fact,
    NavLink,
    NoInputs,
    ProcessPlugin,
    StepContext,
    StepForm,
    Summary,
    org_reviewers,
)
from . import api, demo, pages, service
from .models import ProviderClass
from .views import class_view


def _submission(ctx: StepContext) -> dict[str, Any]:
    return service.check_submission(ctx.record)


def _opening(ctx: StepContext) -> dict[str, Any]:
    return service.check_opening(ctx.record)


def _approved(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.mark_approved(host.record)


def _closed(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.mark_closed(host.record)


def _discard(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.discard(host.record)


PROVIDER_STAFF = frozenset(service.PROVIDER_ROLES)


class ClassPublicationPlugin(ProcessPlugin):
    name = "class_publication"
    order = 51
    record_type = service.RECORD_TYPE
    processes = {"class_publication": N_("培训班信息")}
    model = ProviderClass
    label = _l("Class")
    lanes = {"provider": org_reviewers("provider_id", service.PROVIDER_ROLES),
             "hr": org_reviewers("hr_id", service.REVIEWER_ROLES)}
    handlers = {"approve_class": _approved, "close_class": _closed, "discard_class": _discard}
    forms = {"submission": StepForm(NoInputs, apply=_submission),
             "opening": StepForm(NoInputs, apply=_opening)}
    decisions = {"rollback": Decision(_l("Send back for changes"), _l("Sent back for changes.")),
                 "reject": Decision(_l("Refuse the change"), _l("The change was refused; the class stays open."))}
    actions = {"create": _l("Class created"), "submit": _l("Class submitted"), "resubmit": _l("Class resubmitted"),
               "hr_review": _l("HR department's review"), "open": _l("Class opened (开启)"),
               "request_change": _l("Change requested"), "change_review": _l("Change request reviewed"),
               "delete": _l("Draft deleted")}
    record_template = "class_publication/_record.html"
    log_caption = _l("Review log")
    nav = (NavLink("class_publication.index", _l("Classes"), PROVIDER_STAFF, frozenset({"provider"}), order=31),)

    def visible(self, record: ProviderClass, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: ProviderClass) -> Summary:
        window = (f"{record.enrol_from.isoformat()} ~ {record.enrol_until.isoformat()}"
                  if record.enrol_from and record.enrol_until else "-")
        return Summary(subject=record.provider.name, title=record.name or "-",
                       facts=(Fact(N_("Enrolment"), window),
                              Fact(N_("Seats"), str(record.seat_limit) if record.seat_limit else "-")))

    def engine_data(self, record: ProviderClass) -> dict[str, Any]:
        """``closes_at``: when the open class's wait ends (its timer: the resubmit deadline passed);
        ``asked_while_open``: where a refused change request returns the class."""
        facts: dict[str, Any] = {"asked_while_open": record.asked_while_open}
        if record.resubmit_until:
            facts["closes_at"] = service.closes_at(record)
        return facts

    def year(self, record: ProviderClass) -> int | None:
        return record.prefiling.year

    def present(self, record: ProviderClass, actor: Actor) -> dict[str, Any]:
        return class_view(record)

    def record_url(self, record: ProviderClass, actor: Actor) -> str | None:
        return url_for("class_publication.detail", class_id=record.id) if service.visible(record, actor) else None

    def check_record(self, report: Any, instance: Any, record: ProviderClass, context: dict[str, Any]) -> None:
        if record.status == service.OPEN and (record.approved_at is None or record.opened_at is None):
            report.add(instance.id, "record", f"class {record.id} open but approved_at={record.approved_at}, "
                                              f"opened_at={record.opened_at}")
        if (record.closed_at is not None) != (record.status == "closed"):
            report.add(instance.id, "record", f"class {record.id} status {record.status!r} "
                                              f"with closed_at={record.closed_at}")
        if record.seat_limit and record.seats_taken > record.seat_limit:
            report.add(instance.id, "record", f"class {record.id} has {record.seats_taken} seats taken "
                                              f"of {record.seat_limit}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        demo.load(world)


PLUGIN = ClassPublicationPlugin()
