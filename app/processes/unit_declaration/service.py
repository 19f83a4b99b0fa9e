"""Unit declarations: who may declare, see and verify one; the fields each learning form needs;
what approval and a failed verification do to the ledger.

The diagram (``bpmn/unit_declaration.bpmn``) decides the path: the authority approves or
refuses (``review``), then verifies an approved declaration (``verify``: pass or fail).
Approving runs ``credit_declaration``, a failed verification ``revoke_declaration``.
"""
from __future__ import annotations

import base64
import binascii
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, request
from sqlalchemy import select

from ...clock import today, utcnow
from ...db import by_id
from ...domain import N_
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...i18n import _
from ...models import HourEntry, Organisation, RoleAssignment, User
from ...models.ledger import CATEGORIES
from ...services import accounts, attachments, ledger, plugins, runner
from ...services.actors import Actor
from ...services.uploads import check_upload
from .models import Declaration

RECORD_TYPE = "declaration"
UNIT_ROLES = ("reviewer",)  # who declares for a unit
AUTHORITY_ROLES = ("reviewer",)  # who reviews and verifies for the unit's authority
ONE_DECIMAL = Decimal("0.1")
HOURS_PER_DAY = Decimal(8)  # a declared day of learning counts at most 8 hours (seed 003), unless the region says
PROOF_KINDS = ("jpeg", "png", "gif", "bmp")  # seed 001: .jpg .jpeg .gif .bmp .png, 4 MB each
MAX_PERSONS = 100

# 学习形式 (seed 001 §3.4; the forms are those of seed 003's list) -> the fields it needs.
DATES = ("starts_on", "ends_on")
LEARNING_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "post_training": (N_("岗位培训"), ("school", "class_name", *DATES, "score")),
    "training_class": (N_("培训班"), ("school", "class_name", *DATES)),
    "advanced_study": (N_("进修班"), ("school", "class_name", *DATES)),
    "seminar": (N_("研修班"), ("school", "class_name", *DATES)),
    "lecture": (N_("讲坛讲座"), ("school", "content", *DATES)),
    "degree": (N_("学历教育"), ("school", *DATES, "score")),
    "self_study": (N_("自学"), ("content", *DATES)),
}
OPTIONAL_FIELDS = ("school", "class_name", "content", "starts_on", "ends_on", "score")
# The proof each form asks for (the seed's 提示文字 for 岗位培训).
PROOF_HINTS = {"post_training": N_("提交岗位培训结业证书扫描件。")}
TABS = {"pending": ("pending",), "approved": ("approved", "verified"), "refused": ("refused", "revoked")}


def settings() -> dict[str, Any]:
    """``[UNIT_DECLARATIONS]`` in config.toml over the defaults."""
    defaults = {"MAX_HOURS": 200, "MAX_PROOFS": 5, "MAX_PROOF_BYTES": 4 * 1024 * 1024}
    return {**defaults, **current_app.config.get("UNIT_DECLARATIONS", {})}


