"""The people pages: 批量导入 (template, upload, the result and its error report), 人员信息查询
(filters, 详细 / 重置密码 / 学习记录), and the login page's 忘记密码 help (served through the login
endpoint, which anyone may open: ``account.login`` hands ``?help`` to ``password_help_page``)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from ..errors import Invalid, ServiceError
from ..i18n import _
from ..models.ledger import CATEGORY_LABELS
from ..web import session as web_session
from . import access, importing, password_help, query, workbook
from .api import xlsx_response

blp = Blueprint("people_pages", __name__, template_folder="templates")
FILTERS = ("authority_id", "unit_id", "name", "id_number", "education", "title")


@blp.record_once
def _offer_password_help(state: Any) -> None:
    state.app.extensions["password_help"] = password_help_page


def _importer() -> tuple[Any, int]:
    actor = web_session.actor()
    units = access.admin_units(actor)
    if len(units) != 1:  # pages act in one chosen role: one unit
        abort(403)
    return actor, next(iter(units))


def _import_page(unit_id: int, error: ServiceError | None = None, status: int = 200) -> Any:
    report_id = (error.headers.get("X-Import-Id") if error else None)
    labels = dict(zip(workbook.FIELDS, workbook.HEADER, strict=True))
    return render_template("people/import.html", error=error, bad_rows=error.rows if error else None,
                           report_id=report_id, labels=labels, recent=importing.recent({unit_id}),
                           max_rows=importing.settings()["MAX_ROWS"]), status


@blp.route("/people/import")
def import_page() -> Any:
    """批量导入: download the template, upload the filled file, the last imports."""
    _actor, unit_id = _importer()
    return _import_page(unit_id)


@blp.route("/people/import/template.xlsx")
def import_template() -> Response:
    _importer()
    return xlsx_response(workbook.template(), "staff-import-template.xlsx")


@blp.route("/people/import", methods=["POST"])
def upload() -> Any:
    """The whole file or nothing: a refused file's rows are listed, with its report to download."""
    actor, unit_id = _importer()
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
        limit = int(importing.settings()["MAX_BYTES"])
        done = importing.import_staff(actor, unit_id, file.stream.read(limit + 1))
    except ServiceError as exc:
        return _import_page(unit_id, exc, exc.status)
    return render_template("people/import.html", done=done, recent=importing.recent({unit_id}), error=None,
                           bad_rows=None, report_id=None, labels={}, max_rows=importing.settings()["MAX_ROWS"])


@blp.route("/people/import/<int:import_id>/report.xlsx")
def import_report(import_id: int) -> Response:
    _actor, unit_id = _importer()
    attempt = importing.attempt_of(import_id, {unit_id})
    if attempt is None or not attempt.errors:
        abort(404)
    return xlsx_response(workbook.error_report(attempt.errors), f"staff-import-errors-{import_id}.xlsx")


def _filters() -> tuple[query.Filters, dict[str, str], dict[str, str]]:
    given = {key: value.strip() for key in FILTERS if (value := request.args.get(key, "").strip())}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key in ("authority_id", "unit_id"):
        if key in given:
            if given[key].isdigit() and len(given[key]) < 10:
                values[key] = int(given[key])
            else:
                errors[key] = _("Choose one of the options.")
    for key in ("name", "id_number"):
        if key in given:
            values[key] = given[key][:30]
    for key, choices in (("education", workbook.EDUCATION_LEVELS), ("title", workbook.TITLES)):
        if key in given:
            if given[key] in choices:
                values[key] = given[key]
            else:
                errors[key] = _("Choose one of the options.")
    page = request.args.get("page", "1")
    values["page"] = int(page) if page.isdigit() and len(page) < 7 else 1
    return query.Filters(**values), given, errors


@blp.route("/people")
def query_page() -> Any:
    """人员信息查询: the people of the caller's unit or of the authority's subtree."""
    actor = web_session.actor()
    if not access.may_query(actor):
        abort(403)
    filters, given, errors = _filters()
    items, total, error = [], 0, None
    if not errors:
        try:
            items, total = query.search(actor, filters)
        except ServiceError as exc:
            error = exc
    status = 422 if errors or error else 200
    return render_template("people/query.html", items=items, total=total, page=filters.page,
                           per_page=filters.per_page, args=given, errors=errors, error=error,
                           choices=query.choices(actor), educations=workbook.EDUCATION_LEVELS,
                           titles=workbook.TITLES), status


@blp.route("/people/export.xlsx")
def export_page() -> Any:
    """导出 Excel: the people the filters find (as the table, every page)."""
    actor = web_session.actor()
    if not access.may_query(actor):
        abort(403)
    filters, _given, errors = _filters()
    if errors:
        abort(422)
    return xlsx_response(query.export(actor, filters), "people.xlsx")


@blp.route("/people/<int:user_id>")
def person_page(user_id: int) -> Any:
    """详细"""
    return render_template("people/person.html", person=query.person(web_session.actor(), user_id))


@blp.route("/people/<int:user_id>/record")
def record_page(user_id: int) -> Any:
    """学习记录"""
    record = query.learning_record(web_session.actor(), user_id)
    return render_template("people/record.html", record=record, categories=CATEGORY_LABELS)


@blp.route("/people/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> Any:
    """重置密码: the temporary password is on this answer only (not in a flash message or the session)."""
    actor = web_session.actor()
    password = query.reset_password(actor, user_id)
    response = Response(render_template("people/person.html", person=query.person(actor, user_id),
                                        temporary_password=password))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def password_help_page() -> Any:
    """忘记密码 (``/login?help``): whom to ask, by username or ID number."""
    answer, error, asked = None, None, ""
    if request.method == "POST":
        asked = (request.form.get("username") or "").strip()[:64]
        if not asked:
            error = _("Enter your username or ID number.")
        else:
            try:
                answer = password_help.look_up(asked, request.remote_addr or "")
            except ServiceError as exc:
                return render_template("people/password_help.html", error=exc.message, answer=None,
                                       asked=asked), exc.status, exc.headers
    return render_template("people/password_help.html", error=error, answer=answer, asked=asked,
                           login_url=url_for("account.login")), 422 if error else 200
