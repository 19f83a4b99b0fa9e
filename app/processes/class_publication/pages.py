"""A provider's class pages (培训信息管理): the list with 开启 and 申请变更, the form (确定), one
class with its review log. The HR department decides on the shared task page and opens the
class from there; trainees find open classes from the enrolment pages."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ...clock import today
from ...db import savepoint
from ...errors import Invalid, ServiceError
from ...extensions import db
from ...i18n import _, label, localise
from ...models import ProcessInstance
from ...services import runner
from ...web import session as web_session
from ...web.pages import act
from ..provider_prefiling import service as prefilings
from ..provider_prefiling.pages import _flat
from . import service
from .api import ChangeRequestSchema, ClassCreateSchema, ClassInputSchema, json_ready
from .views import class_view, public_view

blp = Blueprint("class_publication", __name__, template_folder="templates")

SIMPLE = ("subject", "enrol_from", "enrol_until", "resubmit_until", "seat_limit", "report_venue", "class_venue",
          "contact_name", "contact_phone", "notes")
DATES = ("enrol_from", "enrol_until", "resubmit_until")
PACKAGE_COLUMNS = ("content", "hours")


def _provider_staff() -> None:
    if not prefilings.my_providers(web_session.actor()):
        abort(403)


def _package_rows() -> list[dict[str, str]]:
    found, i = [], 0
    while f"package-{i}-content" in request.form and i < 60:
        row = {c: (request.form.get(f"package-{i}-{c}") or "").strip() for c in PACKAGE_COLUMNS}
        if any(row.values()):
            found.append(row)
        i += 1
    return found


def _specialty_key(item: dict[str, Any]) -> str:
    return f"{item['series']}|{item['specialty']}|{item['level']}"


def _payload() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in SIMPLE:
        value = (request.form.get(name) or "").strip()
        if name in DATES:
            if value:
                data[name] = value
        elif name == "seat_limit":
            data[name] = int(value) if value.isdigit() and len(value) < 9 else (value or 0)
        else:
            data[name] = value
    picked = request.form.getlist("specialties")
    data["specialties"] = [dict(zip(("series", "specialty", "level"), p.split("|"), strict=False))
                           for p in picked if p.count("|") == 2]
    data["years"] = [int(y) for y in request.form.getlist("years") if y.isdigit() and len(y) == 4]
    data["has_package"] = request.form.get("has_package") == "yes"
    data["package"] = _package_rows() if data["has_package"] else []
    if request.form.get("prefiling_id", "").isdigit():
        data["prefiling_id"] = int(request.form["prefiling_id"])
    return data


def _load(data: dict[str, Any], schema: ma.Schema) -> dict[str, Any]:
    try:
        return json_ready(schema.load(data))
    except ma.ValidationError as exc:
        raise Invalid(_("Some fields are not filled in correctly."), code="invalid",
                      fields=localise(exc.normalized_messages())) from None


def _form_values(view: dict[str, Any] | None, filing_id: int | None) -> dict[str, Any]:
    if request.method == "POST":
        values: dict[str, Any] = {name: request.form.get(name, "") for name in SIMPLE}
        values["specialties"] = set(request.form.getlist("specialties"))
        values["years"] = {int(y) for y in request.form.getlist("years") if y.isdigit()}
        values["has_package"] = request.form.get("has_package") == "yes"
        values["package"] = _package_rows()
        values["prefiling_id"] = request.form.get("prefiling_id", "")
    elif view:
        values = {name: ("" if view.get(name) is None else view[name]) for name in SIMPLE}
        values.update(specialties={_specialty_key(s) for s in view["specialties"]}, years=set(view["years"]),
                      has_package=view["has_package"], package=[dict(c) for c in view["package"]],
                      prefiling_id=view["prefiling_id"])
    else:
        values = dict.fromkeys(SIMPLE, "")
        values.update(subject="professional", seat_limit=0, specialties=set(), years={today().year},
                      has_package=False, package=[], prefiling_id=filing_id or "")
    if request.form.get("add") == "package" or not values["package"]:
        values["package"].append(dict.fromkeys(PACKAGE_COLUMNS, ""))
    return values


def _render_form(view: dict[str, Any] | None, error: ServiceError | None = None, status: int = 200) -> Any:
    actor = web_session.actor()
    filings = [f for p in sorted(prefilings.my_providers(actor)) for f in prefilings.filed_for(p)]
    filing_id = view["prefiling_id"] if view else request.values.get("prefiling_id", type=int)
    values = _form_values(view, filing_id)
    chosen = next((f for f in filings if str(f.id) == str(values["prefiling_id"])), None)
    if chosen is None and view:
        chosen = service.get_visible(view["id"], actor).prefiling
    this_year = today().year
    years = list(range(this_year, this_year - int(service.settings()["PAST_YEARS"]) - 1, -1))
    return render_template("class_publication/form.html", cls=view, values=values, filings=filings, chosen=chosen,
                           years=years, subjects={key: label(word) for key, word in service.SUBJECTS.items()},
                           scope=chosen.scope if chosen else [], error=error,
                           field_errors=_flat(error.fields or {}) if error else {},
                           key=_specialty_key), status


def _save(class_id: int | None) -> Any:
    actor = web_session.actor()
    view = class_view(service.get_visible(class_id, actor), with_log=False) if class_id else None
    if request.form.get("add") == "package" or request.form.get("action") == "choose":
        return _render_form(view)  # one more course row, or the filing's specialties: nothing saved
    try:
        with savepoint():
            if class_id:
                payload = _payload()
                payload.pop("prefiling_id", None)
                cls = service.update(class_id, actor, _load(payload, ClassInputSchema()))
            else:
                cls = service.create(actor, _load(_payload(), ClassCreateSchema()))
    except ServiceError as exc:
        return _render_form(view, exc, exc.status)
    flash(_("The class has been saved."), "success")
    return redirect(url_for("class_publication.detail", class_id=cls.id))


@blp.route("/classes")
def index() -> Any:
    """培训信息管理: this provider's classes, where each one is, and 开启 for approved ones."""
    _provider_staff()
    actor = web_session.actor()
    classes = service.list_for(actor, own_only=True)
    items = [class_view(c, with_log=False) for c in classes]
    openable = {c.id for c in classes if c.status == "approved"}
    published = {c.prefiling_id for c in classes}
    waiting = [f for p in sorted(prefilings.my_providers(actor)) for f in prefilings.filed_for(p)
               if f.id not in published]
    return render_template("class_publication/index.html", items=items, openable=openable, waiting=waiting)


