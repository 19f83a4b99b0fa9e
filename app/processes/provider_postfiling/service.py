"""Post-training filings: who may file and see one, the 7-day window, the results import and what
filing issues (ledger hours and e-certificates, exactly once per passing trainee).

The diagram (``bpmn/provider_postfiling.bpmn``) decides the path and when the filing may be
edited (``editable`` on the provider's steps); the HR department decides through ``/tasks``.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.exc import IntegrityError

from ...clock import today, utcnow
from ...db import by_id, persist_even_if_refused
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _, label
from ...models import Attachment, HourEntry, ProcessInstance
from ...services import attachments, certificates, plugins, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from ..class_enrollment import service as enrolments
from ..class_publication.models import ProviderClass
from ..provider_prefiling import service as prefilings
from . import results
from .models import PostFiling, PostFilingResult

RECORD_TYPE = "postfiling"
PROVIDER_ROLES = prefilings.PROVIDER_ROLES
REVIEWER_ROLES = prefilings.REVIEWER_ROLES
FILE_KINDS = {"summary": "培训总结", "sign_in": "学员签到表", "other": "其他附件"}
REQUIRED = ("name", "year", "held_from", "held_until", "attended", "summary")
EDITABLE_FIELDS = REQUIRED


def settings() -> dict[str, Any]:
    """``[PROVIDER_FILINGS]`` in config.toml over the defaults."""
    defaults = {"POSTFILING_MAX_DAYS": 7, "POSTFILING_REQUIRED_FILES": ["summary"], "RESULTS_MAX_ROWS": 10_000,
                "RESULTS_MAX_BYTES": 5 * 1024 * 1024, "MAX_FILES": 20, "MAX_FILE_BYTES": 2 * 1024 * 1024}
    return {**defaults, **current_app.config.get("PROVIDER_FILINGS", {})}


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- access ---------------------------------------------------------------------------------

def visible(filing: PostFiling, actor: Actor) -> bool:
    if filing.deleted_at is not None:
        return False
    return (actor.can_read_all_processes or actor.staff_of(filing.provider_id, PROVIDER_ROLES)
            or (filing.submitted_at is not None and actor.staff_of(filing.hr_id, REVIEWER_ROLES)))


def get_visible(filing_id: int, actor: Actor) -> PostFiling:
    filing = by_id(PostFiling, filing_id)
    if filing is None or not visible(filing, actor):
        raise NotFound(_("Post-training filing not found."))
    return filing


def list_for(actor: Actor, status: str | None = None, *, own_only: bool = False) -> list[PostFiling]:
    providers = prefilings.my_providers(actor)
    reviewing = [] if own_only else [org for role, org in actor.roles if role in REVIEWER_ROLES and org is not None]
    conditions = []
    if providers:
        conditions.append(PostFiling.provider_id.in_(providers))
    if reviewing:
        conditions.append(PostFiling.hr_id.in_(reviewing) & PostFiling.submitted_at.is_not(None))
    if not conditions:
        return []
    query = select(PostFiling).where(or_(*conditions), PostFiling.deleted_at.is_(None))
    if status:
        query = query.where(PostFiling.status == status)
    return list(db.session.scalars(query.order_by(PostFiling.id.desc()).limit(500)))


def classes_to_file(actor: Actor) -> list[ProviderClass]:
    """Step ①: the provider's approved classes (of filed pre-filings) with no post-training filing yet,
    whose window is open today."""
    providers = prefilings.my_providers(actor)
    if not providers:
        return []
    filed = select(PostFiling.class_id).where(PostFiling.live_class_id.is_not(None))
    found = db.session.scalars(select(ProviderClass).where(
        ProviderClass.provider_id.in_(providers), ProviderClass.approved_at.is_not(None),
        ProviderClass.deleted_at.is_(None), ProviderClass.id.not_in(filed)).order_by(ProviderClass.id.desc()))
    now = today()
    return [cls for cls in found if window(cls)[0] <= now <= window(cls)[1]]


def window(cls: ProviderClass) -> tuple[Any, Any]:
    """From the class's last day to POSTFILING_MAX_DAYS days after it."""
    ends = cls.prefiling.ends_on
    return ends, ends + timedelta(days=int(settings()["POSTFILING_MAX_DAYS"]))


