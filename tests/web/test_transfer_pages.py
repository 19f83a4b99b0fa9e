"""A unit's transfer pages: 人员调出 (file, cancel), 人员调入 (confirm on the task page), 调转记录."""
from __future__ import annotations

import io
import re

from tests.support.files import png
from tests.support.world import T1, T3


def _file_form(client, world, person_id: int, **changes) -> dict:
    form = {"person_id": str(person_id), "to_unit_id": str(world.unit1), "reason": "工作调动",
            "contact_name": "王经理", "contact_phone": "0571-88888888", **changes}
    return form


def test_unit_reviewers_get_the_transfer_pages_in_their_menu(web):
    page = web("unit_reviewer_b").text("/inbox")
    assert all(word in page for word in ("人员调入", "人员调出", "调转记录"))
    assert "人员调入" not in web("authority_reviewer").text("/inbox")  # an authority files no transfers
    assert web(T1).get("/transfers/out").status_code == 403
    assert web("authority_reviewer").get("/transfers/in").status_code == 403


def test_filing_a_transfer_out_with_an_attachment(api, app, web, world):
    client = web("unit_reviewer_b")
    page = client.text("/transfers/out")
    assert "王强" in page and T3 not in page  # the unit's staff, their ID numbers not shown in full
    person = int(re.search(r'<option value="(\d+)">王强', page).group(1))
    response = client.post("/transfers/out", {
        **_file_form(client, world, person), "attachment": (io.BytesIO(png()), "调函.png"),
        "attachment_description": "调函"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    detail = client.follow(response)
    text = detail.get_data(as_text=True)
    assert "待转入" in text and "调函.png" in text and "演示交通工程有限公司" in text
    transfer_id = int(re.search(r"/transfers/(\d+)/cancel", text).group(1))
    assert api.task_for("unit_reviewer", transfer_id, "transfer") is not None


def test_a_bad_filing_shows_the_problem_next_to_the_field(web, world):
    client = web("unit_reviewer_b")
    page = client.text("/transfers/out")
    person = int(re.search(r'<option value="(\d+)">王强', page).group(1))
    response = client.post("/transfers/out", _file_form(client, world, person, contact_phone="电话"))
    assert response.status_code == 422
    assert 'id="contact_phone-error"' in response.get_data(as_text=True)
    refused = client.post("/transfers/out", _file_form(client, world, 999999))
    assert refused.status_code == 422  # not a person of this unit


def test_the_target_unit_confirms_on_the_task_page(api, web, world):
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"}).get_json()
    client = web("unit_reviewer")
    incoming = client.text("/transfers/in")
    assert "王强" in incoming and "演示公路养护有限公司" in incoming
    task_link = re.search(r'href="(/tasks/\d+)\?next=', incoming).group(1)
    task_page = client.text(task_link)
    assert "同意转入" in task_page and "拒绝转入" in task_page and "待转入" in task_page
    assert "办理期限" in task_page or "前办理" in task_page  # the step has fifteen days
    refused = client.post(f"{task_link}/complete", {"decision": "refuse"})
    assert refused.status_code == 422 and 'id="comment-error"' in refused.get_data(as_text=True)
    done = client.post(f"{task_link}/complete", {"decision": "accept", "comment": "同意"})
    assert done.status_code == 302
    assert api.as_("unit_reviewer").get(f"/transfers/{transfer['id']}").get_json()["status"] == "accepted"
    records = client.text("/transfers/records")
    assert records.count("同意转入") >= 2  # this one and the demo's


def test_the_filing_unit_cancels_from_its_list(api, web, world):
    api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"})
    client = web("unit_reviewer_b")
    page = client.text("/transfers/out")
    cancel = re.search(r'action="(/transfers/\d+/cancel)"', page).group(1)
    assert client.post(cancel).status_code == 302
    assert "已撤销" in client.text(cancel.rsplit("/", 1)[0])
    assert re.search(r'action="/transfers/\d+/cancel"', client.text("/transfers/out")) is None
    other = web("unit_reviewer").post(cancel)  # the target unit cannot cancel it
    assert other.status_code == 302
    assert api.as_("unit_reviewer").get("/transfers?status=cancelled").get_json()["total"] == 1


def test_the_records_page_lists_both_directions(web):
    out = web("unit_reviewer_b").text("/transfers/records")
    assert "人员转出记录" in out and "刘洋" in out and "同意转入" in out
    into = web("unit_reviewer").text("/transfers/records")
    assert "人员转入记录" in into and "刘洋" in into


def test_the_transfer_page_has_one_heading_with_its_outcome(api, web, world):
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"}).get_json()
    page = web("unit_reviewer_b").text(f"/transfers/{transfer['id']}")
    assert len(re.findall(r"<h1\b", page)) == 1 and "待转入" in re.search(r"<h1.*?</h1>", page, re.S).group(0)
    assert "处理结果" in page and "登记状态" not in page  # the manual's words for a transfer
    assert "<caption>流程日志</caption>" in page
    # what accepting does is said to the unit that decides, on its task page, not to the filer
    assert "同意转入后" not in page
    task = api.task_for("unit_reviewer", transfer["id"], "transfer")
    task_page = web("unit_reviewer").text(f"/tasks/{task['id']}")
    assert "同意转入后" in task_page and "<caption>流程日志</caption>" in task_page
