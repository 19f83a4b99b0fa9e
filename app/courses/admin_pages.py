"""The course administrator's pages (课程管理, 课程分类管理): the category tree, the courses, their video
or PDF, 发布 / 下架 and what was changed (the course's 操作记录). Only the 课程管理员 hat opens them."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _, _l, label
from ..models.ledger import CATEGORIES
from ..models.ledger import CATEGORY_LABELS as SUBJECT_LABELS
from ..web import session as web_session
from ..web.forms import finite_number, no_control_characters
from . import admin, media
from .pages import media_response
from .views import admin_category_view, admin_course_list, admin_course_view

blp = Blueprint("course_admin_pages", __name__, template_folder="templates")
REQUIRED = _l("必填。")
TOP = 0  # the parent choice "none: a top-level category"


class CategoryForm(FlaskForm):
    name = StringField(_l("分类名称"), validators=[DataRequired(REQUIRED), Length(max=50), no_control_characters])
    parent_id = SelectField(_l("上级分类"), coerce=int, validate_choice=True)
    subject = SelectField(_l("科目（顶级分类）"), validators=[Optional()])
    active = BooleanField(_l("启用"), default=True)


class CourseForm(FlaskForm):
    title = StringField(_l("课程名称"), validators=[DataRequired(REQUIRED), Length(max=100), no_control_characters])
    category_id = SelectField(_l("课程分类"), coerce=int, validate_choice=True)
    duration_minutes = IntegerField(_l("最少学习时间（分钟）"),
                                    validators=[DataRequired(REQUIRED), NumberRange(1, 6000)])
    hours = DecimalField(_l("学时"), places=1,
                         validators=[DataRequired(REQUIRED), finite_number, NumberRange(0.1, 100)])


class MediaForm(FlaskForm):
    file = FileField(_l("课程视频或文档"), description=_l("mp4、webm 视频或 pdf 文档"))


@blp.url_value_preprocessor
def _media_body(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """A course administrator's upload may be as large as a course's media; anyone else's body keeps
    the app-wide limit (this runs before the login and CSRF checks, so it asks for the role itself)."""
    actor = web_session.actor() if endpoint == "course_admin_pages.upload" else None
    if actor is not None and actor.holds(admin.ROLE):
        media.allow_large_body()


def _admin() -> Any:
    actor = web_session.actor()
    if actor is None or not actor.holds(admin.ROLE):
        abort(403)
    return actor


def _tree_choices(exclude: int | None = None) -> list[tuple[int, str]]:
    """Categories as an indented list (with their subject), for a select."""
    rows = admin.all_categories()
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            if row.id == exclude:
                continue
            off = "" if row.active else _("（已停用）")
            out.append((row.id, "　" * depth + row.name + off))
            walk(row.id, depth + 1)
    walk(None, 0)
    return out


def _subjects() -> list[tuple[str, str]]:
    return [(key, label(SUBJECT_LABELS[key])) for key in CATEGORIES]


def _status(error: ServiceError | None, form: FlaskForm) -> int:
    return error.status if error else (422 if form.errors else 200)


@blp.route("/admin/course-categories", methods=["GET", "POST"])
def categories() -> Any:
    """课程分类管理: the tree and a form for a new category."""
    actor = _admin()
    form = CategoryForm()
    form.parent_id.choices = [(TOP, _("无（顶级分类）")), *_tree_choices()]
    form.subject.choices = [("", _("请选择")), *_subjects()]
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                row = admin.create_category(actor, name=form.name.data.strip(), parent_id=form.parent_id.data or None,
                                            subject=form.subject.data or None)
        except ServiceError as exc:
            error = exc
        else:
            flash(_("已新增课程分类“%(name)s”。", name=row.name), "success")
            return redirect(url_for("course_admin_pages.categories"))
    rows = [admin_category_view(c) for c in admin.all_categories()]
    names = {row["id"]: row["name"] for row in rows}
    return render_template("courses/admin_categories.html", form=form, rows=rows, names=names,
                           choices=_tree_choices, error=error,
                           field_errors=dict(error.fields or {}) if error else {}), _status(error, form)


@blp.route("/admin/course-categories/<int:category_id>", methods=["POST"])
def edit_category(category_id: int) -> Any:
    """Rename, move, 停用 / 启用 one category (the row's own form)."""
    actor = _admin()
    form = CategoryForm()
    form.parent_id.choices = [(TOP, ""), *_tree_choices()]
    form.subject.choices = [("", ""), *_subjects()]
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("请检查填写的内容。"), "error")
    else:
        try:
            with savepoint():
                admin.update_category(actor, category_id, {"name": form.name.data.strip(),
                                                           "parent_id": form.parent_id.data or None,
                                                           "active": form.active.data})
            flash(_("课程分类已保存。"), "success")
        except ServiceError as exc:
            flash(exc.message, "error")
    return redirect(url_for("course_admin_pages.categories"))


