"""The reviewer's pages: inbox with filters and batch decisions, one task with its record and proofs."""
from __future__ import annotations

import io
import re
from datetime import date

from PIL import Image

from app.domain.idnumber import mask
from tests.support.files import pdf, png
from tests.support.people import ENROLMENT_PROFILE, NEW_TRAINEE_ID, make_trainee, make_user
from tests.support.world import T1, T2, T3

YEAR = date.today().year
TASK_LINK = re.compile(r'href="/tasks/(\d+)\?next=')


def _listed(page: str) -> list[int]:
    """The task ids the inbox page lists, in order."""
    return [int(i) for i in TASK_LINK.findall(page)]


def _task(api, reviewer: str, record_id: int, record_type: str = "claim", status: str = "open") -> int:
    item = api.task_for(reviewer, record_id, record_type, status)
    assert item is not None, (reviewer, record_type, record_id, status)
    return item["id"]


def _claim_with_proofs(api) -> tuple[dict, list[int]]:
    claim = api.new_claim(T1)
    ids = []
    for data, name in ((png(), "证书.png"), (pdf(), "cert.pdf")):
        response = api.as_(T1).upload(claim["id"], data, name)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    assert api.as_(T1).post(f"/claims/{claim['id']}/submit").status_code == 200
    return claim, ids


def _enrol_newcomer(api, app, world) -> dict:
    make_trainee(app)
    response = api.as_(NEW_TRAINEE_ID).post("/enrollments", json={
        "year": YEAR, "unit_id": world.unit1, **ENROLMENT_PROFILE})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# -- the list -----------------------------------------------------------------------------

