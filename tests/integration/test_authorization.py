"""Who may see and act on what: claims, tasks (claim/unclaim/complete), instances and events."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ProcessEvent, ProcessInstance
from app.services.audit import verify_chain
from tests.support.files import png
from tests.support.people import make_user
from tests.support.world import T1, T2, T3

SECOND_REVIEWER = "unit_reviewer_2"


@pytest.fixture
def second_reviewer(app, world) -> str:
    make_user(app, SECOND_REVIEWER, "工程公司审核员二", roles=[("reviewer", world.unit1)])
    return SECOND_REVIEWER


def _code(response) -> str:
    return response.get_json()["error"]["code"]


# -- a trainee's claims are invisible to other trainees -------------------------------

def test_other_trainees_claim_is_not_found_on_every_route(api):
    draft = api.new_claim(T1)
    upload = api.as_(T1).upload(draft["id"], png(), "proof.png")
    assert upload.status_code == 201
    file_id = upload.get_json()["id"]
    cid = draft["id"]
    stranger = api.as_(T2)  # same unit, still a stranger to the claim
    attempts = [
        stranger.get(f"/claims/{cid}"),
        stranger.patch(f"/claims/{cid}", json={"title": "偷改"}),
        stranger.delete(f"/claims/{cid}"),
        stranger.post(f"/claims/{cid}/submit"),
        stranger.post(f"/claims/{cid}/withdraw"),
        stranger.upload(cid, png(), "mine.png"),
        stranger.get(f"/claims/{cid}/files/{file_id}"),
        stranger.delete(f"/claims/{cid}/files/{file_id}"),
    ]
    for response in attempts:
        assert response.status_code == 404, (response.request.method, response.request.path)
        assert _code(response) == "not_found"
    assert all(c["id"] != cid for c in stranger.get("/claims").get_json()["items"])
    after = api.claim(T1, cid)
    assert (after["status"], after["title"], len(after["files"])) == ("draft", draft["title"], 1)


def test_unit_reviewer_reads_but_cannot_edit_a_submitted_claim(api):
    claim = api.submitted_claim(T1)
    assert api.as_("unit_reviewer").get(f"/claims/{claim['id']}").status_code == 200
    patched = api.as_("unit_reviewer").patch(f"/claims/{claim['id']}", json={"title": "审核员改"})
    assert patched.status_code == 403
    assert api.as_("unit_reviewer_b").get(f"/claims/{claim['id']}").status_code == 404
    assert api.claim(T1, claim["id"])["title"] == claim["title"]


# -- tasks belong to the (role, organisation) of their lane -------------------------------

def test_reviewer_of_another_unit_cannot_see_or_complete_the_task(api):
    claim = api.submitted_claim(T1)
    task = api.task_for("unit_reviewer", claim["id"])
    assert task is not None
    assert api.task_for("unit_reviewer_b", claim["id"]) is None
    response = api.as_("unit_reviewer_b").post(f"/tasks/{task['id']}/complete", json={"decision": "approve"})
    assert response.status_code == 403 and _code(response) == "forbidden"
    assert api.as_("unit_reviewer_b").get(f"/tasks/{task['id']}").status_code == 403
    assert api.claim(T1, claim["id"])["status"] == "unit_review"


@pytest.mark.parametrize("who", ["authority_reviewer", T1, T2, "auditor", "process_admin"])
def test_non_candidates_cannot_act_on_the_unit_review(api, who):
    claim = api.submitted_claim(T1)
    task = api.task_for("unit_reviewer", claim["id"])
    client = api.as_(who)
    for response in (client.post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}),
                     client.post(f"/tasks/{task['id']}/claim"),
                     client.get(f"/tasks/{task['id']}")):
        assert response.status_code == 403, (who, response.request.path)
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
    assert api.task_for("unit_reviewer", claim["id"])["status"] == "open"


def test_unknown_task_is_404(api):
    for response in (api.as_("unit_reviewer").get("/tasks/999999"),
                     api.as_("unit_reviewer").post("/tasks/999999/claim"),
                     api.as_("unit_reviewer").post("/tasks/999999/complete", json={"decision": "approve"})):
        assert response.status_code == 404 and _code(response) == "not_found"


def test_claimed_task_is_held_until_released(api, second_reviewer):
    claim = api.submitted_claim(T1)
    task_id = api.task_for("unit_reviewer", claim["id"])["id"]
    me, colleague = api.as_("unit_reviewer"), api.as_(second_reviewer)

    claimed = me.post(f"/tasks/{task_id}/claim")
    assert claimed.status_code == 200
    assert claimed.get_json()["status"] == "claimed"
    assert claimed.get_json()["assignee_id"] == api.world.user["unit_reviewer"]
    assert me.post(f"/tasks/{task_id}/claim").status_code == 200  # idempotent for the holder

    held = colleague.post(f"/tasks/{task_id}/complete", json={"decision": "approve"})
    assert held.status_code == 409 and _code(held) == "task_held"
    assert _code(colleague.post(f"/tasks/{task_id}/claim")) == "task_held"
    assert _code(colleague.post(f"/tasks/{task_id}/unclaim")) == "task_held"
    assert api.claim(T1, claim["id"])["status"] == "unit_review"

    released = me.post(f"/tasks/{task_id}/unclaim")
    assert released.status_code == 200
    assert released.get_json()["status"] == "open" and released.get_json()["assignee_id"] is None
    assert colleague.post(f"/tasks/{task_id}/complete", json={"decision": "approve"}).status_code == 200
    assert api.claim(T1, claim["id"])["status"] == "authority_review"

    again = me.post(f"/tasks/{task_id}/complete", json={"decision": "approve"})
    assert again.status_code == 409 and _code(again) == "task_closed"
    assert _code(colleague.post(f"/tasks/{task_id}/claim")) == "task_closed"
    done = me.get(f"/tasks/{task_id}").get_json()
    assert done["status"] == "completed" and done["decision"] == "approve"


def test_trainee_cannot_claim_their_own_prepare_task_away(api):
    draft = api.new_claim(T1)
    task = api.task_for(T1, draft["id"])
    assert task is not None and task["process"] == "credit_claim"
    response = api.as_(T1).post(f"/tasks/{task['id']}/release")
    assert response.status_code == 409 and _code(response) == "not_takeable"
    old_name = api.as_(T1).post(f"/tasks/{task['id']}/unclaim")  # the deprecated path answers the same
    assert old_name.status_code == 409 and _code(old_name) == "not_takeable"
    assert api.as_(T2).get(f"/tasks/{task['id']}").status_code == 403


# -- process instances and the event log: process admins and auditors only -----------------

def _instance_of(api, claim) -> int:
    return api.claim(T1, claim["id"])["instance_id"]


@pytest.mark.parametrize("who", ["process_admin", "auditor"])
def test_admins_and_auditors_read_instances_and_a_chained_event_log(api, app, who):
    claim = api.submitted_claim(T1)
    api.as_("unit_reviewer").post(f"/tasks/{api.task_for('unit_reviewer', claim['id'])['id']}/take")
    assert api.decide("unit_reviewer", claim["id"], "approve", comment="同意").status_code == 200
    instance_id = _instance_of(api, claim)

    instance = api.as_(who).get(f"/process-instances/{instance_id}")
    assert instance.status_code == 200
    body = instance.get_json()
    assert body["process_key"] == "credit_claim" and body["status"] == "authority_review"
    assert body["record"] == {"type": "claim", "id": claim["id"]}
    assert [t["task"] for t in body["open_tasks"]] == ["authority_review"]

    events = api.as_(who).get(f"/process-instances/{instance_id}/events")
    assert events.status_code == 200
    items = events.get_json()["items"]
    assert events.get_json()["total"] == len(items)
    assert [e["action"] for e in items] == ["create", "file_add", "submit", "take", "unit_review"]
    assert items[0]["prev_hash"] is None
    for previous, event in zip(items, items[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    assert len({e["hash"] for e in items}) == len(items)
    assert items[-1]["comment"] == "同意" and items[-1]["decision"] == "approve"
    with app.app_context():
        row = db.session.get(ProcessInstance, instance_id)
        rows = db.session.scalars(db.select(ProcessEvent).where(ProcessEvent.instance_id == instance_id)
                                  .order_by(ProcessEvent.id)).all()
        assert row.last_event_hash == items[-1]["hash"]
        assert verify_chain(row, rows) == []  # the stored rows re-hash to the same chain


@pytest.mark.parametrize("who", [T1, "unit_reviewer", "authority_reviewer"])
def test_others_cannot_read_instances(api, who):
    claim = api.submitted_claim(T1)
    instance_id = _instance_of(api, claim)
    for path in (f"/process-instances/{instance_id}", f"/process-instances/{instance_id}/events"):
        response = api.as_(who).get(path)
        assert response.status_code == 403 and _code(response) == "forbidden", (who, path)


def test_unknown_instance_is_404(api):
    for path in ("/process-instances/999999", "/process-instances/999999/events"):
        response = api.as_("auditor").get(path)
        assert response.status_code == 404 and _code(response) == "not_found"


def test_event_log_survives_only_untampered(api, app):
    claim = api.submitted_claim(T1)
    instance_id = _instance_of(api, claim)
    with app.app_context():
        first_id = db.session.scalar(db.select(ProcessEvent.id).where(ProcessEvent.instance_id == instance_id)
                                     .order_by(ProcessEvent.id))
        # the application cannot edit events (append-only), so tamper with the table directly
        db.session.execute(db.text("UPDATE process_event SET comment = '篡改' WHERE id = :id"), {"id": first_id})
        db.session.commit()
        row = db.session.get(ProcessInstance, instance_id)
        rows = db.session.scalars(db.select(ProcessEvent).where(ProcessEvent.instance_id == instance_id)
                                  .order_by(ProcessEvent.id)).all()
        problems = verify_chain(row, rows)
        assert len(problems) == 1 and "edited" in problems[0]


def test_unit2_trainee_claim_goes_to_unit2_only(api):
    claim = api.submitted_claim(T3)
    assert api.task_for("unit_reviewer_b", claim["id"]) is not None
    assert api.task_for("unit_reviewer", claim["id"]) is None
    assert api.as_("unit_reviewer").get(f"/claims/{claim['id']}").status_code == 404
