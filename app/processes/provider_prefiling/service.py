"""Pre-training filings: who may file, see and change one, and the rules a diagram cannot express.

The diagram (``bpmn/provider_prefiling.bpmn``) decides the path, when the filing may be edited
(``editable`` on the provider's steps) and when a draft may be deleted (the ``delete`` message).
This module holds the form's completeness, the 15-day rule, the attachments each step needs,
and which HR department files a provider's classes.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from ...clock import today, utcnow
from ...db import by_id
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _, label
from ...models import Attachment, Organisation, ProcessInstance
from ...services import attachments, plugins, runner
from ...services.actors import Actor
from ...services.audit import record_event
from ...services.runner import DecisionForm
from .models import PreFiling

RECORD_TYPE = "prefiling"
PROVIDER_ROLES = ("admin", "reviewer")  # who acts for a provider
REVIEWER_ROLES = ("reviewer",)  # who acts for its supervisor and for the HR departments
PROVINCIAL_LEVELS = ("national", "province")  # filed by the provincial HR department
PREFECTURE = "prefecture"  # filed by the prefecture's HR department

# Attachments (seed 004: 实施方案, 工作通知, 开班邀请函, others; later the stamped filing form).
FILE_KINDS = {"plan": "继续教育培训实施方案", "notice": "继续教育培训工作通知",
              "invitation": "继续教育培训开班邀请函", "other": "其他附件", "stamped_form": "盖章申报表"}
CONTENT_KINDS = ("plan", "notice", "invitation", "other")  # editable with the filing
STAMPED = "stamped_form"  # only while the provider's stamp step waits

# Every field a save (保存) requires; a temporary save (临时保存) requires none.
REQUIRED = ("year", "filing_date", "location", "class_name", "starts_on", "ends_on", "venue", "scope",
            "total_hours", "form", "fee", "courses", "teachers", "textbooks", "office_phone", "fax", "email",
            "address", "post_code", "head_name", "head_title", "head_mobile", "contact_name", "contact_title",
            "contact_mobile")
EDITABLE_FIELDS = REQUIRED


def settings() -> dict[str, Any]:
    """The plug-in's configuration (``[PROVIDER_FILINGS]`` in config.toml) over its defaults."""
    defaults = {"PREFILING_MIN_DAYS": 15, "PREFILING_REQUIRED_FILES": ["plan", "notice", "invitation"],
                "MAX_FILES": 20, "MAX_FILE_BYTES": 2 * 1024 * 1024}
    return {**defaults, **current_app.config.get("PROVIDER_FILINGS", {})}


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- organisations -------------------------------------------------------------------------------

def my_providers(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in PROVIDER_ROLES and org is not None
            and actor.org_kinds.get(org) == "provider"}


def hr_for(provider: Organisation) -> Organisation | None:
    """The HR department that files the provider's classes, by the provider's level: national and
    provincial providers → the provincial HR department; a prefecture provider → its prefecture's
    (``hr_id`` on the provider)."""
    if provider.level in PROVINCIAL_LEVELS:
        return db.session.scalar(select(Organisation).where(Organisation.kind == "hr", Organisation.level == "province")
                                 .order_by(Organisation.id).limit(1))
    if provider.level == PREFECTURE and provider.hr_id is not None:
        hr = db.session.get(Organisation, provider.hr_id)
        return hr if hr is not None and hr.kind == "hr" and hr.level == PREFECTURE else None
    return None


def route_to_hr(filing: PreFiling) -> dict[str, Any]:
    """The supervisor forwards the filing: it goes to the HR department of the provider's level."""
    hr = hr_for(filing.provider)
    if hr is None:
        raise Conflict(_("No HR department files the classes of this provider's level; ask the "
                         "administrator to set it up."), code="no_hr_department")
    filing.hr_id = hr.id
    return {"hr_id": hr.id}


# -- access ---------------------------------------------------------------------------------------

def visible(filing: PreFiling, actor: Actor) -> bool:
    """The provider sees its own; its supervisor once submitted; the HR department once forwarded."""
    if filing.deleted_at is not None:
        return False
    return (actor.can_read_all_processes or actor.staff_of(filing.provider_id, PROVIDER_ROLES)
            or (filing.submitted_at is not None and actor.staff_of(filing.supervisor_id, REVIEWER_ROLES))
            or (filing.hr_id is not None and actor.staff_of(filing.hr_id, REVIEWER_ROLES)))


def get_visible(filing_id: int, actor: Actor) -> PreFiling:
    filing = by_id(PreFiling, filing_id)
    if filing is None or not visible(filing, actor):
        raise NotFound(_("Filing not found."))
    return filing