@blp.route("/admin/courses", methods=["GET", "POST"])
def courses() -> Any:
    """课程管理: every course (published or not) and a form for a new one."""
    actor = _admin()
    form = CourseForm()
    form.category_id.choices = _tree_choices()
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                row = admin.create_course(actor, _payload(form))
        except ServiceError as exc:
            error = exc
        else:
            flash(_("课程已新增，上传视频或文档后即可发布。"), "success")
            return redirect(url_for("course_admin_pages.course", course_id=row.id))
    rows = admin_course_list(admin.all_courses())
    return render_template("courses/admin_courses.html", form=form, rows=rows, error=error,
                           field_errors=dict(error.fields or {}) if error else {}), _status(error, form)


def _payload(form: CourseForm) -> dict[str, Any]:
    return {"title": form.title.data.strip(), "category_id": form.category_id.data,
            "duration_minutes": form.duration_minutes.data, "hours": form.hours.data}


@blp.route("/admin/courses/<int:course_id>", methods=["GET", "POST"])
def course(course_id: int) -> Any:
    """One course: its details (editable), its video or PDF, 发布 / 下架, and its 操作记录."""
    actor = _admin()
    row = admin.get_course(course_id)
    form = CourseForm(obj=None if request.method == "POST" else row,
                      data=None if request.method == "POST" else {"duration_minutes": row.duration_seconds // 60})
    form.category_id.choices = _tree_choices()
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                admin.update_course(actor, course_id, _payload(form))
        except ServiceError as exc:
            error = exc
        else:
            flash(_("课程已保存。"), "success")
            return redirect(url_for("course_admin_pages.course", course_id=course_id))
    return _course_page(row, form, MediaForm(formdata=None), error)


def _course_page(row: Any, form: CourseForm, media_form: MediaForm, error: ServiceError | None,
                 status: int | None = None) -> Any:
    return render_template("courses/admin_course.html", course=admin_course_view(row), form=form,
                           media_form=media_form, events=admin.events(course_id=row.id), error=error,
                           actions={key: label(value) for key, value in admin.ACTIONS.items()},
                           max_mb=media.max_bytes() // (1024 * 1024),
                           field_errors=dict(error.fields or {}) if error else {}), status or _status(error, form)


@blp.route("/admin/courses/<int:course_id>/media", methods=["POST"])
def upload(course_id: int) -> Any:
    actor = _admin()
    row = admin.get_course(course_id)
    media_form = MediaForm()
    error = None
    if media_form.validate_on_submit():
        upload = media_form.file.data
        data = upload.stream.read(media.max_bytes() + 1) if upload else b""
        try:
            with savepoint():
                admin.upload(actor, course_id, data, upload.filename if upload else None)
        except ServiceError as exc:
            error = exc
        else:
            flash(_("课程视频或文档已上传。"), "success")
            return redirect(url_for("course_admin_pages.course", course_id=course_id))
    form = CourseForm(formdata=None, obj=row, data={"duration_minutes": row.duration_seconds // 60})
    form.category_id.choices = _tree_choices()
    return _course_page(row, form, media_form, error, error.status if error else 400)


@blp.route("/admin/courses/<int:course_id>/media")
def preview(course_id: int) -> Any:
    _admin()
    return media_response(admin.get_course(course_id))


@blp.route("/admin/courses/<int:course_id>/publish", methods=["POST"])
def publish(course_id: int) -> Any:
    """发布 (``active=1``) or 下架 (``active=0``)."""
    actor = _admin()
    active = request.form.get("active") == "1"
    try:
        with savepoint():
            admin.publish(actor, course_id, active)
        flash(_("课程已发布。") if active else _("课程已下架。"), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("course_admin_pages.course", course_id=course_id))
