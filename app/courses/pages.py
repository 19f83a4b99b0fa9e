"""The trainee's course pages (seed 000 §3): the catalogue (search, sort, categories, 批量添加),
我的课程 (未学 / 已学 / 全部, 已学时间 and 进度) and the study page, whose script beats the study clock
(JSON, cookie session with the CSRF header) and asks 点击继续学习 when idle or when another window
took over."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _
from ..storage import StorageError, storage
from ..web import session as web_session
from ..web.pages import FILE_CSP
from . import service
from .views import category_view, course_view, my_course_view

blp = Blueprint("courses_pages", __name__, template_folder="templates")


def _trainee() -> Any:
    actor = web_session.actor()
    if not actor.is_trainee:
        abort(403)
    return actor


@blp.route("/courses")
def catalogue() -> Any:
    _trainee()
    category_id = request.args.get("category", type=int)
    sort = request.args.get("sort") if request.args.get("sort") in service.SORTS else None
    descending = request.args.get("order") == "desc"
    q = (request.args.get("q") or "").strip()[:50]
    courses = [course_view(c) for c in service.catalogue(category_id=category_id, q=q or None, sort=sort,
                                                          descending=descending)]
    mine = {row.course_id for row in service.mine(web_session.actor(), "all")}
    return render_template("courses/catalogue.html", courses=courses, categories=[category_view(c) for c in
                                                                                  service.categories()],
                           category_id=category_id, sort=sort, descending=descending, q=q, mine=mine)


@blp.route("/courses/add", methods=["POST"])
def add() -> Any:
    actor = _trainee()
    ids = [int(i) for i in request.form.getlist("course_id") if i.isdigit()][:100]
    if not ids:
        flash(_("Choose at least one course."), "error")
    else:
        try:
            with savepoint():
                service.add(actor, ids)
            flash(_("%(n)s course(s) added to your courses.", n=len(set(ids))), "success")
        except ServiceError as exc:
            flash(exc.message, "error")
    return redirect(request.form.get("next") or url_for("courses_pages.catalogue"))


@blp.route("/my-courses")
def mine() -> Any:
    actor = _trainee()
    tab = request.args.get("tab") if request.args.get("tab") in service.TABS else "unstudied"
    items = [my_course_view(row) for row in service.mine(actor, tab)]
    return render_template("courses/mine.html", items=items, tab=tab)


@blp.route("/my-courses/<int:course_id>/remove", methods=["POST"])
def remove(course_id: int) -> Any:
    actor = _trainee()
    try:
        with savepoint():
            service.remove(actor, course_id)
        flash(_("The course has been removed from your courses."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("courses_pages.mine"))


@blp.route("/my-courses/<int:course_id>")
def study(course_id: int) -> Any:
    """学习: the course's document or video, the clock's progress, the idle and new-window prompts."""
    actor = _trainee()
    row = service.mine_one(actor, course_id)
    return render_template("courses/study.html", item=my_course_view(row), settings=service.settings(),
                           new_window=service.NEW_WINDOW)


@blp.route("/my-courses/<int:course_id>/media")
def media(course_id: int) -> Response:
    actor = _trainee()
    return media_response(service.mine_one(actor, course_id).course)


def media_response(course: Any) -> Response:
    """A course's video or PDF from the storage: its checked type (never sniffed), inline, shown only
    in our pages and running nothing (the stored files' CSP); byte ranges, so a video can seek."""
    if not course.media_key:
        abort(404)
    store = storage()
    try:
        path = store.local_path(course.media_key)
        if path is not None:  # local storage: ranges read from the file, never the whole video
            response = send_file(path, mimetype=course.media_type, conditional=True, etag=True, max_age=3600)
        else:  # another backend (S3): the object whole, the range cut from it
            data = store.get(course.media_key)
            response = Response(data, mimetype=course.media_type).make_conditional(
                request, accept_ranges=True, complete_length=len(data))
    except (StorageError, FileNotFoundError):
        abort(404)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _json(do: Any) -> Any:
    try:
        with savepoint():
            return jsonify(do())
    except ServiceError as exc:
        response = jsonify({"error": {"code": exc.code, "message": exc.message}})
        response.status_code = exc.status
        return response


@blp.route("/my-courses/<int:course_id>/start", methods=["POST"])
def start(course_id: int) -> Any:
    actor = _trainee()
    return _json(lambda: service.start(actor, course_id))


@blp.route("/my-courses/<int:course_id>/heartbeat", methods=["POST"])
def heartbeat(course_id: int) -> Any:
    actor = _trainee()
    body = request.get_json(silent=True) or {}
    seq = body.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= 10_000_000:
        return jsonify({"error": {"code": "invalid", "message": _("The data sent is not valid.")}}), 422
    return _json(lambda: service.heartbeat(actor, course_id, str(body.get("session") or "")[:64], seq,
                                           bool(body.get("idle"))))
