"""The trainee's claim pages: this year's hours and claims, the claim form, proofs, submit,
withdraw, delete and the flow log."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for

from ...clock import today
from ...errors import Invalid, ServiceError
from ...i18n import _, label
from ...services import attachments, ledger, records
from ...web import session as web_session
from ...web.pages import audit_readable, file_response
from ...web.trainee import current_year, trainees_only, year_arg
from ..enrollment import service as enrollments
from . import service as claims
from .forms import ClaimForm
from .routes import ROUTES, DetailsError
from .views import claim_view

blp = Blueprint("credit_claim", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/processes/credit_claim")
blp.before_request(trainees_only)


@blp.route("/me")
def home() -> Any:
    actor = web_session.actor()
    year = year_arg()
    window = claims.window(year, claims.claimant_unit(actor.id, year))
    enrollment = enrollments.of_year(actor.id, year)
    return render_template(
        "credit_claim/home.html", year=year, hours=records.hours(actor.id, year),
        claims=[claim_view(c, with_log=False) for c in claims.list_for(actor, year)],
        window=window, window_open=window is not None and window.holds(today()), routes=ROUTES,
        route_cap=ledger.Policy.current().route_cap,
        enrollment=({"approved": enrollment.approved_at is not None, "status_label": label(enrollment.status_label)}
                    if enrollment else None))


def _form_errors(form: ClaimForm, error: ServiceError | None) -> dict[str, list[str]]:
    """Service problems keyed by the form field that shows them."""
    if error is None or not error.fields:
        return {}
    shown: dict[str, list[str]] = {}
    for key, problems in error.fields.items():
        name = form.field_for(key.split(".", 1)[1]) if key.startswith("details.") else key
        shown.setdefault(name, []).extend(problems)
    return shown


def _suggestion(actor: Any, route_code: str, details: dict[str, Any], claim_id: int | None) -> dict[str, Any]:
    """The hours the rules suggest for these details (None while they are incomplete) and the cap left."""
    route = ROUTES[route_code]
    try:
        suggested: Decimal | None = min(route.suggest(details), ledger.Policy.current().route_cap)
    except DetailsError:
        suggested = None
    remaining = claims.route_remaining(actor.id, current_year(), route.code, exclude_claim_id=claim_id)
    return {"route": route.code, "label": label(route.label), "remaining": float(remaining),
            "suggested": float(suggested) if suggested is not None else None}


def _render_form(form: ClaimForm, claim: Any, error: ServiceError | None, status: int = 200) -> Any:
    actor = web_session.actor()
    view = claim_view(claim, actor=actor) if claim is not None else None
    year = claim.year if claim is not None else current_year()
    route = form.route.data if form.route.data in ROUTES else "exam"
    return render_template(
        "credit_claim/claim_form.html", form=form, claim=view, error=error, routes=ROUTES,
        field_errors=_form_errors(form, error), year=year,
        suggestion=_suggestion(actor, route, form.details(), claim.id if claim else None),
        uploads=current_app.config["UPLOADS"],
        window_open=claims.open_window(year, claims.claimant_unit(actor.id, year)) is not None,
        proofs_needed=claims.proofs_required(route),
    ), (error.status if error else status)


def _payload(form: ClaimForm, claim_id: int | None = None) -> dict[str, Any]:
    hours = form.hours_requested.data
    if hours is None:  # left empty: what the rules suggest for these details
        hours = _suggestion(web_session.actor(), form.route.data, form.details(), claim_id)["suggested"]
    return {"route": form.route.data, "title": form.title.data, "details": form.details(),
            "hours_requested": hours}


@blp.route("/claims/new", methods=["GET", "POST"])
def new_claim() -> Any:
    form = ClaimForm(route=request.args.get("route", "exam"))
    if not form.validate_on_submit():
        return _render_form(form, None, None, 422 if form.errors else 200)
    try:
        claim = claims.create(web_session.actor(), {"year": current_year(), **_payload(form)})
    except ServiceError as exc:
        return _render_form(form, None, exc)
    if request.form.get("action") == "submit":
        return _submit(claim.id)
    flash(_("Saved. Add your proofs, then submit for review."), "success")
    return redirect(url_for("credit_claim.claim", claim_id=claim.id, saved=1))


@blp.route("/claims/<int:claim_id>", methods=["GET", "POST"])
@audit_readable
def claim(claim_id: int) -> Any:
    actor = web_session.actor()
    record = claims.get_visible(claim_id, actor)
    if record.trainee_id != actor.id:  # read-only; only process admins and auditors get this far
        return render_template("credit_claim/claim.html", claim=claim_view(record, actor=actor),
                               uploads=current_app.config["UPLOADS"]), 200 if actor.can_read_all_processes else 403
    view = claim_view(record, actor=actor)
    if not view["editable"]:
        return render_template("credit_claim/claim.html", claim=view, uploads=current_app.config["UPLOADS"])
    form = ClaimForm(obj=record) if request.method == "GET" else ClaimForm()
    if request.method == "GET":
        form.load(record.route, record.details)
        return _render_form(form, record, None)
    if not form.validate_on_submit():
        return _render_form(form, record, None, 422)
    try:
        claims.update(claim_id, actor, _payload(form, claim_id))
    except ServiceError as exc:
        return _render_form(form, record, exc)
    if request.form.get("action") == "submit":
        return _submit(claim_id)
    flash(_("Saved."), "success")
    return redirect(url_for("credit_claim.claim", claim_id=claim_id, saved=1))


def _submit(claim_id: int) -> Any:
    actor = web_session.actor()
    try:
        claims.submit(claim_id, actor)
    except ServiceError as exc:
        flash(exc.message, "error")  # the edits are saved; what blocks the submission is said here
        return redirect(url_for("credit_claim.claim", claim_id=claim_id))
    flash(_("Submitted. Your unit reviews it next; you can withdraw it until the unit acts."), "success")
    return redirect(url_for("credit_claim.claim", claim_id=claim_id, saved=1))


@blp.route("/claims/<int:claim_id>/submit", methods=["POST"])
def submit(claim_id: int) -> Any:
    return _submit(claim_id)


@blp.route("/claims/<int:claim_id>/withdraw", methods=["POST"])
def withdraw(claim_id: int) -> Any:
    try:
        claims.withdraw(claim_id, web_session.actor())
        flash(_("Withdrawn. You can edit the claim and submit it again."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("credit_claim.claim", claim_id=claim_id))


@blp.route("/claims/<int:claim_id>/delete", methods=["POST"])
def delete(claim_id: int) -> Any:
    try:
        claims.delete(claim_id, web_session.actor())
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("credit_claim.claim", claim_id=claim_id))
    flash(_("The claim has been deleted."), "success")
    return redirect(url_for("credit_claim.home"))


# -- proofs ------------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@blp.route("/claims/<int:claim_id>/files", methods=["POST"])
def upload(claim_id: int) -> Any:
    """A proof; the page's script sends it in the background so unsaved edits stay on the form."""
    upload = request.files.get("file")
    limit = current_app.config["UPLOADS"]["MAX_FILE_BYTES"]
    try:
        if upload is None or not upload.filename:
            raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
        row = claims.add_file(claim_id, web_session.actor(), upload.stream.read(limit + 1),
                              upload.filename, request.form.get("description"))
    except ServiceError as exc:
        if _wants_json():
            return jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}), \
                exc.status
        flash(exc.message, "error")
        return redirect(url_for("credit_claim.claim", claim_id=claim_id))
    if _wants_json():
        return jsonify({**attachments.view(row), "size_kb": f"{row.size / 1024:.1f}",
                        "url": url_for("credit_claim.proof", claim_id=claim_id, file_id=row.id),
                        "remove_url": url_for("credit_claim.remove_proof", claim_id=claim_id, file_id=row.id)}), 201
    flash(_("Uploaded %(name)s.", name=row.filename), "success")
    return redirect(url_for("credit_claim.claim", claim_id=claim_id))


