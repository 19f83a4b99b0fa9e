"""The audit pages: 审计日志 (``/audit``: search every event, export the result) for auditors and
process administrators, and the log's integrity (``/audit/integrity``), which auditors verify."""
from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select, tuple_

from ..errors import Invalid, ServiceError
from ..extensions import db
from ..i18n import _, label, localise
from ..models import ProcessInstance
from ..services import plugins
from ..services.labels import ACTIONS
from ..web import session as web_session
from . import export, integrity, search
from .access import may_read, may_verify
from .present import Describer, record_types

blp = Blueprint("audit_pages", __name__, template_folder="templates")


def _reader() -> Any:
    actor = web_session.actor()
    if not may_read(actor):
        abort(403)
    return actor


def _given() -> dict[str, str]:
    """The filters the form sent (empty fields are no filter)."""
    return {key: value.strip() for key in search.FILTER_KEYS if (value := request.args.get(key, "").strip())}


def _load() -> tuple[dict[str, str], search.Filters | None, dict[str, Any]]:
    given = _given()
    try:
        return given, search.resolve(search.FilterSchema().load(given)), {}
    except ma.ValidationError as exc:
        return given, None, localise(exc.messages)
    except Invalid as exc:
        return given, None, exc.fields or {}


def _token(name: str, errors: dict[str, Any]) -> Any:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return search.parse_token(value)
    except ma.ValidationError as exc:
        errors["page"] = exc.messages
        return None


def _instances(rows: list[Any]) -> dict[tuple[str, int], int]:
    """For events of no instance about a process's record: the record's latest instance."""
    wanted = {(r.record_type, r.record_id) for r in rows if r.instance_id is None and r.record_id is not None
              and r.record_type in plugins.registry().by_type}
    if not wanted:
        return {}
    found = db.session.execute(
        select(ProcessInstance.record_type, ProcessInstance.record_id, func.max(ProcessInstance.id))
        .where(tuple_(ProcessInstance.record_type, ProcessInstance.record_id).in_(wanted))
        .group_by(ProcessInstance.record_type, ProcessInstance.record_id))
    return {(kind, record_id): instance_id for kind, record_id, instance_id in found}


def _items(rows: list[Any]) -> list[dict[str, Any]]:
    describer = Describer()
    describer.prepare(rows)
    instances = _instances(rows)
    items = []
    for row in rows:
        item = describer.item(row)
        instance_id = row.instance_id or instances.get((row.record_type, row.record_id))
        item["instance_url"] = url_for("processes.show", instance_id=instance_id) if instance_id else None
        item["record_url"] = url_for("audit_pages.search_page", record_type=row.record_type, record_id=row.record_id) \
            if row.record_type and row.record_id is not None else None
        item["details"] = json.dumps(row.data, ensure_ascii=False, indent=1, sort_keys=True) if row.data else ""
        items.append(item)
    return items


def _action_choices() -> list[tuple[str, str]]:
    named: dict[str, Any] = dict(ACTIONS)
    for plugin in plugins.registry():
        named.update(plugin.actions)
    for feature in plugins.features():
        named.update(feature.actions)
    return sorted(((code, str(text)) for code, text in named.items()), key=lambda pair: pair[0])


def _record_choices() -> list[tuple[str, str]]:
    kinds = {plugin.record_type: str(plugin.label) for plugin in plugins.registry()}
    kinds.update((kind, str(text)) for kind, text in record_types().items())
    return list(kinds.items())


@blp.route("/audit")
def search_page() -> Any:
    _reader()
    given, filters, errors = _load()
    after, before = _token("after", errors), _token("before", errors)
    result = search.page(filters, after_token=after, before_token=None if after else before) \
        if filters is not None and not errors else search.Page([])
    process_choices = [(key, label(name)) for key, name in plugins.registry().process_names().items()]
    return render_template(
        "audit/search.html", given=given, errors=errors, filters=filters, items=_items(list(result.rows)),
        page=result, processes=process_choices, record_types=_record_choices(), actions=_action_choices(),
        searched=bool(given)), 422 if errors else 200


@blp.route("/audit/events.csv")
def export_csv() -> Response:
    return _export("csv")


@blp.route("/audit/events.xlsx")
def export_xlsx() -> Response:
    return _export("xlsx")


def _export(kind: str) -> Response:
    _reader()
    _given_args, filters, errors = _load()
    if errors or filters is None:
        flash(_("The export was not made: correct the search first."), "error")
        return redirect(url_for("audit_pages.search_page", **request.args))
    return export.response(filters, kind)


@blp.route("/audit/integrity")
def integrity_page() -> Any:
    actor = _reader()
    checkpoints = integrity.recent(20)
    return render_template("audit/integrity.html", checkpoints=checkpoints, latest=checkpoints[0] if checkpoints
                           else None, clean=integrity.last_checkpoint(clean=True), may_verify=may_verify(actor),
                           settle_seconds=integrity.settle_seconds())


@blp.route("/audit/integrity", methods=["POST"])
def run_verification() -> Response:
    actor = web_session.actor()
    if not may_verify(actor):
        abort(403)
    try:
        checkpoint = integrity.verify(actor, full=request.form.get("full") == "1", online=True)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("audit_pages.integrity_page"))
    if checkpoint.clean:
        flash(_("Verification finished: %(events)s event(s) checked, no problem found.",
                events=checkpoint.events_checked), "success")
    else:
        flash(_("Verification finished: %(problems)s problem(s) found.", problems=checkpoint.problem_count), "error")
    return redirect(url_for("audit_pages.integrity_page"))