@blp.route("/classes/new", methods=["GET", "POST"])
def new() -> Any:
    _provider_staff()
    if request.method == "POST":
        return _save(None)
    return _render_form(None)


@blp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
def edit(class_id: int) -> Any:
    _provider_staff()
    actor = web_session.actor()
    cls = service.get_visible(class_id, actor)
    if not runner.editable_by(db.session.get(ProcessInstance, cls.instance_id), actor):
        flash(_("This class is read-only until the HR department sends it back."), "error")
        return redirect(url_for("class_publication.detail", class_id=class_id))
    if request.method == "POST":
        return _save(class_id)
    return _render_form(class_view(cls, with_log=False))


@blp.route("/classes/<int:class_id>")
def detail(class_id: int) -> Any:
    actor = web_session.actor()
    cls = service.get_visible(class_id, actor)
    if not service.reviewable_by(cls, actor):  # a trainee: what the published class says
        return render_template("class_publication/public.html", cls=public_view(cls))
    view = class_view(cls)
    instance = db.session.get(ProcessInstance, cls.instance_id)
    own = actor.staff_of(cls.provider_id, service.PROVIDER_ROLES)
    steps = runner.waiting_for(instance, actor) if own else []
    listening = runner.listening(instance) if own else frozenset()
    return render_template("class_publication/detail.html", cls=view, own=own,
                           editable=own and runner.editable_by(instance, actor),
                           can_submit=bool(set(steps) & {"prepare", "revise"}), can_open="open" in steps,
                           can_request_change="request_change" in listening, can_delete="delete" in listening)


def _act(class_id: int, do: Any, done: str) -> Any:
    back = request.form.get("next")  # 开启 from the list returns to the list
    return act(back if back == url_for("class_publication.index")
               else url_for("class_publication.detail", class_id=class_id), do, done)

@blp.route("/classes/<int:class_id>/submit", methods=["POST"])
def submit(class_id: int) -> Any:
    return _act(class_id, lambda: service.submit(class_id, web_session.actor()), _("Submitted."))


@blp.route("/classes/<int:class_id>/open", methods=["POST"])
def open_class(class_id: int) -> Any:
    return _act(class_id, lambda: service.open_class(class_id, web_session.actor()),
                _("The class is open: trainees can enrol within its enrolment window."))


@blp.route("/classes/<int:class_id>/change-request", methods=["POST"])
def change_request(class_id: int) -> Any:
    def ask() -> None:
        try:
            body = ChangeRequestSchema().load({"reason": request.form.get("reason", "")})
        except ma.ValidationError:
            raise Invalid(_("Say why the class should be sent back (at most 200 characters)."), code="invalid",
                          fields={"reason": [_("Required.")]}) from None
        service.request_change(class_id, web_session.actor(), body["reason"])
    return _act(class_id, ask, _("The change request has been sent to the HR department."))


@blp.route("/classes/<int:class_id>/delete", methods=["POST"])
def delete(class_id: int) -> Any:
    try:
        with savepoint():
            service.delete(class_id, web_session.actor())
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("class_publication.detail", class_id=class_id))
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("class_publication.index"))