@blp.route("/claims/<int:claim_id>/files/<int:file_id>")
@audit_readable
def proof(claim_id: int, file_id: int) -> Response:
    return file_response(*claims.read_file(claim_id, file_id, web_session.actor()))


@blp.route("/claims/<int:claim_id>/files/<int:file_id>/delete", methods=["POST"])
def remove_proof(claim_id: int, file_id: int) -> Any:
    try:
        claims.remove_file(claim_id, file_id, web_session.actor())
        flash(_("The file has been removed."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("credit_claim.claim", claim_id=claim_id))


@blp.route("/claims/suggest")
def suggest() -> Any:
    """Suggested hours and the cap left, computed by the same rules the service applies."""
    actor = web_session.actor()
    route = ROUTES.get(request.args.get("route", ""))
    if route is None:
        return jsonify({"error": {"message": _("Choose a route.")}}), 422
    details = {}
    for key in (*route.fields, *route.optional):
        raw = request.args.get(key, "").strip()
        if raw:
            details[key] = int(raw) if raw.isdigit() else (_number(raw) if key == "stated_hours" else raw)
    return jsonify(_suggestion(actor, route.code, details, request.args.get("claim_id", type=int)))


def _number(raw: str) -> Any:
    try:
        return float(Decimal(raw))
    except ArithmeticError:
        return raw
