"""The supplementary-claim plug-in (学时增补): what ``bpmn/supplementary_claim.bpmn`` may name, and how a
supplement shows."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import url_for
from sqlalchemy import func, select

from ...domain import N_
from ...domain.credit_routes import ROUTE_LABELS
from ...domain.idnumber import mask
from ...extensions import db
from ...i18n import _l
from ...models import HourEntry
from ...services import attachments, ledger
from ...services.actors import Actor
from ...services.plugins import (
    Decision,
    Fact,
    NavLink,
    NoInputs,
    ProcessPlugin,
    StepForm,
    Summary,
    org_reviewers,
    person,
)
from . import api, pages, service
from .models import Supplementary
from .views import supplementary_view


def _credit(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.credit_hours(host.record)


class SupplementaryClaimPlugin(ProcessPlugin):
    name = "supplementary_claim"
    order = 25
    record_type = service.RECORD_TYPE
    processes = {"supplementary_claim": N_("学时增补")}
    model = Supplementary
    label = _l("Supplementary claim")
    lanes = {"trainee": person("trainee_id"), "unit": org_reviewers("unit_id"),
             "office": org_reviewers("office_id"), "province": org_reviewers("province_id")}
    handlers = {"credit_supplementary_hours": _credit}
    forms = {
        "consent": StepForm(NoInputs, apply=lambda ctx: service.answer(ctx.record, ctx.decision)),
        "submission": StepForm(NoInputs, apply=lambda ctx: service.check_submission(ctx.record, first_time=True)),
        "resubmission": StepForm(NoInputs,
                                 apply=lambda ctx: service.check_submission(ctx.record, first_time=False)),
        "filing": StepForm(NoInputs, apply=lambda ctx: service.check_filing(ctx.record),
                           decisions=frozenset({"approve"})),
    }
    decisions = {"agree": Decision(_l("Agree to the supplement"), _l("Supplement agreed.")),
                 "refuse": Decision(_l("Refuse the supplement"), _l("Supplement refused."))}
    actions = {"create": _l("Supplement asked for"), "consent": _l("Unit's answer"),
               "unit_review": _l("企业审核"), "office_review": _l("Credit-hour office review"),
               "provincial_filing": _l("Provincial filing"), "cancel": _l("Supplement withdrawn"),
               "entry_add": _l("Entry added"), "entry_edit": _l("Entry changed"),
               "entry_remove": _l("Entry removed"), "file_add": _l("Proof uploaded"),
               "file_remove": _l("Proof removed")}
    record_template = "supplementary_claim/_record.html"
    has_files = True
    nav = (NavLink("supplementary_claim.home", _l("Supplementary hours"), frozenset({"trainee"}), order=12),)
    checks = {"supplementary_ledger": "a filed supplement stands in last year's ledger once with its hours "
                                      "and route; any other with none"}
    ledger_sources = {service.RECORD_TYPE: N_("学时增补")}

    def visible(self, record: Supplementary, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: Supplementary) -> Summary:
        return Summary(
            subject=record.trainee.name, subject_id_number=mask(record.trainee.id_number),
            title=f"{record.year}年度学时增补",
            facts=(Fact(N_("Claim route"), ROUTE_LABELS[record.route], translate=True),
                   Fact(N_("Year supplemented"), str(record.year)),
                   Fact(N_("Hours supplemented"), f"{record.hours_total:.1f}"),
                   Fact(N_("Unit"), record.unit.name)))

    def subject_user_id(self, record: Supplementary) -> int | None:
        return record.trainee_id

    def present(self, record: Supplementary, actor: Actor) -> dict[str, Any]:
        return supplementary_view(record)

    def files(self, record: Supplementary) -> list[Any]:
        return attachments.files_of(self.record_type, record.id)

    def record_url(self, record: Supplementary, actor: Actor) -> str | None:
        return url_for("supplementary_claim.detail", record_id=record.id) if record.trainee_id == actor.id else None

    def check_context(self, records: list[Supplementary]) -> dict[str, Any]:
        """What the ledger holds per supplement: (person, year, route) -> net hours."""
        standing: dict[int, dict[tuple[int, int, str | None], Decimal]] = {}
        ids = [r.id for r in records]
        if ids:
            rows = db.session.execute(
                select(HourEntry.source_id, HourEntry.user_id, HourEntry.year, HourEntry.route,
                       func.sum(HourEntry.hours))
                .where(HourEntry.source == self.record_type, HourEntry.source_id.in_(ids))
                .group_by(HourEntry.source_id, HourEntry.user_id, HourEntry.year, HourEntry.route))
            for record_id, user, year, route, hours in rows:
                net = Decimal(str(hours)).quantize(ledger.ONE_DECIMAL)
                if net:
                    standing.setdefault(record_id, {})[(user, year, route)] = net
        return {"ledger": standing}

    def check_record(self, report: Any, instance: Any, record: Supplementary, context: dict[str, Any]) -> None:
        report.checked["supplementary_ledger"] += 1
        standing = context["ledger"].get(record.id, {})
        expected = ({(record.trainee_id, record.year, record.route): record.hours_total}
                    if record.status == "filed" else {})
        if standing != expected:
            report.add(instance.id, "supplementary_ledger",
                       f"supplement {record.id} status {record.status!r}: the ledger credits "
                       f"{standing or 'nothing'}, expected {expected or 'nothing'}")
        if record.status == "filed" and record.consent != "agreed":
            report.add(instance.id, "record", f"supplement {record.id} filed without the unit's agreement")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]


PLUGIN = SupplementaryClaimPlugin()
