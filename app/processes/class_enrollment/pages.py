"""Class enrolment pages: the trainee's (学员报名: pick a specialty and level, an open class, fill
the form, save, submit; my enrolments) and the provider's list to review (学员报名审核), whose
rows open the shared task page where the provider views the enrolment and decides."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ...db import savepoint
from ...errors import Invalid, ServiceError
from ...extensions import db
from ...i18n import _, label, localise
from ...models import ProcessInstance
from ...services import runner
from ...web import session as web_session
from ...web.pages import act
from ..class_publication import service as classes
from ..class_publication.models import ProviderClass
from ..class_publication.views import public_view
from ..provider_prefiling import service as prefilings
from ..provider_prefiling.api import LEVELS
from ..provider_prefiling.pages import SPECIALTIES
from . import service
from .api import STATUSES, ClassEnrollmentCreateSchema, ClassEnrollmentInputSchema
from .views import enrollment_view

blp = Blueprint("class_enrollment", __name__, template_folder="templates")
SIMPLE = ("phone", "unit_name", "remark")


def _trainee() -> None:
    if not web_session.actor().is_trainee:
        abort(403)


@blp.route("/class-enrollments")
def mine() -> Any:
    """学员报名: choose a specialty and level, see the open classes for it; my enrolments."""
    _trainee()
    specialty = (request.args.get("specialty") or "").strip()[:30]
    level = (request.args.get("level") or "").strip()[:20]
    searched = bool(specialty or level)
    found = [public_view(c) for c in classes.open_for(specialty or None, level or None)] if searched else []
    items = [enrollment_view(e, with_log=False) for e in service.mine(web_session.actor())]
    return render_template("class_enrollment/mine.html", items=items, found=found, searched=searched,
                           specialty=specialty, level=level, specialties=SPECIALTIES, levels=LEVELS,
                           none_open=service.NONE_OPEN)


def _payload() -> dict[str, Any]:
    data: dict[str, Any] = {name: (request.form.get(name) or "").strip() for name in SIMPLE}
    year = request.form.get("year", "")
    if year.isdigit() and len(year) == 4:
        data["year"] = int(year)
    choice = request.form.get("choice", "")
    if choice.count("|") == 2:
        data["series"], data["specialty"], data["level"] = choice.split("|")
    data["courses"] = [c for c in request.form.getlist("courses") if c][:50]
    if request.form.get("class_id", "").isdigit():
        data["class_id"] = int(request.form["class_id"])
    return data


def _load(data: dict[str, Any], schema: ma.Schema) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        raise Invalid(_("Some fields are not filled in correctly."), code="invalid",
                      fields=localise(exc.normalized_messages())) from None


def _render_form(cls: Any, view: dict[str, Any] | None, error: ServiceError | None = None, status: int = 200) -> Any:
    actor = web_session.actor()
    if request.method == "POST":
        values = {**_payload(), "choice": request.form.get("choice", "")}
    else:
        values = dict(view) if view else service.defaults(actor, cls)
        values["choice"] = f"{values['series']}|{values['specialty']}|{values['level']}" if view else ""
    return render_template("class_enrollment/form.html", enrollment=view, klass=public_view(cls), values=values,
                           user=actor.user, error=error,
                           field_errors={k: [str(m) for m in v] if isinstance(v, list) else [str(v)]
                                         for k, v in (error.fields or {}).items()} if error else {}), status


@blp.route("/class-enrollments/new", methods=["GET", "POST"])
def new() -> Any:
    _trainee()
    class_id = request.values.get("class_id", type=int)
    cls = db.session.get(ProviderClass, class_id) if class_id else None
    if cls is None or not classes.published(cls):
        flash(_("Choose an open class."), "error")
        return redirect(url_for("class_enrollment.mine"))
    if request.method == "GET":
        if not classes.accepting(cls):
            flash(service.closed_message(cls), "error")
            return redirect(url_for("class_enrollment.mine"))
        return _render_form(cls, None)
    try:
        with savepoint():
            enrollment = service.create(web_session.actor(), _load(_payload(), ClassEnrollmentCreateSchema()))
    except ServiceError as exc:
        return _render_form(cls, None, exc, exc.status)
    flash(_("The enrolment has been saved. Submit it to the provider when it is ready."), "success")
    return redirect(url_for("class_enrollment.detail", enrollment_id=enrollment.id))


@blp.route("/class-enrollments/<int:enrollment_id>/edit", methods=["GET", "POST"])
def edit(enrollment_id: int) -> Any:
    actor = web_session.actor()
    enrollment = service.get_visible(enrollment_id, actor)
    if enrollment.trainee_id != actor.id or not runner.editable_by(
            db.session.get(ProcessInstance, enrollment.instance_id), actor):
        flash(_("This enrolment cannot be changed now."), "error")
        return redirect(url_for("class_enrollment.detail", enrollment_id=enrollment_id))
    view = enrollment_view(enrollment, with_log=False)
    if request.method == "GET":
        return _render_form(enrollment.klass, view)
    try:
        with savepoint():
            payload = _payload()
            payload.pop("class_id", None)
            service.update(enrollment_id, actor, _load(payload, ClassEnrollmentInputSchema()))
    except ServiceError as exc:
        return _render_form(enrollment.klass, view, exc, exc.status)
    flash(_("The enrolment has been saved."), "success")
    return redirect(url_for("class_enrollment.detail", enrollment_id=enrollment_id))


@blp.route("/class-enrollments/<int:enrollment_id>")
def detail(enrollment_id: int) -> Any:
    actor = web_session.actor()
    enrollment = service.get_visible(enrollment_id, actor)
    view = enrollment_view(enrollment)
    instance = db.session.get(ProcessInstance, enrollment.instance_id)
    own = enrollment.trainee_id == actor.id
    steps = runner.waiting_for(instance, actor) if own else []
    reviewing = not own and actor.staff_of(enrollment.provider_id, service.PROVIDER_ROLES)
    review_task = next((row.id for row in runner.open_tasks(enrollment.instance_id)
                        if row.task_spec == "provider_review"), None) if reviewing else None
    return render_template("class_enrollment/detail.html", enrollment=view, own=own, reviewing=reviewing,
                           editable=own and runner.editable_by(instance, actor), can_submit=bool(steps),
                           can_delete=own and "delete" in runner.listening(instance), review_task=review_task)


def _act(enrollment_id: int, do: Any, done: str) -> Any:
    return act(url_for("class_enrollment.detail", enrollment_id=enrollment_id), do, done)

@blp.route("/class-enrollments/<int:enrollment_id>/submit", methods=["POST"])
def submit(enrollment_id: int) -> Any:
    return _act(enrollment_id, lambda: service.submit(enrollment_id, web_session.actor()),
                _("Submitted to the provider."))


@blp.route("/class-enrollments/<int:enrollment_id>/delete", methods=["POST"])
def delete(enrollment_id: int) -> Any:
    try:
        with savepoint():
            service.delete(enrollment_id, web_session.actor())
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("class_enrollment.detail", enrollment_id=enrollment_id))
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("class_enrollment.mine"))


@blp.route("/class-enrollments/review")
def review() -> Any:
    """学员报名审核: the submitted enrolments in this provider's classes, each opening its review."""
    actor = web_session.actor()
    if not prefilings.my_providers(actor):
        abort(403)
    class_id = request.args.get("class_id", type=int)
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    rows = service.for_provider(actor, class_id, status)
    tasks = {row.record_id: row.id for row in runner.open_tasks_of([e.instance_id for e in rows if e.instance_id])
             if row.task_spec == "provider_review"}
    own_classes = classes.list_for(actor, own_only=True)
    items = [{**enrollment_view(e, with_log=False), "task_id": tasks.get(e.id)} for e in rows]
    return render_template("class_enrollment/review.html", items=items, classes=own_classes, class_id=class_id,
                           status=status, statuses=[(k, label(w)) for k, w in service.REVIEW_STATUSES.items()])