def test_inbox_lists_a_submitted_claim_with_name_and_masked_id(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    page = web("unit_reviewer").text("/inbox")
    assert _listed(page) == [task_id]
    assert "张伟" in page and mask(T1) in page and T1 not in page
    assert f'name="task_ids" value="{task_id}"' in page and 'aria-label="' in page
    assert 'data-label="' in page and 'class="table cards"' in page
    assert "js/inbox.js" in page


def test_other_units_tasks_are_neither_listed_nor_open(api, web):
    claim, file_ids = _claim_with_proofs(api)
    task_id = _task(api, "unit_reviewer", claim["id"])
    other = web("unit_reviewer_b")
    assert _listed(other.text("/inbox")) == []
    assert other.get(f"/tasks/{task_id}").status_code == 403
    assert other.get(f"/tasks/{task_id}/files/{file_ids[0]}").status_code == 403
    assert other.post(f"/tasks/{task_id}/complete", {"decision": "approve"}).status_code == 403
    assert other.post(f"/tasks/{task_id}/take").status_code == 403
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
    assert web("unit_reviewer").get("/tasks/999999").status_code == 404


def test_filter_by_process_status_and_year(api, app, web, world):
    claim = api.submitted_claim(T1)
    enrolment = _enrol_newcomer(api, app, world)
    claim_task = _task(api, "unit_reviewer", claim["id"])
    enrol_task = _task(api, "unit_reviewer", enrolment["id"], "enrollment")
    client = web("unit_reviewer")
    assert _listed(client.text("/inbox")) == [claim_task, enrol_task]
    assert _listed(client.text("/inbox?sort=newest")) == [enrol_task, claim_task]
    assert _listed(client.text("/inbox?process=credit_claim")) == [claim_task]
    assert _listed(client.text("/inbox?process=enrollment")) == [enrol_task]
    assert _listed(client.text(f"/inbox?year={YEAR}")) == [claim_task, enrol_task]
    assert _listed(client.text(f"/inbox?year={YEAR - 1}")) == []

    assert client.post(f"/tasks/{claim_task}/take").status_code == 302
    assert _listed(client.text("/inbox?status=mine")) == [claim_task]
    assert _listed(client.text("/inbox?status=claimed")) == [claim_task]
    assert _listed(client.text("/inbox?status=unclaimed")) == [enrol_task]
    done = client.post(f"/tasks/{claim_task}/complete", {"decision": "approve", "hours": "16"})
    assert done.status_code == 302
    handled = client.text("/inbox?status=completed&process=credit_claim")
    assert _listed(handled) == [claim_task] and "task_ids" not in handled.split("<table", 1)[1]
    # the two demo enrolments of this unit were approved at set-up
    assert len(_listed(client.text("/inbox?status=completed&process=enrollment"))) == 2


def test_search_by_name_or_id_number(api, web):
    first, second = api.submitted_claim(T1), api.submitted_claim(T2)
    t1, t2 = _task(api, "unit_reviewer", first["id"]), _task(api, "unit_reviewer", second["id"])
    client = web("unit_reviewer")
    assert _listed(client.text("/inbox?q=李娜")) == [t2]
    assert _listed(client.text("/inbox?q=张")) == [t1]
    assert _listed(client.text(f"/inbox?q={T1}")) == [t1]  # the whole number
    assert _listed(client.text(f"/inbox?q={T2[-4:]}")) == [t2]  # the end the list shows
    assert sorted(_listed(client.text(f"/inbox?q={T1[:6]}"))) == sorted([t1, t2])  # the start it shows
    # the masked birth month and day cannot be probed
    assert _listed(client.text(f"/inbox?q={T2[-6:]}")) == []
    assert _listed(client.text(f"/inbox?q={T1[10:14]}")) == []
    for wildcard in ("%", "_", "%25%", "\\"):  # LIKE's wildcards are taken literally
        assert _listed(client.text("/inbox?" + "q=" + wildcard.replace("%", "%25"))) == []
    assert 'value="李娜"' in client.text("/inbox?q=李娜")


def test_bad_filter_values_are_ignored_not_fatal(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    for query in ("year=abc", "year=99999", "status=bogus", "process=nope", "page=0", "page=abc",
                  "page=99999999999", "sort=sideways", "q=" + "x" * 300, "q=%00"):
        response = client.get("/inbox?" + query)
        assert response.status_code == 200, query
    assert _listed(client.text("/inbox?year=abc&status=bogus")) == [task_id]
    assert _listed(client.text("/inbox?page=5")) == []


def test_pagination_shows_twenty_a_page(api, web):
    claims = [api.submitted_claim(T1 if i % 2 else T2) for i in range(21)]
    tasks = [_task(api, "unit_reviewer", c["id"]) for c in claims]
    client = web("unit_reviewer")
    first = client.text("/inbox")
    assert _listed(first) == tasks[:20] and 'rel="next"' in first and 'href="/inbox?page=2"' in first
    second = client.text("/inbox?page=2")
    assert _listed(second) == tasks[20:] and 'rel="prev"' in second
    assert _listed(client.text("/inbox?sort=newest&page=2")) == [tasks[0]]
    assert ">21<" in first  # the count of waiting claims


def test_the_reviewer_of_another_hat_sees_only_that_hats_tasks(api, app, web, world):
    make_user(app, "two_hats", "两个单位的审核员",
              roles=[("reviewer", world.unit1), ("reviewer", world.unit2)])
    one, two = api.submitted_claim(T1), api.submitted_claim(T3)
    client = web("two_hats")
    assert _listed(client.text("/inbox")) == [_task(api, "unit_reviewer", one["id"])]
    client.post("/role", {"role": f"reviewer:{world.unit2}"})
    assert _listed(client.text("/inbox")) == [_task(api, "unit_reviewer_b", two["id"])]


def test_a_trainees_own_steps_are_not_review_tasks(api, web):
    draft = api.new_claim(T1)
    own = _task(api, T1, draft["id"])  # 填写并提交登记材料, assigned to the trainee
    trainee = web(T1)
    assert _listed(trainee.text("/inbox")) == []
    assert trainee.get(f"/tasks/{own}").status_code == 404
    assert trainee.post(f"/tasks/{own}/complete", {"decision": "submit"}).status_code == 404
    assert trainee.post(f"/tasks/{own}/take").status_code == 404
    assert api.claim(T1, draft["id"])["status"] == "draft"


# -- one task ------------------------------------------------------------------------------

def test_task_page_shows_the_claim_its_proofs_and_the_flow_log(api, app, web):
    claim, (image_id, pdf_id) = _claim_with_proofs(api)
    task_id = _task(api, "unit_reviewer", claim["id"])
    page = web("unit_reviewer").text(f"/tasks/{task_id}")
    assert claim["title"] in page and "张伟" in page and mask(T1) in page and T1 not in page
    assert f'<img src="/tasks/{task_id}/files/{image_id}"' in page
    assert f'<iframe class="proof-preview" src="/tasks/{task_id}/files/{pdf_id}"' in page
    assert "证书.png" in page and "cert.pdf" in page
    assert 'name="hours"' in page and 'value="16.0"' in page  # prefilled with the requested hours
    assert 'value="approve"' in page and 'value="reject"' in page and 'value="return"' not in page
    assert "36.0" in page  # hours left on the route this year
    assert 'class="table log-table"' in page and "<caption>登记流程日志</caption>" in page  # the manual's name
    if "processes.show" in app.view_functions or "processes.view" in app.view_functions:
        assert f'href="/processes/{claim["instance_id"]}"' in page


def test_proof_file_is_served_inline_to_the_reviewer_only(api, app, web):
    claim, (image_id, pdf_id) = _claim_with_proofs(api)
    other_claim, (other_file, _pdf) = _claim_with_proofs(api)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    response = client.get(f"/tasks/{task_id}/files/{image_id}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "img-src 'self'" in csp and "object-src 'self'" in csp
    assert Image.open(io.BytesIO(response.data)).size == (32, 32)  # the image renders
    document = client.get(f"/tasks/{task_id}/files/{pdf_id}")
    assert document.status_code == 200 and document.mimetype == "application/pdf"
    assert document.data.startswith(b"%PDF")

    assert client.get(f"/tasks/{task_id}/files/{other_file}").status_code == 404  # not this task's claim
    assert client.get(f"/tasks/{task_id}/files/999999").status_code == 404
    assert web("unit_reviewer_b").get(f"/tasks/{task_id}/files/{image_id}").status_code == 403
    anonymous = web().get(f"/tasks/{task_id}/files/{image_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_approve_with_hours_moves_the_claim_on(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    client.get(f"/tasks/{task_id}")
    response = client.post(f"/tasks/{task_id}/complete", {"decision": "approve", "hours": "12.5",
                                                          "comment": "材料齐全", "next": "/inbox?q=张"})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox?q=%E5%BC%A0"
    assert "flash-success" in client.text("/inbox?q=张")
    after = api.claim(T1, claim["id"])
    assert after["status"] == "authority_review" and after["hours_reviewed"] == 12.5
    # the authority's step sets the registered hours, prefilled with the unit's
    authority_task = _task(api, "authority_reviewer", claim["id"])
    page = web("authority_reviewer").text(f"/tasks/{authority_task}")
    assert 'value="12.5"' in page and 'value="return"' in page
    # the unit's task is now handled: shown, no form
    handled = client.text(f"/tasks/{task_id}")
    assert f'action="/tasks/{task_id}/complete"' not in handled


def test_approving_over_the_cap_is_refused_next_to_the_hours_keeping_the_comment(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    response = client.post(f"/tasks/{task_id}/complete", {"decision": "approve", "hours": "40",
                                                          "comment": "请核对<证书>"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    hours_error = re.search(r'<p class="error" id="step-hours-error">([^<]*)</p>', page)
    assert hours_error and "36.0" in hours_error.group(1)
    assert 'value="40"' in page and "请核对&lt;证书&gt;</textarea>" in page
    assert re.search(r'<input checked id="decision-\d" name="decision"[^>]*value="approve"', page)
    assert api.claim(T1, claim["id"])["status"] == "unit_review"


def test_reject_without_comment_is_refused_next_to_the_comment(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    response = client.post(f"/tasks/{task_id}/complete",
                           {"decision": "reject", "hours": "16", "comment": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="comment-error"' in page and 'aria-invalid="true"' in page
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
    rejected = client.post(f"/tasks/{task_id}/complete", {"decision": "reject", "comment": "证书不清晰"})
    assert rejected.status_code == 302
    assert api.claim(T1, claim["id"])["status"] == "unit_rejected"


def test_malformed_decisions_are_422_not_500(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    for body in ({}, {"decision": "return"}, {"decision": "maybe"}, {"decision": "approve", "hours": "abc"},
                 {"decision": "approve", "hours": "-3"}, {"decision": "approve", "hours": "1.25"},
                 {"decision": "approve", "hours": ""}, {"decision": "reject", "comment": "x" * 501},
                 {"decision": "reject", "comment": "bad\x00byte"}):
        response = client.post(f"/tasks/{task_id}/complete", body)
        assert response.status_code == 422, body
    assert api.claim(T1, claim["id"])["status"] == "unit_review"


def test_enrolment_task_shows_the_profile_without_hours(api, app, web, world):
    enrolment = _enrol_newcomer(api, app, world)
    task_id = _task(api, "unit_reviewer", enrolment["id"], "enrollment")
    client = web("unit_reviewer")
    page = client.text(f"/tasks/{task_id}")
    assert "赵敏" in page and "国有企业" in page and "公路工程" in page and "大学本科" in page
    assert 'name="hours"' not in page and "/files/" not in page
    assert client.post(f"/tasks/{task_id}/complete", {"decision": "approve"}).status_code == 302
    assert api.as_(NEW_TRAINEE_ID).get(f"/enrollments/{enrolment['id']}").get_json()["status"] == "approved"


def test_take_and_release(api, app, web, world):
    make_user(app, "unit_reviewer_2", "工程公司审核员二", roles=[("reviewer", world.unit1)])
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    taken = client.post(f"/tasks/{task_id}/take")
    assert taken.status_code == 302 and taken.headers["Location"].endswith(f"/tasks/{task_id}")
    assert api.task_for("unit_reviewer", claim["id"])["status"] == "claimed"
    assert f'action="/tasks/{task_id}/release"' in client.text(f"/tasks/{task_id}")

    colleague = web("unit_reviewer_2")
    page = colleague.text(f"/tasks/{task_id}")
    assert "工程公司审核员" in page and f'action="/tasks/{task_id}/complete"' not in page
    refused = colleague.post(f"/tasks/{task_id}/complete", {"decision": "approve", "hours": "16"})
    assert refused.status_code == 409
    assert colleague.post(f"/tasks/{task_id}/take").status_code == 409
    assert colleague.post(f"/tasks/{task_id}/release").status_code == 409

    released = client.post(f"/tasks/{task_id}/release", {"next": "/inbox?status=mine"})
    assert released.status_code == 302 and released.headers["Location"].endswith("/inbox?status=mine")
    assert api.task_for("unit_reviewer", claim["id"])["status"] == "open"
    outside = client.post(f"/tasks/{task_id}/take", {"next": "https://evil.example/"})
    assert outside.headers["Location"].endswith(f"/tasks/{task_id}")  # no open redirect


def test_batch_approve_reports_each_item(api, web):
    claims = [api.submitted_claim(t) for t in (T1, T2, T1, T2)]
    tasks = [_task(api, "unit_reviewer", c["id"]) for c in claims]
    assert api.decide("unit_reviewer", claims[3]["id"], "approve").status_code == 200  # already handled
    client = web("unit_reviewer")
    client.get("/inbox")
    selected = {"task_ids": [str(t) for t in tasks], "decision": "approve"}
    confirm = client.post("/inbox/batch", selected)  # first the records to confirm; nothing changes yet
    assert confirm.status_code == 200
    listed = confirm.get_data(as_text=True)
    assert [int(t) for t in re.findall(r'name="task_ids" value="(\d+)"', listed)] == tasks[:3]  # the 4th is done
    assert listed.count(claims[0]["title"]) == 3 and 'name="confirmed" value="1"' in listed
    assert api.claim(T1, claims[0]["id"])["status"] == "unit_review"
    response = client.post("/inbox/batch", {**selected, "confirmed": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    results = page.split('id="batch-results"', 1)[1].split("</section>", 1)[0]
    cells = r"<tr>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>(.*?)</td>"
    rows = re.findall(cells, results, re.S)
    assert [(r[0], r[1]) for r in rows] == [(name, claims[0]["title"]) for name in ["张伟", "李娜", "张伟", "李娜"]]
    assert [("badge-ok" in r[2]) for r in rows] == [True, True, True, False]
    for claim, trainee in zip(claims[:3], (T1, T2, T1), strict=True):
        after = api.claim(trainee, claim["id"])
        assert after["status"] == "authority_review" and after["hours_reviewed"] == 16.0
    assert _listed(page) == []  # nothing left waiting


def test_batch_reject_needs_a_comment_per_item_and_nothing_selected_is_422(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    client.get("/inbox")
    assert client.post("/inbox/batch", {"decision": "approve"}).status_code == 422
    assert client.post("/inbox/batch", {"task_ids": ["x"], "decision": "approve"}).status_code == 422
    assert client.post("/inbox/batch", {"task_ids": [str(task_id)], "decision": "maybe"}).status_code == 422
    without = client.post("/inbox/batch", {"task_ids": [str(task_id)], "decision": "reject"})
    assert without.status_code == 200 and 'id="comment-error"' in without.get_data(as_text=True)
    confirmed_without = client.post("/inbox/batch", {"task_ids": [str(task_id)], "decision": "reject",
                                                     "confirmed": "1"})
    assert confirmed_without.status_code == 422 and 'id="comment-error"' in confirmed_without.get_data(as_text=True)
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
    with_comment = client.post("/inbox/batch", {"task_ids": [str(task_id)], "decision": "reject",
                                                "comment": "不符合要求", "confirmed": "1"})
    assert with_comment.status_code == 200
    assert api.claim(T1, claim["id"])["status"] == "unit_rejected"


def test_posts_without_the_csrf_token_change_nothing(api, web):
    claim = api.submitted_claim(T1)
    task_id = _task(api, "unit_reviewer", claim["id"])
    client = web("unit_reviewer")
    client.get(f"/tasks/{task_id}")
    for path, body in ((f"/tasks/{task_id}/complete", {"decision": "approve", "hours": "16"}),
                       (f"/tasks/{task_id}/take", {}),
                       ("/inbox/batch", {"task_ids": [str(task_id)], "decision": "approve", "confirmed": "1"})):
        response = client.post(path, body, csrf=False)
        assert response.status_code == 302, path
    assert api.claim(T1, claim["id"])["status"] == "unit_review"
    assert api.task_for("unit_reviewer", claim["id"])["status"] == "open"


def test_inbox_speaks_english_on_request(api, web):
    api.submitted_claim(T1)
    client = web("unit_reviewer")
    client.get("/lang/en?next=/inbox")
    page = client.text("/inbox")
    assert 'lang="en"' in page and "Approve: the selected" in page