def list_for(actor: Actor, status: str | None = None, year: int | None = None, *,
             own_only: bool = False) -> list[PreFiling]:
    """备案进度查询: the provider's filings; a supervisor's or HR department's, once they reach it
    (``own_only``: the provider's own only)."""
    reviewing = [] if own_only else [org for role, org in actor.roles if role in REVIEWER_ROLES and org is not None]
    providers = my_providers(actor)
    conditions = []
    if providers:
        conditions.append(PreFiling.provider_id.in_(providers))
    if reviewing:
        conditions.append(PreFiling.supervisor_id.in_(reviewing) & PreFiling.submitted_at.is_not(None))
        conditions.append(PreFiling.hr_id.in_(reviewing))
    if not conditions:
        return []
    query = select(PreFiling).where(or_(*conditions), PreFiling.deleted_at.is_(None))
    if status:
        query = query.where(PreFiling.status == status)
    if year:
        query = query.where(PreFiling.year == year)
    return list(db.session.scalars(query.order_by(PreFiling.id.desc()).limit(500)))


def _provider_of(actor: Actor, provider_id: int | None) -> Organisation:
    mine = my_providers(actor)
    if not mine:
        raise Forbidden(_("Only a provider's staff file pre-training filings."))
    if provider_id is None:
        if len(mine) > 1:
            raise Invalid(_("Choose the provider."), code="invalid", fields={"provider_id": [_("Required.")]})
        provider_id = next(iter(mine))
    if provider_id not in mine:
        raise Forbidden(_("You do not act for this provider."))
    return db.session.get(Organisation, provider_id)


