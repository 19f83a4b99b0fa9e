"""Moving, suspending and resuming an instance change who can act on it: each event keeps the values
before and after (``old``, ``new``) as an administrative change does, and the audit search, its page
and its exports show them. The events stay on the instance's own chain."""
from __future__ import annotations

import csv
import html
import io
import json

from sqlalchemy import select

from app.extensions import db
from app.models import ProcessEvent
from app.services import consistency
from tests.support.diagrams import credit_claim_second_unit_review
from tests.support.world import T1

ADMIN, AUDITOR = "process_admin", "auditor"
XML = {"content_type": "application/xml"}
# The export's columns (app.audit.present.COLUMNS): action code, old values, new values, data
ACTION, OLD, NEW, DATA = 5, 13, 14, 15


def _claim_v1(api) -> int:
    groups = api.as_(ADMIN).get("/process-definitions").get_json()["items"]
    claim = next(g for g in groups if g["process_key"] == "credit_claim")
    return next(v["id"] for v in claim["versions"] if v["version"] == 1)


def _moved_suspended_resumed(api) -> dict:
    """A claim moved from v1 to v2, then suspended and resumed; its ids and the versions'."""
    v1 = _claim_v1(api)
    claim = api.submitted_claim(T1)
    v2 = api.as_(ADMIN).post("/process-definitions", data=credit_claim_second_unit_review(), **XML).get_json()["id"]
    assert api.as_(ADMIN).post(f"/process-definitions/{v2}/publish").status_code == 201
    moved = api.as_(ADMIN).post("/migrations", json={"from": v1, "to": v2, "dry_run": False,
                                                     "instance_ids": [claim["instance_id"]]})
    assert moved.get_json()["moved"] == 1, moved.get_json()
    for action in ("suspend", "resume"):
        response = api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/{action}", json={"comment": "核查"})
        assert response.status_code == 200, response.get_json()
    return {"claim": claim, "v1": v1, "v2": v2}


EXPECTED = {
    "migrate": lambda s: ({"definition": s["v1"], "version": 1}, {"definition": s["v2"], "version": 2}),
    "suspend": lambda s: ({"suspended": False}, {"suspended": True}),
    "resume": lambda s: ({"suspended": True}, {"suspended": False}),
}


def test_the_events_keep_old_and_new_values_on_the_instances_chain(api, app):
    setting = _moved_suspended_resumed(api)
    instance_id = setting["claim"]["instance_id"]
    with app.app_context():
        events = {e.action: e for e in db.session.scalars(select(ProcessEvent).where(
            ProcessEvent.instance_id == instance_id, ProcessEvent.action.in_(list(EXPECTED))))}
        assert set(events) == set(EXPECTED)
        for action, values in EXPECTED.items():
            old, new = values(setting)
            assert (events[action].data["old"], events[action].data["new"]) == (old, new), action
        # the keys read before these values existed stay
        assert events["migrate"].data["from"] == setting["v1"] and events["migrate"].data["to"] == setting["v2"]
        assert events["migrate"].data["from_version"] == 1 and events["migrate"].data["to_version"] == 2
        assert isinstance(events["migrate"].data["changed_steps"], list)
        assert events["suspend"].data["tasks"] == 1 and events["resume"].data["tasks"] == 1
        report = consistency.check_all()  # the instance's chain (and the rest) still verifies
        assert report.ok, report.problems
        db.session.remove()


def test_the_audit_search_shows_the_old_and_new_values(api, app):
    setting = _moved_suspended_resumed(api)
    for action, values in EXPECTED.items():
        response = api.as_(AUDITOR).get("/audit/events", query_string={
            "action": action, "record_type": "claim", "record_id": setting["claim"]["id"]})
        assert response.status_code == 200, response.get_json()
        items = response.get_json()["items"]
        assert len(items) == 1, (action, items)
        old, new = values(setting)
        assert (items[0]["data"]["old"], items[0]["data"]["new"]) == (old, new), action
        assert items[0]["instance_id"] == setting["claim"]["instance_id"]


def test_the_csv_export_has_them_in_the_old_and_new_columns(api, app):
    setting = _moved_suspended_resumed(api)
    response = api.as_(AUDITOR).get("/audit/events.csv", query_string={
        "record_type": "claim", "record_id": setting["claim"]["id"]})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][OLD] == "原值" and rows[0][NEW] == "新值" and rows[0][DATA] == "数据"
    found = {row[ACTION]: row for row in rows[1:] if row[ACTION] in EXPECTED}
    assert set(found) == set(EXPECTED)
    for action, values in EXPECTED.items():
        old, new = values(setting)
        assert (json.loads(found[action][OLD]), json.loads(found[action][NEW])) == (old, new), action
        data = json.loads(found[action][DATA])
        assert "old" not in data and "new" not in data  # each in its own column, not twice
    assert json.loads(found["migrate"][DATA])["to_version"] == 2
    assert json.loads(found["suspend"][DATA]) == {"tasks": 1}


def test_the_search_page_shows_them_in_the_events_details(web, api):
    setting = _moved_suspended_resumed(api)
    page = web(AUDITOR).text(f"/audit?action=suspend&record_type=claim&record_id={setting['claim']['id']}")
    details = html.unescape(page[page.index("<details>"):])
    assert '"old": {' in details and '"suspended": false' in details and '"suspended": true' in details
