"""The post-training filing plug-in (培训后备案): what ``bpmn/provider_postfiling.bpmn`` may name."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import func, select

from ...domain import N_
from ...extensions import db
from ...i18n import _l
from ...models import Certificate, HourEntry
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
)
from . import api, pages, service
from .models import PostFiling, PostFilingResult
from .views import postfiling_view


def _submission(ctx: StepContext) -> dict[str, Any]:
    return service.check_submission(ctx.record)


def _filed(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.mark_filed(host.record)


def _discard(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.discard(host.record)


def _count_by_source(model: Any, ids: list[int]) -> dict[int, int]:
    credits_only = [model.reverses_id.is_(None)] if model is HourEntry else [model.revoked_at.is_(None)]
    return dict(db.session.execute(select(model.source_id, func.count()).where(
        model.source == service.RECORD_TYPE, model.source_id.in_(ids), *credits_only).group_by(model.source_id)).all())


class ProviderPostfilingPlugin(ProcessPlugin):
    name = "provider_postfiling"
    order = 53
    record_type = service.RECORD_TYPE
    processes = {"provider_postfiling": N_("培训后备案")}
    model = PostFiling
    label = _l("Post-training filing")
    lanes = {"provider": org_reviewers("provider_id", service.PROVIDER_ROLES),
             "hr": org_reviewers("hr_id", service.REVIEWER_ROLES)}
    handlers = {"file_postfiling": _filed, "discard_postfiling": _discard}
    forms = {"submission": StepForm(NoInputs, apply=_submission)}
    decisions = {"rollback": Decision(_l("Roll back"), _l("Rolled back for changes."))}
    actions = {"create": _l("Filing created"), "submit": _l("Filing submitted"), "resubmit": _l("Filing resubmitted"),
               "import_results": _l("Results imported"), "hr_review": _l("HR department's review"),
               "delete": _l("Draft deleted")}
    record_template = "provider_postfiling/_record.html"
    log_caption = _l("Review log")
    has_files = True
    checks = {"credits": "a filed post-training filing credits and certifies each passing trainee once; "
                         "any other none"}
    ledger_sources = {service.RECORD_TYPE: N_("机构培训")}
    nav = (NavLink("provider_postfiling.index", _l("Post-training filings"), frozenset(service.PROVIDER_ROLES),
                   frozenset({"provider"}), order=33),)

    def visible(self, record: PostFiling, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: PostFiling) -> Summary:
        return Summary(subject=record.provider.name, title=record.name,
                       facts=(Fact(N_("Class dates"), f"{record.klass.prefiling.starts_on} ~ "
                                                      f"{record.klass.prefiling.ends_on}"),
                              Fact(N_("Total hours"), str(record.klass.prefiling.total_hours))))

    def year(self, record: PostFiling) -> int | None:
        return record.year

    def present(self, record: PostFiling, actor: Actor) -> dict[str, Any]:
        return postfiling_view(record)

    def files(self, record: PostFiling) -> list[Any]:
        return attachments.files_of(self.record_type, record.id)

    def record_url(self, record: PostFiling, actor: Actor) -> str | None:
        return url_for("provider_postfiling.detail", filing_id=record.id) if service.visible(record, actor) else None

    def check_context(self, records: list[PostFiling]) -> dict[str, Any]:
        ids = [r.id for r in records]
        passing = dict(db.session.execute(select(PostFilingResult.postfiling_id, func.count()).where(
            PostFilingResult.postfiling_id.in_(ids), PostFilingResult.passed.is_(True))
            .group_by(PostFilingResult.postfiling_id)).all()) if ids else {}
        return {"passing": passing, "credits": _count_by_source(HourEntry, ids) if ids else {},
                "certificates": _count_by_source(Certificate, ids) if ids else {}}

    def check_record(self, report: Any, instance: Any, record: PostFiling, context: dict[str, Any]) -> None:
        report.checked["credits"] += 1
        if (record.filed_at is not None) != (record.status == "filed"):
            report.add(instance.id, "record", f"post-filing {record.id} status {record.status!r} "
                                              f"with filed_at={record.filed_at}")
        expected = context["passing"].get(record.id, 0) if record.status == "filed" else 0
        credits, certs = context["credits"].get(record.id, 0), context["certificates"].get(record.id, 0)
        if (credits, certs) != (expected, expected):
            report.add(instance.id, "credits", f"post-filing {record.id} ({record.status}): {credits} ledger "
                                               f"credits and {certs} certificates for {expected} passing trainees")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]


PLUGIN = ProviderPostfilingPlugin()