def _own_locked(filing_id: int, actor: Actor, *, editable: bool = True) -> tuple[PreFiling, ProcessInstance]:
    """The actor's provider's filing, its instance locked and both re-read."""
    filing = get_visible(filing_id, actor)
    if not actor.staff_of(filing.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may change its filing."))
    instance = runner.lock_instance(filing.instance_id)
    db.session.refresh(filing)
    if filing.deleted_at is not None:
        raise NotFound(_("Filing not found."))
    if editable and not runner.editable_by(instance, actor):
        raise Conflict(_("A filing in status “%(status)s” cannot be changed: it is read-only until a "
                         "reviewer rolls it back.", status=label(filing.status_label)), code="not_editable")
    return filing, instance


# -- the form ---------------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_complete(filing: PreFiling) -> None:
    """保存: every field filled and consistent (a temporary save skips this)."""
    errors: dict[str, list[str]] = {name: [_("Required.")] for name in REQUIRED if _empty(getattr(filing, name))}
    if filing.starts_on and filing.ends_on and filing.ends_on < filing.starts_on:
        errors.setdefault("ends_on", []).append(_("The class cannot end before it starts."))
    if filing.courses and filing.total_hours is not None:
        total = sum((Decimal(str(c["hours"])) for c in filing.courses), Decimal(0))
        if total != filing.total_hours:
            errors.setdefault("courses", []).append(
                _("The courses' hours add up to %(sum)s, not the total of %(total)s.", sum=total,
                  total=filing.total_hours))
    if errors:
        raise Invalid(_("The filing is incomplete: fill in every field marked required."), code="incomplete",
                      fields=errors)


def _apply(filing: PreFiling, values: dict[str, Any]) -> list[str]:
    changed = []
    for key in EDITABLE_FIELDS:
        if key in values and getattr(filing, key) != values[key]:
            setattr(filing, key, values[key])
            changed.append(key)
    return sorted(changed)


def create(actor: Actor, payload: dict[str, Any], *, temporary: bool = False) -> PreFiling:
    """新增备案: a new filing of the actor's provider, saved (checked) or temporarily saved."""
    values = dict(payload)
    provider = _provider_of(actor, values.pop("provider_id", None))
    if provider.parent_id is None:
        raise Conflict(_("This provider has no supervisor to review its filings."), code="no_supervisor")
    filing = PreFiling(provider_id=provider.id, supervisor_id=provider.parent_id, created_by_id=actor.id,
                       year=values.pop("year", None) or today().year,
                       filing_date=values.pop("filing_date", None) or today())
    _apply(filing, values)
    filing.complete = False
    if not temporary:
        check_complete(filing)
        filing.complete = True
    db.session.add(filing)
    db.session.flush()
    instance = runner.start(_plugin(), filing, actor, {"record_id": filing.id},
                            event_data={"class_name": filing.class_name, "temporary": temporary})
    filing.instance_id = instance.id
    return filing


def update(filing_id: int, actor: Actor, payload: dict[str, Any], *, temporary: bool = False) -> PreFiling:
    """Change the filing while it is the provider's to edit; an edit changing nothing leaves no trace."""
    filing, instance = _own_locked(filing_id, actor)
    changed = _apply(filing, payload)
    if not temporary:
        check_complete(filing)
    if changed or filing.complete != (not temporary):
        filing.complete = not temporary
        filing.updated_at = utcnow()
        record_event(instance, actor, "edit", data={"fields": changed, "temporary": temporary})
    return filing


def check_submission(filing: PreFiling) -> dict[str, Any]:
    """提交: complete, its attachments there, and the class at least PREFILING_MIN_DAYS away."""
    check_complete(filing)
    attached = set(db.session.scalars(select(Attachment.kind).where(
        Attachment.record_type == RECORD_TYPE, Attachment.record_id == filing.id)))
    missing = [kind for kind in settings()["PREFILING_REQUIRED_FILES"] if kind not in attached]
    if missing:
        raise Invalid(_("Attach these files before submitting: %(kinds)s.",
                        kinds="、".join(FILE_KINDS.get(k, k) for k in missing)), code="files_required",
                      fields={"file": [FILE_KINDS.get(k, k) for k in missing]})
    days = int(settings()["PREFILING_MIN_DAYS"])
    earliest = today() + timedelta(days=days)
    if filing.starts_on < earliest:
        raise Conflict(_("A class must be filed at least %(days)s days before it starts: this one starts on "
                         "%(start)s, so it could be submitted until %(last)s. Move the class's dates to "
                         "%(earliest)s or later.", days=days, start=filing.starts_on.isoformat(),
                         last=(filing.starts_on - timedelta(days=days)).isoformat(),
                         earliest=earliest.isoformat()), code="too_late")
    filing.complete = True
    filing.submitted_at = utcnow()
    filing.stamped_file_id = None  # each round is stamped again
    return {"starts_on": filing.starts_on.isoformat()}


def check_stamped(filing: PreFiling) -> dict[str, Any]:
    """The stamp step is done only with this round's stamped filing form attached."""
    if filing.stamped_file_id is None:
        raise Invalid(_("Upload the stamped filing form first."), code="files_required",
                      fields={"file": [FILE_KINDS[STAMPED]]})
    return {"file_id": filing.stamped_file_id}


def submit(filing_id: int, actor: Actor) -> PreFiling:
    """提交 (and, after the supervisor's approval, sending the stamped form): the provider's step."""
    filing = get_visible(filing_id, actor)
    if not actor.staff_of(filing.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may submit its filing."))
    runner.complete_own_step(filing.instance_id, actor, DecisionForm("submit"), filing)
    return filing


def delete(filing_id: int, actor: Actor) -> None:
    filing = get_visible(filing_id, actor)
    if not actor.staff_of(filing.provider_id, PROVIDER_ROLES):
        raise Forbidden(_("Only the provider may delete its filing."))
    try:
        runner.send_message(filing.instance_id, _plugin(), filing.id, actor, "delete", "delete")
    except Conflict:
        raise Conflict(_("A filing in status “%(status)s” cannot be deleted: only one not yet submitted can.",
                         status=label(filing.status_label)), code="not_deletable") from None


def discard(filing: PreFiling) -> dict[str, Any]:
    filing.deleted_at = utcnow()
    attachments.discard_all(RECORD_TYPE, filing.id)
    return {}


def mark_filed(filing: PreFiling) -> dict[str, Any]:
    filing.filed_at = utcnow()
    return {}


def filed_for(provider_id: int) -> list[PreFiling]:
    """The provider's filed pre-filings (a class may be published only from one)."""
    return list(db.session.scalars(select(PreFiling).where(
        PreFiling.provider_id == provider_id, PreFiling.filed_at.is_not(None)).order_by(PreFiling.id.desc())))


# -- attachments ------------------------------------------------------------------------------

def file_policy() -> attachments.FilePolicy:
    conf = settings()
    return attachments.FilePolicy(prefix="prefilings", max_files=int(conf["MAX_FILES"]),
                                  max_bytes=int(conf["MAX_FILE_BYTES"]), max_description=60,
                                  description_required=False)


def _stamp_step_waits(instance: ProcessInstance, actor: Actor) -> bool:
    return "stamp" in runner.waiting_for(instance, actor)


def add_file(filing_id: int, actor: Actor, data: bytes, filename: str | None, description: str | None,
             kind: str) -> Any:
    """An attachment of a named kind: the content's while the filing is editable; the stamped form
    while the stamp step waits."""
    if kind not in FILE_KINDS:
        raise Invalid(_("Unknown kind of attachment."), code="invalid",
                      fields={"kind": [_("One of: %(kinds)s.", kinds=", ".join(FILE_KINDS))]})
    if kind == STAMPED:
        filing, instance = _own_locked(filing_id, actor, editable=False)
        if not _stamp_step_waits(instance, actor):
            raise Conflict(_("The stamped filing form is uploaded once the supervisor has approved the "
                             "filing, while it waits for it."), code="not_editable")
    else:
        filing, instance = _own_locked(filing_id, actor)
    row = attachments.add(instance, file_policy(), actor, data, filename,
                          description or FILE_KINDS[kind], kind=kind)
    if kind == STAMPED:
        filing.stamped_file_id = row.id
    return row


def remove_file(filing_id: int, file_id: int, actor: Actor) -> None:
    _filing, instance = _own_locked(filing_id, actor)
    row = attachments.get(RECORD_TYPE, instance.record_id, file_id)
    if row.kind == STAMPED:
        raise Conflict(_("A stamped filing form stays with the filing's history."), code="not_editable")
    attachments.remove(instance, actor, file_id)


def read_file(filing_id: int, file_id: int, actor: Actor) -> tuple[Any, bytes]:
    filing = get_visible(filing_id, actor)
    return attachments.read(RECORD_TYPE, filing.id, file_id, actor)