def _check_window(cls: ProviderClass) -> None:
    first, last = window(cls)
    now = today()
    if now < first:
        raise Conflict(_("A post-training filing is made once the class has ended (on %(day)s).",
                         day=first.isoformat()), code="too_early")
    if now > last:
        raise Conflict(_("A post-training filing is made within %(days)s days after the class ends: this class "
                         "ended on %(end)s, so the last day was %(last)s.", days=settings()["POSTFILING_MAX_DAYS"],
                         end=first.isoformat(), last=last.isoformat()), code="too_late")


# -- the form ---------------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == ""


def check_complete(filing: PostFiling) -> None:
    errors: dict[str, list[str]] = {name: [_("Required.")] for name in REQUIRED if _empty(getattr(filing, name))}
    if filing.held_from and filing.held_until and filing.held_until < filing.held_from:
        errors.setdefault("held_until", []).append(_("The class cannot end before it starts."))
    if errors:
        raise Invalid(_("The filing is incomplete: fill in every field marked required."), code="incomplete",
                      fields=errors)


def _apply(filing: PostFiling, values: dict[str, Any]) -> list[str]:
    changed = []
    for key in EDITABLE_FIELDS:
        if key in values and getattr(filing, key) != values[key]:
            setattr(filing, key, values[key])
            changed.append(key)
    return sorted(changed)


def create(actor: Actor, payload: dict[str, Any]) -> PostFiling:
    """Step ①: a filing of one of the provider's approved classes (one per class)."""
    if not prefilings.my_providers(actor):
        raise Forbidden(_("Only a provider's staff file classes after training."))
    values = dict(payload)
    cls = db.session.get(ProviderClass, values.pop("class_id"))
    if cls is None or cls.deleted_at is not None or cls.provider_id not in prefilings.my_providers(actor):
        raise Invalid(_("Choose one of your classes."), code="invalid", fields={"class_id": [_("Not found.")]})
    prefiling_id = values.pop("prefiling_id", None)
    if prefiling_id is not None and prefiling_id != cls.prefiling_id:
        raise Invalid(_("The class is not of this pre-training filing."), code="invalid",
                      fields={"class_id": [_("Not of the chosen pre-training filing.")]})
    if cls.approved_at is None:
        raise Conflict(_("Only a class the HR department has approved is filed after training."), code="not_approved")
    _check_window(cls)
    taken = db.session.scalar(select(PostFiling.id).where(PostFiling.live_class_id == cls.id))
    if taken is not None:
        raise Conflict(_("This class already has a post-training filing (no. %(id)s).", id=taken),
                       code="already_filed")
    filing = PostFiling(klass=cls, class_id=cls.id, live_class_id=cls.id, provider_id=cls.provider_id,
                        hr_id=cls.hr_id, created_by_id=actor.id, name=values.pop("name", None) or cls.name[:50],
                        year=values.pop("year", None) or cls.prefiling.year,
                        held_from=cls.prefiling.starts_on, held_until=cls.prefiling.ends_on, summary="")
    _apply(filing, values)
    db.session.add(filing)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("This class already has a post-training filing."), code="already_filed") from None
    instance = runner.start(_plugin(), filing, actor, {"record_id": filing.id}, event_data={"class_id": cls.id})
    filing.instance_id = instance.id
    return filing


