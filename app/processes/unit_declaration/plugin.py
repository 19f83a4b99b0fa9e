"""The unit-declaration plug-in (单位学时申报): what ``bpmn/unit_declaration.bpmn`` may name, and how one shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...domain.idnumber import mask
from ...i18n import _, _l
from ...models.ledger import CATEGORY_LABELS
from ...services import attachments, ledger
from ...services.actors import Actor
from ...services.plugins import Decision, Fact, NavLink, ProcessPlugin, StepForm, Summary, org_reviewers
from ...validation import HoursIn, StrictSchema
from . import api, demo, pages, service
from .models import Declaration
from .views import declaration_view

UNIT = frozenset(service.UNIT_ROLES)
CREDITED = ("approved", "verified")  # the hours stand in the ledger
CREDITED_ONCE = ("revoked",)  # credited, then reversed


class RecognisedHours(StrictSchema):
    hours = HoursIn(allow_none=True, metadata={"label": _l("认定学时")})


def _credit(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.credit(host.record)


def _revoke(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.revoke(host.record)


class UnitDeclarationPlugin(ProcessPlugin):
    name = "unit_declaration"
    order = 35
    record_type = service.RECORD_TYPE
    processes = {"unit_declaration": N_("单位学时申报")}
    model = Declaration
    label = _l("单位学时申报")
    lanes = {"unit": org_reviewers("unit_id", service.UNIT_ROLES),
             "authority": org_reviewers("authority_id", service.AUTHORITY_ROLES)}
    handlers = {"credit_declaration": _credit, "revoke_declaration": _revoke}
    forms = {"recognised_hours": StepForm(
        RecognisedHours, apply=lambda ctx: service.set_recognised(ctx.record, ctx.values.get("hours")),
        defaults=lambda record: {"hours": record.hours}, decisions=frozenset({"approve"}))}
    decisions = {"pass": Decision(_l("审验通过"), _l("审验通过。")),
                 "fail": Decision(_l("审验不通过"), _l("审验不通过，学时已撤销。"))}
    actions = {"declare": _l("单位提交申报"), "review": _l("Authority review"),
               "verification": _l("学时审验"), "file_add": _l("Proof uploaded")}
    record_template = "unit_declaration/_record.html"
    has_files = True
    nav = (NavLink("unit_declaration.declare", _l("学时申报"), UNIT, frozenset({"unit"}), order=25),
           NavLink("unit_declaration.records", _l("查看申报记录"), UNIT, frozenset({"unit"}), order=26),
           NavLink("unit_declaration.mine", _l("单位申报学时"), frozenset({"trainee"}), order=15))
    checks = {"declaration_ledger": "an approved declaration stands in the ledger once with its hours under its "
                                    "subject; a revoked one nets to zero with its reversal kept; nothing else"}
    ledger_sources = {service.RECORD_TYPE: N_("单位申报")}

    def visible(self, record: Declaration, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: Declaration) -> Summary:
        return Summary(
            subject=record.person.name, subject_id_number=mask(record.person.id_number),
            title=f"{record.year} {record.class_name or record.school or record.content or ''}".strip(),
            facts=(Fact(N_("学习形式"), service.form_label(record.learning_form), translate=True),
                   Fact(N_("Subject"), CATEGORY_LABELS[record.subject], translate=True),
                   Fact(N_("申报学时"), f"{record.hours:.1f}"),
                   Fact(N_("申报单位"), record.unit.name)))

    def subject_user_id(self, record: Declaration) -> int | None:
        return record.person_id

    def year(self, record: Declaration) -> int | None:
        return record.year

    def present(self, record: Declaration, actor: Actor) -> dict[str, Any]:
        return declaration_view(record)

    def files(self, record: Declaration) -> list[Any]:
        return attachments.files_of(self.record_type, record.id)

    def record_url(self, record: Declaration, actor: Actor) -> str | None:
        if record.unit_id in service.my_units(actor) or record.person_id == actor.id:
            return url_for("unit_declaration.detail", declaration_id=record.id)
        return None

    def log_remark(self, event: Any) -> list[str]:
        hours = (event.data or {}).get("hours")
        if hours and event.decision == "approve":
            return [_("%(hours)s hours recognised.", hours=hours)]
        return []

    def check_context(self, records: list[Declaration]) -> dict[str, Any]:
        ids = [r.id for r in records]
        return {"net": ledger.net_by_source(self.record_type, ids),
                "entries": service.ledger_rows(ids)}

    def check_record(self, report: Any, instance: Any, record: Declaration, context: dict[str, Any]) -> None:
        name = f"declaration {record.id}"
        report.checked["declaration_ledger"] += 1
        standing = {user: hours for (rid, user), hours in context["net"].items() if rid == record.id and hours}
        entries = [e for e in context["entries"] if e.source_id == record.id]
        expected = {record.person_id: record.hours_recognised} if record.status in CREDITED else {}
        problems = []
        if standing != expected:
            problems.append(f"the ledger credits {standing or 'nothing'}, expected {expected or 'nothing'}")
        credits = [e for e in entries if e.reverses_id is None]
        if record.status in CREDITED + CREDITED_ONCE:
            if len(credits) != 1 or credits[0].category != record.subject or credits[0].year != record.year:
                problems.append(f"{len(credits)} credit(s), expected one under {record.subject} for {record.year}")
        elif entries:
            problems.append(f"{len(entries)} ledger row(s) for a declaration never approved")
        if record.status in CREDITED_ONCE and len(entries) != 2:
            problems.append("a revoked declaration keeps its credit and one reversal")
        if (record.revoked_at is not None) != (record.status == "revoked"):
            problems.append(f"revoked_at={record.revoked_at} with status {record.status!r}")
        for problem in problems:
            report.add(instance.id, "declaration_ledger", f"{name} status {record.status!r}: {problem}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        """Last year's declarations of 工程公司 for its staff, one in each state."""
        demo.load(world)


PLUGIN = UnitDeclarationPlugin()
