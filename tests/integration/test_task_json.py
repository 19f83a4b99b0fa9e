"""The task routes write tasks without walking ``TaskSchema`` (``task_json``): the same JSON as the schema's dump."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from app.api.v1.schemas import TaskListSchema, TaskSchema, task_json
from app.extensions import db
from app.models import HumanTask
from app.services import inbox
from app.services.actors import Actor
from tests.support.world import T1, T2


def _as_sent(data):
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_task_json_is_the_schemas_dump_for_rows_and_orm_tasks(api, app, world):
    first, second = api.submitted_claim(T1), api.submitted_claim(T2)
    task = api.task_for("unit_reviewer", first["id"])
    assert api.as_("unit_reviewer").post(f"/tasks/{task['id']}/take").status_code == 200  # an assignee's name
    assert api.decide("unit_reviewer", second["id"], "approve").status_code == 200
    with app.test_request_context("/api/v1/tasks"):
        actor = Actor.load(world.user["unit_reviewer"])
        rows = [*inbox.list_tasks(actor, inbox.InboxFilter())[0],
                *inbox.list_tasks(actor, inbox.InboxFilter(status="completed"))[0]]
        items = [inbox.task_item(row) for row in rows]
        items += [inbox.task_item(db.session.get(HumanTask, task["id"]))]  # an ORM row (take, complete)
        items.append({**items[0], "due_at": datetime(2030, 1, 2, 3, 4, 5, 6), "year": None,
                      "subject_id_number": None, "assignee_id": None, "assignee_name": None})
        assert any(item["completed_at"] for item in items) and any(item["assignee_name"] for item in items)
        for item in items:
            assert task_json(item) == TaskSchema().dump(item)
        page = {"items": items, "total": len(items), "total_capped": False, "page": 1, "per_page": 20}
        expected = _as_sent(TaskListSchema().dump(page))
    assert _as_sent({**page, "items": [task_json(item) for item in items]}) == expected


def test_the_task_routes_answer_what_the_schema_dumps(api, app, world):
    claim = api.submitted_claim(T1)
    reviewer = api.as_("unit_reviewer")
    listed = reviewer.get("/tasks").get_json()
    task = next(item for item in listed["items"] if item["record"]["id"] == claim["id"])
    assert set(task) == set(TaskSchema().fields) and set(listed) == set(TaskListSchema().fields)
    with app.test_request_context("/api/v1/tasks"):
        actor = Actor.load(world.user["unit_reviewer"])
        expected = _as_sent(TaskSchema().dump(inbox.task_item(inbox.get_task(task["id"], actor))))
    assert reviewer.get(f"/tasks/{task['id']}").get_json() == expected == task
    taken = reviewer.post(f"/tasks/{task['id']}/take").get_json()
    assert taken["status"] == "claimed" and taken["assignee_id"] == world.user["unit_reviewer"]
    done = reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}).get_json()
    assert done["status"] == "completed" and done["decision"] == "approve"
    assert datetime.fromisoformat(done["completed_at"]) - datetime.fromisoformat(done["created_at"]) < timedelta(1)


def test_a_flow_log_is_written_as_its_entries_schema_dumps_them(api, app):
    """``FlowLog`` writes a record's log without walking ``LogEntrySchema``: the same JSON."""
    from app.api.v1.schemas import FlowLog, LogEntrySchema
    from app.services import plugins, presenters

    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve", comment="请补充 <材料>").status_code == 200
    with app.test_request_context("/api/v1/claims"):
        instance_id = db.session.get(plugins.for_type("claim").model, claim["id"]).instance_id
        entries = presenters.flow_log(instance_id, plugins.for_type("claim"))
        assert len(entries) >= 3 and any("请补充" in entry["remark"] for entry in entries)
        field = FlowLog()
        written = field.serialize("log", {"log": entries})
        assert written == LogEntrySchema(many=True).dump(entries)
        assert field.serialize("log", {"log": None}) is None
    answered = api.as_(T1).get(f"/claims/{claim['id']}").get_json()["log"]
    assert answered == _as_sent(written)