def allow_proof_body(*, encoded: bool) -> None:
    """A declaration carries up to MAX_PROOFS proofs of MAX_PROOF_BYTES each (seed: 4 MB an image),
    more than the app-wide body limit: let this request's body hold them (base64 in the API's JSON
    takes a third more), plus the form's own fields. Call it before the body is read."""
    conf = settings()
    proofs = int(conf["MAX_PROOFS"]) * int(conf["MAX_PROOF_BYTES"])
    needed = (proofs * 4 // 3 if encoded else proofs) + 512 * 1024
    request.max_content_length = max(needed, current_app.config.get("MAX_CONTENT_LENGTH") or 0)


def _plugin() -> plugins.ProcessPlugin:
    return plugins.for_type(RECORD_TYPE)


# -- access ---------------------------------------------------------------------------------

def my_units(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in UNIT_ROLES and org is not None
            and actor.org_kinds.get(org) == "unit"}


def my_authorities(actor: Actor) -> set[int]:
    return {org for role, org in actor.roles if role in AUTHORITY_ROLES and org is not None
            and actor.org_kinds.get(org) == "authority"}


def visible(declaration: Declaration, actor: Actor) -> bool:
    """The declaring unit, its authority and the person; nobody else (bar admins and auditors)."""
    return (declaration.unit_id in my_units(actor) or declaration.authority_id in my_authorities(actor)
            or declaration.person_id == actor.id or actor.can_read_all_processes)


def get_visible(declaration_id: int, actor: Actor) -> Declaration:
    declaration = by_id(Declaration, declaration_id)
    if declaration is None or not visible(declaration, actor):
        raise NotFound(_("申报记录不存在。"))
    return declaration


def list_for(actor: Actor, tab: str | None = None, limit: int = 500) -> list[Declaration]:
    """The declarations the actor sees: a unit's, an authority's, or the person's own; newest first."""
    units, authorities = my_units(actor), my_authorities(actor)
    if units:
        where = Declaration.unit_id.in_(units)
    elif authorities:
        where = Declaration.authority_id.in_(authorities)
    else:
        where = Declaration.person_id == actor.id
    query = select(Declaration).where(where)
    if tab in TABS:
        query = query.where(Declaration.status.in_(TABS[tab]))
    return list(db.session.scalars(query.order_by(Declaration.id.desc()).limit(limit)))


def staff_of_unit(unit_id: int) -> list[User]:
    """Whom a unit may declare for: its trainees, by name."""
    return list(db.session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.org_id == unit_id, RoleAssignment.role == "trainee", User.is_active.is_(True))
        .order_by(User.name, User.id)))


# -- declaring ---------------------------------------------------------------------------------

def _declaring_unit(actor: Actor, unit_id: int | None) -> Organisation:
    units = my_units(actor)
    if not units:
        raise Forbidden(_("只有用人单位的审核员可以为本单位人员申报学时。"))
    if unit_id is None and len(units) > 1:
        raise Invalid(_("请选择申报单位。"), fields={"unit_id": [_("Required.")]})
    unit_id = unit_id if unit_id is not None else next(iter(units))
    if unit_id not in units:
        raise Forbidden(_("您不是该单位的审核员。"))
    return db.session.get(Organisation, unit_id)


def _people(unit: Organisation, id_numbers: list[str]) -> list[User]:
    found = {u.id_number: u for u in db.session.scalars(select(User).where(User.id_number.in_(id_numbers)))}
    problems = []
    people = []
    for id_number in dict.fromkeys(id_numbers):
        person = found.get(id_number)
        if person is None or accounts.trainee_unit(person.id) != unit.id:
            problems.append(_("%(id)s 不是本单位人员。", id=id_number))
        else:
            people.append(person)
    if problems:
        raise Invalid(_("只能为本单位人员申报学时。"), code="not_in_unit",
                      fields={"id_numbers": problems})
    return people


