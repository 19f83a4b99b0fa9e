"""A unit's declaration pages (学时申报, 查看申报记录) and the person's read-only list.

The authority approves, refuses and verifies on the shared task pages and in batch on the inbox;
these pages declare, list (with the seed's tabs) and show.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...clock import today
from ...db import savepoint
from ...errors import ServiceError
from ...i18n import _, _l
from ...models.ledger import CATEGORIES, CATEGORY_LABELS
from ...services import runner
from ...web import session as web_session
from ...web.forms import finite_number, no_control_characters
from ...web.pages import file_items, file_response
from . import service
from .views import declaration_view

blp = Blueprint("unit_declaration", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/processes/unit_declaration")
REQUIRED = _l("Required.")
TAB_LABELS = (("all", _l("全部")), ("pending", _l("待审核")), ("approved", _l("审核通过")),
              ("refused", _l("审核不通过")))


def _unit_staff() -> None:
    if not service.my_units(web_session.actor()):
        abort(403)


class DeclarationForm(FlaskForm):
    person_ids = SelectMultipleField(_l("选择申请人"), coerce=int, validate_choice=True,
                                     option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
                                     validators=[DataRequired(_l("请至少选择一名申请人。"))])
    year = IntegerField(_l("计入年度"), validators=[InputRequired(REQUIRED), NumberRange(2000, 2100)])
    learning_form = SelectField(_l("学习形式"), validate_choice=True, validators=[DataRequired(REQUIRED)])
    school = StringField(_l("学校(单位)名称"), validators=[Optional(), Length(max=100), no_control_characters])
    class_name = StringField(_l("Class name"), validators=[Optional(), Length(max=100), no_control_characters])
    content = TextAreaField(_l("学习内容"), validators=[Optional(), Length(max=500), no_control_characters])
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    score = StringField(_l("学习成绩"), validators=[Optional(), Length(max=30), no_control_characters])
    hours = DecimalField(_l("申请学时"), places=1, validators=[InputRequired(REQUIRED), finite_number])
    subject = SelectField(_l("计入科目"), validate_choice=True, validators=[DataRequired(REQUIRED)])
    proofs = MultipleFileField(_l("Attachments"), description=_l(
        "请上传相关证明材料扫描件，文件格式必须为 .jpg .jpeg .gif .bmp .png 的图片，文件大小 4M 以内。"))

    def offer(self, unit_id: int) -> DeclarationForm:
        self.person_ids.choices = [(p.id, f"{p.name}（{p.id_number[:6]}…{p.id_number[-4:]}）")
                                   for p in service.staff_of_unit(unit_id)]
        self.learning_form.choices = [("", _("Choose…"))] + [(code, _(label)) for code, (label, _fields)
                                                            in service.LEARNING_FORMS.items()]
        self.subject.choices = [("", _("Choose…"))] + [(c, _(CATEGORY_LABELS[c])) for c in CATEGORIES]
        if not self.year.data and request.method == "GET":
            self.year.data = today().year
        return self


def _payload(form: DeclarationForm) -> dict[str, Any]:
    people = {p.id: p.id_number for p in service.staff_of_unit(next(iter(service.my_units(web_session.actor()))))}

    def text(field: Any) -> str | None:
        return (field.data or "").strip() or None

    return {"id_numbers": [people[pid] for pid in form.person_ids.data if pid in people],
            "year": form.year.data, "learning_form": form.learning_form.data, "school": text(form.school),
            "class_name": text(form.class_name), "content": text(form.content), "starts_on": form.starts_on.data,
            "ends_on": form.ends_on.data, "score": text(form.score), "hours": form.hours.data,
            "subject": form.subject.data}


def _field_errors(error: ServiceError | None) -> dict[str, list[str]]:
    names = {"id_numbers": "person_ids"}
    return {names.get(k, k): list(v) for k, v in ((error.fields or {}) if error else {}).items()}


@blp.url_value_preprocessor
def _proof_body(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """The unit's reviewer may send a form with every proof it takes (runs before the CSRF check
    reads the body, so it asks for the role itself); anyone else keeps the app-wide limit."""
    actor = web_session.actor() if endpoint == "unit_declaration.declare" else None
    if actor is not None and actor.holds("reviewer"):
        service.allow_proof_body(encoded=False)


@blp.route("/declarations/new", methods=["GET", "POST"])
def declare() -> Any:
    """学时申报: declare hours for one or several of the unit's staff."""
    _unit_staff()
    actor = web_session.actor()
    form = DeclarationForm().offer(next(iter(service.my_units(actor))))
    error = None
    if form.validate_on_submit():
        limit = service.settings()["MAX_PROOF_BYTES"]
        proofs = [(f.stream.read(limit + 1), f.filename, None) for f in request.files.getlist(form.proofs.name)
                  if f and f.filename]
        try:
            with savepoint():
                made = service.declare(actor, _payload(form), proofs)
        except ServiceError as exc:
            error = exc
        else:
            flash(_("已提交 %(n)s 条申报，等待%(authority)s审核。", n=len(made),
                    authority=made[0].authority.name), "success")
            return redirect(url_for("unit_declaration.records"))
    status = error.status if error else (422 if form.errors else 200)
    return render_template("unit_declaration/declare.html", form=form, error=error, field_errors=_field_errors(error),
                           required=service.LEARNING_FORMS, hints=service.PROOF_HINTS,
                           max_mb=service.settings()["MAX_PROOF_BYTES"] // (1024 * 1024)), status


@blp.route("/declarations")
def records() -> Any:
    """查看申报记录 with the tabs 全部 / 待审核 / 审核通过 / 审核不通过."""
    _unit_staff()
    tab = request.args.get("tab", "all")
    if tab not in dict(TAB_LABELS):
        abort(404)
    items = [declaration_view(d, with_log=False) for d in service.list_for(web_session.actor(), tab)]
    return render_template("unit_declaration/records.html", items=items, tab=tab, tabs=TAB_LABELS)


@blp.route("/declarations/mine")
def mine() -> Any:
    """The person's own declarations, and why one was refused or revoked (read-only)."""
    actor = web_session.actor()
    items = [declaration_view(d, with_log=False) for d in service.list_for(actor.narrowed(frozenset(
        (role, org) for role, org in actor.roles if role == "trainee")))]
    return render_template("unit_declaration/mine.html", items=items)


@blp.route("/declarations/<int:declaration_id>")
def detail(declaration_id: int) -> Any:
    actor = web_session.actor()
    declaration = service.get_visible(declaration_id, actor)
    view = declaration_view(declaration)
    task_id = None
    if declaration.authority_id in service.my_authorities(actor):
        task_id = next((row.id for row in runner.open_tasks(declaration.instance_id) if not row.personal), None)
    return render_template("unit_declaration/detail.html", declaration=view, files=file_items(view["files"]),
                           task_id=task_id, back=declaration.unit_id in service.my_units(actor))


@blp.route("/declarations/<int:declaration_id>/files/<int:file_id>")
def attachment(declaration_id: int, file_id: int) -> Any:
    return file_response(*service.read_file(declaration_id, file_id, web_session.actor()))

