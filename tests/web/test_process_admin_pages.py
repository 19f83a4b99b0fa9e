"""The process administrator's pages (流程管理): versions, upload, the editor's save and check,
the report, publishing, the diff, moving instances, suspend/resume; nobody else opens them."""
from __future__ import annotations

import io
import json
import re

import pytest

from app.extensions import db
from app.services import consistency
from tests.support.diagrams import credit_claim_edited, credit_claim_second_unit_review
from tests.support.world import T1

ADMIN = "process_admin"
PAGES = ["/admin/processes", "/admin/processes/instances"]


@pytest.mark.parametrize("who", ["unit_reviewer", "auditor", T1, "course_admin"])
def test_nobody_else_opens_the_pages(web, who):
    client = web(who)
    for path in PAGES:
        assert client.get(path).status_code == 403, (who, path)
    assert client.post("/admin/processes/1/publish").status_code in (403, 400)


def test_anonymous_is_sent_to_login(web):
    response = web().get("/admin/processes")
    assert response.status_code in (302, 401, 403)


def _upload(client, content: bytes):
    return client.post("/admin/processes/upload", {"file": (io.BytesIO(content), "credit_claim.bpmn")},
                       content_type="multipart/form-data")


def _claim_v1(client) -> int:
    page = client.text("/admin/processes")
    section = page[page.index('id="process-credit_claim"'):]
    return int(re.search(r'href="/admin/processes/(\d+)"[^>]*>v1<', section).group(1))


def _draft_id(response) -> int:
    return int(re.search(r"/admin/processes/(\d+)/edit", response.headers["Location"]).group(1))


def test_upload_edit_check_publish_and_diff(web, api):
    client = web(ADMIN)
    index = client.text("/admin/processes")
    assert "credit_claim" in index and "v1" in index
    bad = client.follow(_upload(client, b"<nonsense"))
    assert bad.status_code == 200 and "BPMN" in bad.get_data(as_text=True)

    uploaded = _upload(client, credit_claim_edited(('<bpmn:lane id="unit" name="用人单位">',
                                                    '<bpmn:lane id="someone_else" name="用人单位">')))
    draft = _draft_id(uploaded)
    editor = client.text(f"/admin/processes/{draft}/edit")
    config = json.loads(re.search(r'<script type="application/json" id="modeler-config">(.*?)</script>',
                                  editor, re.S).group(1))
    assert config["save_url"].endswith(f"/{draft}/save") and config["readonly"] is False
    assert {"unit", "authority", "trainee"} <= {lane["id"] for lane in config["vocabulary"]["lanes"]}
    assert "approve" in {d["id"] for d in config["vocabulary"]["decisions"]}

    headers = {"Accept": "application/json", "X-CSRFToken": client.token}
    check = client.client.post(config["validate_url"], data={"bpmn": credit_claim_edited(
        ('<bpmn:lane id="unit" name="用人单位">', '<bpmn:lane id="someone_else" name="用人单位">')).decode()},
        headers=headers)
    assert check.status_code == 200 and check.get_json()["ok"] is False
    assert any("someone_else" in p for p in check.get_json()["problems"])
    refused = client.follow(client.post(f"/admin/processes/{draft}/publish"))
    assert "someone_else" in refused.get_data(as_text=True)

    saved = client.client.post(config["save_url"], data={"bpmn": credit_claim_second_unit_review().decode()},
                               headers=headers)
    assert saved.status_code == 200 and saved.get_json() == {"ok": True, "id": draft, "problems": [],
                                                             "redirect": None}
    no_csrf = client.client.post(config["save_url"], data={"bpmn": "x"}, headers={"Accept": "application/json"})
    assert no_csrf.status_code in (302, 400)  # refused (the CSRF error sends a page back to where it was)
    report = client.text(f"/admin/processes/{draft}/report")
    assert 'id="report-verdict"' in report and "unit_review_2" in report
    published = client.follow(client.post(f"/admin/processes/{draft}/publish"))
    assert published.status_code == 200 and "v2" in published.get_data(as_text=True)
    assert client.client.post(config["save_url"], data={"bpmn": "x"}, headers=headers).status_code == 409

    v1 = _claim_v1(client)
    diff = client.text(f"/admin/processes/diff?from={v1}&to={draft}")
    assert "unit_review_2" in diff and "unit_decision_2" in diff


def _consistent(app) -> None:
    """The consistency checker finds nothing wrong (as after every API migration)."""
    with app.app_context():
        report = consistency.check_all()
        assert report.ok, report.problems
        assert report.checked["tasks"] >= 1  # it looked at the moved instance's task rows
        db.session.remove()


def test_moving_instances_through_the_pages(web, api, app):
    claims = [api.submitted_claim(T1) for _ in range(2)]
    client = web(ADMIN)
    draft = _draft_id(_upload(client, credit_claim_second_unit_review()))
    client.post(f"/admin/processes/{draft}/publish")
    v1 = _claim_v1(client)
    dry = client.text(f"/admin/processes/{v1}/migrate?to={draft}")
    for claim in claims:
        assert f'data-instance="{claim["instance_id"]}"' in dry
    moved = client.post(f"/admin/processes/{v1}/migrate", {"to": str(draft),
                                                           "instance": str(claims[0]["instance_id"])})
    text = moved.get_data(as_text=True)
    assert moved.status_code == 200 and text.count("badge-ok\">已迁移<") == 1  # the one chosen, and only it
    assert f'data-instance="{claims[1]["instance_id"]}"' not in text
    _consistent(app)
    api.decide("unit_reviewer", claims[0]["id"], "approve")
    assert api.claim(T1, claims[0]["id"])["status"] == "unit_review_2"
    _consistent(app)


def test_suspend_and_resume_from_the_instance_page(web, api):
    claim = api.submitted_claim(T1)
    client = web(ADMIN)
    page = client.text(f"/processes/{claim['instance_id']}")
    assert 'id="instance-admin-actions"' in page
    back = client.post(f"/admin/processes/instances/{claim['instance_id']}/suspend",
                       {"next": f"/processes/{claim['instance_id']}"})
    assert back.headers["Location"].endswith(f"/processes/{claim['instance_id']}")
    assert 'id="instance-suspended"' in client.follow(back).get_data(as_text=True)
    assert api.task_for("unit_reviewer", claim["id"]) is None
    assert f"#{claim['instance_id']}" in client.text("/admin/processes/instances")
    evil = client.post(f"/admin/processes/instances/{claim['instance_id']}/resume", {"next": "//evil.example"})
    assert "evil" not in evil.headers["Location"]
    assert api.task_for("unit_reviewer", claim["id"]) is not None
    reviewer = web("unit_reviewer").text(f"/processes/{claim['instance_id']}")
    assert 'id="instance-admin-actions"' not in reviewer