def validated(payload: dict[str, Any]) -> dict[str, Any]:
    """The declaration's fields, checked against its learning form: the fields the form needs are
    required, the others are not kept. Raises Invalid naming each field."""
    form = payload["learning_form"]
    needed = LEARNING_FORMS[form][1]
    values = {name: payload.get(name) for name in OPTIONAL_FIELDS}
    errors: dict[str, list[str]] = {}
    for name in needed:
        if values[name] in (None, ""):
            errors[name] = [_("学习形式为%(form)s时必填。", form=_(LEARNING_FORMS[form][0]))]
    values = {name: (value if name in needed or name == "content" else None) for name, value in values.items()}
    given = Decimal(payload["hours"])
    cap = Decimal(str(settings()["MAX_HOURS"]))
    hours = given.quantize(ONE_DECIMAL) if given.is_finite() and abs(given) <= 10 * cap else None
    if hours is None:
        errors["hours"] = [_("每条申报最多 %(max)s 学时。", max=cap)]
    elif hours != given:
        errors["hours"] = [_("最多一位小数，且大于 0。")]
    elif hours <= 0:
        errors["hours"] = [_("学时必须大于 0。")]
    elif hours > cap:
        errors["hours"] = [_("每条申报最多 %(max)s 学时。", max=cap)]
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = [_("结束日期早于开始日期。")]
        elif ends_on > today():
            errors["ends_on"] = [_("学习尚未结束。")]
        else:
            days = (ends_on - starts_on).days + 1
            per_day = ledger.Policy.current().daily_cap or HOURS_PER_DAY
            if "hours" not in errors and hours > per_day * days:
                errors["hours"] = [_("%(days)s 天最多 %(max)s 学时（每天 %(per_day)s 学时）。",
                                     max=per_day * days, days=days, per_day=per_day)]
    if payload["year"] > today().year:
        errors["year"] = [_("不能申报未来年度的学时。")]
    elif starts_on and ends_on and not starts_on.year <= payload["year"] <= ends_on.year:
        errors["year"] = [_("认定年度须为学习期间所在的年度。")]
    if payload["subject"] not in CATEGORIES:
        errors["subject"] = [_("不是有效的计入科目。")]
    if errors:
        raise Invalid(_("申报信息不完整或有误。"), fields=errors)
    return {**values, "year": payload["year"], "learning_form": form, "subject": payload["subject"], "hours": hours}


