"""The credit-claim plug-in (学时登记): what ``bpmn/credit_claim.bpmn`` may name, and how a claim shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...domain.idnumber import mask
from ...i18n import _, _l
from ...services import attachments, ledger
from ...services.actors import Actor
from ...services.plugins import (
    Fact,
    NavLink,
    ProcessPlugin,
    StepContext,
    StepForm,
    Summary,
    org_reviewers,
    person,
)
from ...validation import HoursIn, StrictSchema
from . import api, pages, service
from .models import Claim
from .routes import ROUTES
from .views import claim_view, route_details

# Versions deployed before step forms named their inputs with ``hours=reviewed|registered``
# and had no form on the trainee's steps; their running instances still need the same rules.
LEGACY_HOURS_FORMS = {"reviewed": "reviewed_hours", "registered": "registered_hours"}
LEGACY_STEP_FORMS = {"prepare": "submission", "revise": "resubmission"}
LEGACY_EDITABLE = frozenset(LEGACY_STEP_FORMS)  # and no ``editable`` either: a draft or returned claim is edited


class NoInputs(StrictSchema):
    """A step that takes nothing but the decision (its rule still applies)."""


class ReviewedHours(StrictSchema):
    hours = HoursIn(allow_none=True, metadata={"label": _l("Reviewed hours")})


class RegisteredHours(StrictSchema):
    hours = HoursIn(allow_none=True, metadata={"label": _l("Registered hours")})


def _cap_hint(claim: Claim) -> dict[str, str]:
    remaining = service.route_remaining(claim.trainee_id, claim.year, claim.route, exclude_claim_id=claim.id)
    return {"hours": _("Applies when approving. This trainee has %(remaining)s hours left on this route "
                       "this year.", remaining=f"{remaining:.1f}")}


def _hours_form(schema: type, field: str, default: str) -> StepForm:
    return StepForm(schema, apply=lambda ctx: service.set_hours(ctx.record, field, ctx.values.get("hours")),
                    defaults=lambda claim: {"hours": getattr(claim, default)}, decisions=frozenset({"approve"}),
                    describe=_cap_hint)


def _submission(first_time: bool) -> StepForm:
    def apply(ctx: StepContext) -> dict[str, Any]:
        return service.check_submission(ctx.record, first_time=first_time)
    return StepForm(NoInputs, apply=apply)


def _credit(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.credit_hours(host.record)


def _discard(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.discard(host.record)


class CreditClaimPlugin(ProcessPlugin):
    name = "credit_claim"
    order = 20
    record_type = service.RECORD_TYPE
    processes = {"credit_claim": N_("学时登记")}
    model = Claim
    label = _l("Credit-hour claim")
    lanes = {"trainee": person("trainee_id"), "unit": org_reviewers("unit_id"),
             "authority": org_reviewers("authority_id")}
    handlers = {"credit_claim_hours": _credit, "discard_claim": _discard}
    forms = {
        "submission": _submission(first_time=True),
        "resubmission": _submission(first_time=False),
        "reviewed_hours": _hours_form(ReviewedHours, "reviewed", "hours_requested"),
        "registered_hours": _hours_form(RegisteredHours, "registered", "hours_reviewed"),
    }
    actions = {"create": _l("New claim"), "unit_review": _l("Unit review"),
               "authority_review": _l("Authority review"), "file_add": _l("Proof uploaded"),
               "file_remove": _l("Proof removed")}
    record_template = "credit_claim/_record.html"
    has_files = True
    log_caption = _l("Claim flow log")
    nav = (NavLink("credit_claim.home", _l("My hours"), frozenset({"trainee"}), order=10),
           NavLink("credit_claim.new_claim", _l("New claim"), frozenset({"trainee"}), order=11))
    checks = {"ledger": "an approved claim stands in the ledger with its registered hours; any other with none"}
    ledger_sources = {service.RECORD_TYPE: N_("学时登记")}

    def visible(self, record: Claim, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: Claim) -> Summary:
        requested = f"{record.hours_requested:.1f}"
        reviewed = f"{record.hours_reviewed:.1f}" if record.hours_reviewed is not None else "-"
        return Summary(
            subject=record.trainee.name, subject_id_number=mask(record.trainee.id_number), title=record.title,
            facts=(Fact(N_("Claim route"), ROUTES[record.route].label, translate=True),
                   Fact(N_("Requested / reviewed hours"), f"{requested} / {reviewed}"),
                   Fact(N_("Unit"), record.unit.name if record.unit else "-")))

    def subject_user_id(self, record: Claim) -> int | None:
        return record.trainee_id

    def editable(self, task: Any) -> bool:
        if "editable" not in task.properties:
            return task.spec in LEGACY_EDITABLE
        return task.editable

    def form_for(self, task: Any) -> StepForm | None:
        name = task.form or LEGACY_HOURS_FORMS.get(task.properties.get("hours", ""))
        if name is None and "submit" in task.decisions:
            name = LEGACY_STEP_FORMS.get(task.spec)
        return self.forms.get(name) if name else None

    def present(self, record: Claim, actor: Actor) -> dict[str, Any]:
        view = claim_view(record)
        view["details_text"] = route_details(record.details or {})
        return view

    def files(self, record: Claim) -> list[Any]:
        return attachments.files_of(self.record_type, record.id)

    def record_url(self, record: Claim, actor: Actor) -> str | None:
        return url_for("credit_claim.claim", claim_id=record.id) if record.trainee_id == actor.id else None

    def log_remark(self, event: Any) -> list[str]:
        hours = (event.data or {}).get("hours")
        if hours and event.decision == "approve":
            return [_("%(hours)s hours recognised.", hours=hours)]
        return []

    def check_context(self, records: list[Claim]) -> dict[str, Any]:
        return {"ledger": ledger.net_by_source(self.record_type, [r.id for r in records])}

    def check_record(self, report: Any, instance: Any, record: Claim, context: dict[str, Any]) -> None:
        name = f"claim {record.id}"
        if record.status == "deleted" and record.deleted_at is None:
            report.add(instance.id, "record", f"deleted {name} has no deletion time")
        report.checked["ledger"] += 1
        standing = {user: hours for (claim_id, user), hours in context["ledger"].items()
                    if claim_id == record.id and hours}
        expected = {record.trainee_id: record.hours_registered} if record.status == "approved" else {}
        if standing != expected:
            report.add(instance.id, "ledger", f"{name} status {record.status!r}: the ledger credits "
                                              f"{standing or 'nothing'}, expected {expected or 'nothing'}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        """This year's claim window (登记开放日期) is open all year."""
        service.open_demo_window(world.year)


PLUGIN = CreditClaimPlugin()