def _own_locked(filing_id: int, actor: Actor) -> tuple[PostFiling, ProcessInstance]:
    filing = get_visible(filing_id, actor)
    if not actor.staff_of(filing.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may change its filing."))
    instance = runner.lock_instance(filing.instance_id)
    db.session.refresh(filing)
    if filing.deleted_at is not None:
        raise NotFound(_("Post-training filing not found."))
    if not runner.editable_by(instance, actor):
        raise Conflict(_("A filing in status “%(status)s” cannot be changed: it is read-only until a "
                         "reviewer rolls it back.", status=label(filing.status_label)), code="not_editable")
    return filing, instance


def update(filing_id: int, actor: Actor, payload: dict[str, Any]) -> PostFiling:
    """Step ②: the completion details (saved as they are; submitting checks them all)."""
    filing, instance = _own_locked(filing_id, actor)
    changed = _apply(filing, payload)
    if changed:
        filing.updated_at = utcnow()
        record_event(instance, actor, "edit", data={"fields": changed})
    return filing


def results_of(filing_id: int) -> list[PostFilingResult]:
    return list(db.session.scalars(select(PostFilingResult).where(PostFilingResult.postfiling_id == filing_id)
                                   .order_by(PostFilingResult.row)))


def template(filing_id: int, actor: Actor) -> bytes:
    filing = get_visible(filing_id, actor)
    return results.template(enrolments.approved_in(filing.class_id))


def import_results(filing_id: int, actor: Actor, data: bytes) -> list[PostFilingResult]:
    """Step ③: replace the results with the file's, or refuse the whole file (422 ``bad_rows``,
    every wrong row listed and kept for the error report)."""
    filing, instance = _own_locked(filing_id, actor)
    limit = int(settings()["RESULTS_MAX_BYTES"])
    if len(data) > limit:
        raise Invalid(_("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)), code="too_large",
                      fields={"file": [_("Too large.")]})
    enrolled = {e.id_number: e for e in enrolments.approved_in(filing.class_id) if e.id_number}
    try:
        rows, errors = results.read(data, enrolled, int(settings()["RESULTS_MAX_ROWS"]))
    except results.BadFile as exc:
        raise Invalid(str(exc), code="bad_file", fields={"file": [str(exc)]}) from None
    if errors:
        persist_even_if_refused()  # the report of the refused file stays for download; nothing else changed
        filing.import_errors = errors[:5000]
        raise Invalid(_("The file was not imported: %(n)s problem(s) in %(rows)s row(s). Correct them and import "
                        "the whole file again.", n=len(errors), rows=len({e["row"] for e in errors})),
                      code="bad_rows", rows=errors)
    db.session.execute(delete(PostFilingResult).where(PostFilingResult.postfiling_id == filing.id))
    db.session.execute(insert(PostFilingResult), [
        {"postfiling_id": filing.id, "row": r.row, "enrollment_id": r.enrollment.id,
         "trainee_id": r.enrollment.trainee_id, "id_number": r.id_number, "name": r.name, "score": r.score,
         "passed": r.passed} for r in rows])
    filing.import_errors = None
    filing.results_imported_at = filing.updated_at = utcnow()
    record_event(instance, actor, "import_results", data={"rows": len(rows), "passed": sum(r.passed for r in rows)})
    return results_of(filing.id)


def check_submission(filing: PostFiling) -> dict[str, Any]:
    """提交: complete, results imported, the attachments there, within the window."""
    check_complete(filing)
    if filing.results_imported_at is None:
        raise Invalid(_("Import the trainees' results before submitting."), code="results_required",
                      fields={"file": [_("Required.")]})
    attached = set(db.session.scalars(select(Attachment.kind).where(
        Attachment.record_type == RECORD_TYPE, Attachment.record_id == filing.id)))
    missing = [kind for kind in settings()["POSTFILING_REQUIRED_FILES"] if kind not in attached]
    if missing:
        raise Invalid(_("Attach these files before submitting: %(kinds)s.",
                        kinds="、".join(FILE_KINDS.get(k, k) for k in missing)), code="files_required",
                      fields={"file": [FILE_KINDS.get(k, k) for k in missing]})
    if filing.submitted_at is None:  # the first submission keeps to the window; a rolled-back one is fixed later
        _check_window(filing.klass)
    filing.submitted_at = utcnow()
    return {"results": len(results_of(filing.id))}


def submit(filing_id: int, actor: Actor) -> PostFiling:
    filing = get_visible(filing_id, actor)
    if not actor.staff_of(filing.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may submit its filing."))
    runner.complete_own_step(filing.instance_id, actor, DecisionForm("submit"), filing)
    return filing


def delete_filing(filing_id: int, actor: Actor) -> None:
    filing = get_visible(filing_id, actor)
    if not actor.staff_of(filing.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may delete its filing."))
    try:
        runner.send_message(filing.instance_id, _plugin(), filing.id, actor, "delete", "delete")
    except Conflict:
        raise Conflict(_("A filing in status “%(status)s” cannot be deleted: only one not yet submitted can.",
                         status=label(filing.status_label)), code="not_deletable") from None


# -- handlers ------------------------------------------------------------------------------

def mark_filed(filing: PostFiling) -> dict[str, Any]:
    """备案通过: every passing trainee gets the class's hours (its subject, the year they enrolled
    for) and an e-certificate, in this transaction (unique indexes make a second run fail, not
    double)."""
    cls = filing.klass
    hours = Decimal(str(cls.prefiling.total_hours))
    passing = [r for r in results_of(filing.id) if r.passed]
    enrolled = {e.id: e for e in enrolments.approved_in(cls.id)}
    entries, issued = [], []
    for result in passing:
        enrollment = enrolled[result.enrollment_id]
        entries.append({"user_id": result.trainee_id, "year": enrollment.year, "category": cls.subject,
                        "source": RECORD_TYPE, "source_id": filing.id, "route": None, "hours": hours,
                        "note": cls.name[:120], "reverses_id": None, "created_at": utcnow()})
        issued.append({"user_id": result.trainee_id, "category": cls.subject, "hours": hours,
                       "year": enrollment.year, "title": cls.name, "issuer": cls.provider.name,
                       "holder_name": enrollment.name, "holder_id_number": enrollment.id_number,
                       "source": RECORD_TYPE, "source_id": filing.id})
    if entries:
        db.session.execute(insert(HourEntry), entries)
    certificates.issue_many(issued)
    filing.filed_at = utcnow()
    return {"credited": len(entries)}


def discard(filing: PostFiling) -> dict[str, Any]:
    filing.deleted_at = utcnow()
    filing.live_class_id = None
    db.session.execute(delete(PostFilingResult).where(PostFilingResult.postfiling_id == filing.id))
    attachments.discard_all(RECORD_TYPE, filing.id)
    return {}


# -- attachments ------------------------------------------------------------------------------

def file_policy() -> attachments.FilePolicy:
    conf = settings()
    return attachments.FilePolicy(prefix="postfilings", max_files=int(conf["MAX_FILES"]),
                                  max_bytes=int(conf["MAX_FILE_BYTES"]), max_description=60,
                                  description_required=False)


def add_file(filing_id: int, actor: Actor, data: bytes, filename: str | None, description: str | None,
             kind: str) -> Any:
    """Step ④: an attachment of a named kind (jpg, png or pdf, checked by content)."""
    if kind not in FILE_KINDS:
        raise Invalid(_("Unknown kind of attachment."), code="invalid",
                      fields={"kind": [_("One of: %(kinds)s.", kinds=", ".join(FILE_KINDS))]})
    _filing, instance = _own_locked(filing_id, actor)
    return attachments.add(instance, file_policy(), actor, data, filename, description or FILE_KINDS[kind], kind=kind)


def remove_file(filing_id: int, file_id: int, actor: Actor) -> None:
    _filing, instance = _own_locked(filing_id, actor)
    attachments.remove(instance, actor, file_id)


def read_file(filing_id: int, file_id: int, actor: Actor) -> tuple[Any, bytes]:
    filing = get_visible(filing_id, actor)
    return attachments.read(RECORD_TYPE, filing.id, file_id, actor)