def decode_proof(item: dict[str, Any]) -> tuple[bytes, str, str | None]:
    """A proof sent over the API: base64 content, file name and an optional description."""
    try:
        data = base64.b64decode(item["content"], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(_("证明材料不是有效的 base64 编码。"), code="bad_file",
                      fields={"proofs": [_("不是有效的 base64 编码。")]}) from None
    return data, item["filename"], item.get("description")


def file_policy() -> attachments.FilePolicy:
    cfg = settings()
    return attachments.FilePolicy(prefix="declarations", max_files=cfg["MAX_PROOFS"],
                                  max_bytes=cfg["MAX_PROOF_BYTES"], max_description=60,
                                  description_required=False, kinds=PROOF_KINDS)


def _check_proofs(proofs: list[tuple[bytes, str, str | None]]) -> None:
    """Every proof checked by content before anything is created (so a bad one changes nothing)."""
    policy = file_policy()
    if not proofs:
        raise Invalid(_("请上传至少一张证明材料图片。"), code="proof_required",
                      fields={"proofs": [_("Required.")]})
    if len(proofs) > policy.max_files:
        raise Invalid(_("At most %(n)s files can be attached.", n=policy.max_files), code="too_many_files",
                      fields={"proofs": [_("最多 %(n)s 个文件。", n=policy.max_files)]})
    for data, filename, _description in proofs:
        try:
            check_upload(data, filename, policy.max_bytes, policy.kinds)
        except Invalid as exc:
            raise Invalid(f"{filename}: {exc.message}", code=exc.code,
                          fields={"proofs": [f"{filename}: {exc.message}"]}) from None


def declare(actor: Actor, payload: dict[str, Any],
            proofs: list[tuple[bytes, str, str | None]]) -> list[Declaration]:
    """提交申报: one declaration (and one review) per person, each with its own copy of the proofs."""
    unit = _declaring_unit(actor, payload.get("unit_id"))
    values = validated(payload)
    people = _people(unit, payload["id_numbers"])
    _check_proofs(proofs)
    authority = unit.nearest("authority")
    if authority is None:
        raise Conflict(_("Your unit has no supervising authority."), code="no_authority")
    made = []
    for person in people:
        declaration = Declaration(person_id=person.id, unit_id=unit.id, authority_id=authority.id,
                                  declared_by_id=actor.id, **values)
        db.session.add(declaration)
        db.session.flush()
        instance = runner.start(_plugin(), declaration, actor, {"record_id": declaration.id}, action="declare",
                                event_data={"person_id": person.id, "hours": str(values["hours"]),
                                            "year": values["year"], "subject": values["subject"]})
        declaration.instance_id = instance.id
        for data, filename, description in proofs:
            attachments.add(instance, file_policy(), actor, data, filename, description)
        made.append(declaration)
    return made


# -- the authority's steps ---------------------------------------------------------------------

def set_recognised(declaration: Declaration, given: Decimal | None) -> dict[str, Any]:
    """认定学时: what the authority recognises, at most what was declared (the declared hours if not
    given), more than 0 with at most one decimal (a value that would round to 0 is refused, not rounded)."""
    hours = declaration.hours if given is None else Decimal(given)
    if hours.is_finite() and hours > declaration.hours:
        raise Invalid(_("认定学时不能超过申报的 %(hours)s 学时。", hours=declaration.hours),
                      fields={"hours": [_("最多 %(hours)s。", hours=declaration.hours)]})
    if not hours.is_finite() or hours <= 0 or hours != hours.quantize(ONE_DECIMAL):
        raise Invalid(_("认定学时为大于 0 的数，最多一位小数。"), fields={"hours": [_("最多一位小数，且大于 0。")]})
    declaration.hours_recognised = hours
    return {"hours": str(hours)}


def credit(declaration: Declaration) -> dict[str, Any]:
    """Approved: the recognised hours enter the person's ledger for the declared year and subject."""
    ledger.lock_person(declaration.person_id)
    hours = declaration.hours_recognised if declaration.hours_recognised is not None else declaration.hours
    declaration.hours_recognised = hours
    ledger.credit(user_id=declaration.person_id, year=declaration.year, category=declaration.subject,
                  source=RECORD_TYPE, source_id=declaration.id, hours=hours,
                  note=(declaration.class_name or declaration.school or declaration.content or "")[:120] or None)
    return {"hours": str(hours)}


def revoke(declaration: Declaration) -> dict[str, Any]:
    """审验不通过: the credit is reversed (both rows stay); the person must be declared again."""
    ledger.lock_person(declaration.person_id)
    reversals = ledger.reverse(RECORD_TYPE, declaration.id, note="审验不通过")
    declaration.revoked_at = utcnow()
    return {"reversed": str(-sum((r.hours for r in reversals), Decimal(0)))}


def verify(declaration_id: int, actor: Actor, result: str, reason: str | None) -> Declaration:
    """学时审验 over the API: the authority's verification step, passed or failed."""
    declaration = get_visible(declaration_id, actor)
    if declaration.authority_id not in my_authorities(actor):
        raise Forbidden(_("只有主管部门可以审验申报的学时。"))
    if result == "fail" and not (reason or "").strip():
        raise Invalid(_("请填写审验不通过的原因。"), fields={"reason": [_("Required.")]})
    try:
        runner.complete_own_step(declaration.instance_id, actor, runner.DecisionForm(result, reason or None),
                                 declaration)
    except Conflict:
        raise Conflict(_("该申报当前不在待审验状态。"), code="not_verifiable") from None
    return declaration


def ledger_rows(declaration_ids: list[int]) -> list[HourEntry]:
    """Every ledger row (credits and reversals) of these declarations, for the consistency check."""
    if not declaration_ids:
        return []
    return list(db.session.scalars(select(HourEntry).where(
        HourEntry.source == RECORD_TYPE, HourEntry.source_id.in_(declaration_ids)).order_by(HourEntry.id)))


def read_file(declaration_id: int, file_id: int, actor: Actor) -> tuple[Any, bytes]:
    declaration = get_visible(declaration_id, actor)
    return attachments.read(RECORD_TYPE, declaration.id, file_id, actor)


def form_label(code: str) -> str:
    return LEARNING_FORMS[code][0] if code in LEARNING_FORMS else code


def demo_payload(person: User, year: int, hours: int, form: str = "post_training") -> dict[str, Any]:
    """A complete declaration for the demo data and the tests."""
    return {"id_numbers": [person.id_number], "year": year, "learning_form": form, "school": "演示交通职业培训学院",
            "class_name": "公路养护技术岗位培训", "content": "路面病害识别与处置", "starts_on": date(year, 3, 1),
            "ends_on": date(year, 3, 10), "score": "合格", "hours": Decimal(hours), "subject": "professional"}


