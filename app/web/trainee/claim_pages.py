"""Claim pages: the form (new and edit), proofs, submit / withdraw / delete, the flow log."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for

from ...domain.routes import ROUTES, DetailsError
from ...errors import Invalid, ServiceError
from ...i18n import _, label
from ...services import claim_files, claims, ledger
from ...services.presenters import claim_view
from .. import session as web_session
from ..files import proof_response
from . import blp, current_year
from .forms import ClaimForm


def _form_errors(form: ClaimForm, error: ServiceError | None) -> dict[str, list[str]]:
    """Service problems keyed by the form field that shows them."""
    if error is None or not error.fields:
        return {}
    shown: dict[str, list[str]] = {}
    for key, problems in error.fields.items():
        name = form.field_for(key.split(".", 1)[1]) if key.startswith("details.") else key
        shown.setdefault(name, []).extend(problems)
    return shown


def _render_form(form: ClaimForm, claim: Any, error: ServiceError | None, status: int = 200) -> Any:
    actor = web_session.actor()
    view = claim_view(claim) if claim is not None else None
    year = claim.year if claim is not None else current_year()
    return render_template(
        "trainee/claim_form.html", form=form, claim=view, error=error, routes=ROUTES,
        field_errors=_form_errors(form, error), year=year,
        remaining={code: ledger.route_remaining(actor.id, year, code,
                                                exclude_source_id=claim.id if claim else None)
                   for code in ROUTES},
        uploads=current_app.config["UPLOADS"], window_open=claims.open_window(year) is not None,
    ), (error.status if error else status)


def _payload(form: ClaimForm) -> dict[str, Any]:
    return {"route": form.route.data, "title": form.title.data, "details": form.details(),
            "hours_requested": form.hours_requested.data}


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
    return redirect(url_for("trainee.claim", claim_id=claim.id, saved=1))


@blp.route("/claims/<int:claim_id>", methods=["GET", "POST"])
def claim(claim_id: int) -> Any:
    actor = web_session.actor()
    record = claims.get_visible(claim_id, actor)
    if record.trainee_id != actor.id:
        return render_template("trainee/claim.html", claim=claim_view(record)), 403
    if record.status not in claims.EDITABLE:
        return render_template("trainee/claim.html", claim=claim_view(record))
    form = ClaimForm(obj=record) if request.method == "GET" else ClaimForm()
    if request.method == "GET":
        form.load(record.route, record.details)
        return _render_form(form, record, None)
    if not form.validate_on_submit():
        return _render_form(form, record, None, 422)
    try:
        claims.update(claim_id, actor, _payload(form))
    except ServiceError as exc:
        return _render_form(form, record, exc)
    if request.form.get("action") == "submit":
        return _submit(claim_id)
    flash(_("Saved."), "success")
    return redirect(url_for("trainee.claim", claim_id=claim_id, saved=1))


def _submit(claim_id: int) -> Any:
    actor = web_session.actor()
    try:
        claims.submit(claim_id, actor)
    except ServiceError as exc:
        flash(exc.message, "error")  # the edits are saved; what blocks the submission is said here
        return redirect(url_for("trainee.claim", claim_id=claim_id))
    flash(_("Submitted. Your unit reviews it next; you can withdraw it until the unit acts."), "success")
    return redirect(url_for("trainee.claim", claim_id=claim_id, saved=1))


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
    return redirect(url_for("trainee.claim", claim_id=claim_id))


@blp.route("/claims/<int:claim_id>/delete", methods=["POST"])
def delete(claim_id: int) -> Any:
    try:
        claims.delete(claim_id, web_session.actor())
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("trainee.claim", claim_id=claim_id))
    flash(_("The claim has been deleted."), "success")
    return redirect(url_for("trainee.home"))


# -- proofs ------------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@blp.route("/claims/<int:claim_id>/files", methods=["POST"])
def upload(claim_id: int) -> Any:
    upload = request.files.get("file")
    limit = current_app.config["UPLOADS"]["MAX_FILE_BYTES"]
    try:
        if upload is None or not upload.filename:
            raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
        row = claim_files.add_file(claim_id, web_session.actor(), upload.stream.read(limit + 1),
                                   upload.filename, request.form.get("description"))
    except ServiceError as exc:
        if _wants_json():
            return jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}), \
                exc.status
        flash(exc.message, "error")
        return redirect(url_for("trainee.claim", claim_id=claim_id))
    if _wants_json():
        return jsonify({"id": row.id, "filename": row.filename, "description": row.description,
                        "size": row.size, "url": url_for("trainee.proof", claim_id=claim_id, file_id=row.id)}), 201
    flash(_("Uploaded %(name)s.", name=row.filename), "success")
    return redirect(url_for("trainee.claim", claim_id=claim_id))


@blp.route("/claims/<int:claim_id>/files/<int:file_id>")
def proof(claim_id: int, file_id: int) -> Response:
    row, data = claim_files.read_file(claim_id, file_id, web_session.actor())
    return proof_response(row, data)


@blp.route("/claims/<int:claim_id>/files/<int:file_id>/delete", methods=["POST"])
def remove_proof(claim_id: int, file_id: int) -> Any:
    try:
        claim_files.remove_file(claim_id, file_id, web_session.actor())
        flash(_("The file has been removed."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("trainee.claim", claim_id=claim_id))


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
    claim_id = request.args.get("claim_id", type=int)
    remaining = ledger.route_remaining(actor.id, current_year(), route.code, exclude_source_id=claim_id)
    try:
        suggested = min(route.suggest(details), ledger.Policy.current().route_cap)
    except DetailsError:
        suggested = None
    return jsonify({"route": route.code, "label": label(route.label), "remaining": float(remaining),
                    "suggested": float(suggested) if suggested is not None else None})


def _number(raw: str) -> Any:
    try:
        return float(Decimal(raw))
    except ArithmeticError:
        return raw
