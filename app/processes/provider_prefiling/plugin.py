"""The pre-training filing plug-in (培训前备案): what ``bpmn/provider_prefiling.bpmn`` may name."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...i18n import _l
from ...services import attachments
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
    reviewers,
)
from . import api, demo, pages, service
from .models import PreFiling
from .views import filing_view


def _submission(ctx: StepContext) -> dict[str, Any]:
    return service.check_submission(ctx.record)


def _stamped(ctx: StepContext) -> dict[str, Any]:
    return service.check_stamped(ctx.record)


def _route(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.route_to_hr(host.record)


def _filed(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.mark_filed(host.record)


def _discard(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.discard(host.record)


PROVIDER_STAFF = frozenset(service.PROVIDER_ROLES)


class ProviderPrefilingPlugin(ProcessPlugin):
    name = "provider_prefiling"
    order = 50
    record_type = service.RECORD_TYPE
    processes = {"provider_prefiling": N_("培训前备案")}
    model = PreFiling
    label = _l("Pre-training filing")
    lanes = {"provider": org_reviewers("provider_id", service.PROVIDER_ROLES),
             "supervisor": org_reviewers("supervisor_id", service.REVIEWER_ROLES),
             "hr": reviewers(lambda filing: [filing.hr_id], service.REVIEWER_ROLES)}
    handlers = {"route_to_hr": _route, "file_prefiling": _filed, "discard_prefiling": _discard}
    forms = {"submission": StepForm(NoInputs, apply=_submission),
             "stamped_form": StepForm(NoInputs, apply=_stamped)}
    decisions = {"rollback": Decision(_l("Roll back"), _l("Rolled back for changes.")),
                 "forward": Decision(_l("Forward to the HR department"), _l("Forwarded to the HR department."))}
    actions = {"create": _l("Filing created"), "submit": _l("Filing submitted"), "resubmit": _l("Filing resubmitted"),
               "supervisor_review": _l("Supervisor's review"), "upload_stamped": _l("Stamped filing form sent"),
               "forward": _l("Supervisor's forwarding"), "hr_review": _l("HR department's review"),
               "delete": _l("Draft deleted")}
    record_template = "provider_prefiling/_record.html"
    log_caption = _l("Review log")
    has_files = True
    nav = (NavLink("provider_prefiling.index", _l("Pre-training filings"), PROVIDER_STAFF,
                   frozenset({"provider"}), order=30),)

    def visible(self, record: PreFiling, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: PreFiling) -> Summary:
        dates = (f"{record.starts_on.isoformat()} ~ {record.ends_on.isoformat()}"
                 if record.starts_on and record.ends_on else "-")
        return Summary(subject=record.provider.name, title=record.class_name or "-",
                       facts=(Fact(N_("Class dates"), dates),
                              Fact(N_("Total hours"), str(record.total_hours) if record.total_hours else "-")))

    def year(self, record: PreFiling) -> int | None:
        return record.year

    def present(self, record: PreFiling, actor: Actor) -> dict[str, Any]:
        return filing_view(record)

    def files(self, record: PreFiling) -> list[Any]:
        return attachments.files_of(self.record_type, record.id)

    def record_url(self, record: PreFiling, actor: Actor) -> str | None:
        return url_for("provider_prefiling.detail", filing_id=record.id) if service.visible(record, actor) else None

    def check_record(self, report: Any, instance: Any, record: PreFiling, context: dict[str, Any]) -> None:
        if (record.filed_at is not None) != (record.status == "filed"):
            report.add(instance.id, "record", f"pre-filing {record.id} status {record.status!r} "
                                              f"with filed_at={record.filed_at}")
        if record.status in ("hr_review", "filed") and record.hr_id is None:
            report.add(instance.id, "record", f"pre-filing {record.id} at {record.status!r} with no HR department")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        demo.load(world)


PLUGIN = ProviderPrefilingPlugin()
