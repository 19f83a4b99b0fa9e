"""Post-training filings (培训后备案) over the API: the 7-day window, the results template, the import
(a good file, bad rows refused whole with their report, a renamed non-Excel file, a wrong header,
the row limit), HR's review with rollback, and on approval the hours and e-certificates issued
exactly once; the certificates' PDF and their public verification (throttled)."""
from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest

from app.extensions import db
from app.models import Certificate, HourEntry
from app.services import consistency
from tests.support.files import png
from tests.support.races import run_together
from tests.support.world import T1, T2, T3
from tests.support.xlsx import RESULTS_HEADER, rows_of, workbook

ENDED = "2026年度公路工程专业技术人员继续教育培训班"
NAMES = {T1: "张伟", T2: "李娜", T3: "王强"}


def _ok(response) -> dict:
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def ended_class(api) -> dict:
    classes = _ok(api.as_("provider_admin").get("/classes"))["items"]
    return next(c for c in classes if c["name"] == ENDED)


def make_filing(api, **changes) -> dict:
    return _ok(api.as_("provider_admin").post("/post-filings", json={"class_id": ended_class(api)["id"], **changes}))


def upload_results(api, filing_id: int, data: bytes, who: str = "provider_admin"):
    return api.as_(who).post(f"/post-filings/{filing_id}/results", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(data), "成绩.xlsx")})


def good_file(passed: tuple[str, ...] = (T1, T2)) -> bytes:
    return workbook([(who, NAMES[who], 86 if who in passed else 42, "是" if who in passed else "否")
                     for who in (T1, T2, T3)])


def ready(api, **changes) -> dict:
    """A filing with its details, results (T1, T2 passed; T3 not) and a training summary attached."""
    filing = make_filing(api, **changes)
    _ok(api.as_("provider_admin").patch(f"/post-filings/{filing['id']}", json={
        "attended": 3, "summary": "三名学员参加培训，两名考核合格。"}))
    _ok(upload_results(api, filing["id"], good_file()))
    _ok(api.as_("provider_admin").post(f"/post-filings/{filing['id']}/files", content_type="multipart/form-data",
                                        data={"file": (io.BytesIO(png()), "培训总结.png"), "kind": "summary"}))
    return filing


def submitted(api) -> dict:
    filing = ready(api)
    _ok(api.as_("provider_admin").post(f"/post-filings/{filing['id']}/submit"))
    return filing


def decide(api, filing_id: int, decision: str, comment: str | None = None, who: str = "hr_reviewer"):
    extra = {"comment": comment} if comment else {}
    return api.decide(who, filing_id, decision, record_type="postfiling", **extra)


def _ledger(app, filing_id: int) -> list[tuple[int, int, str, float]]:
    with app.app_context():
        return sorted((e.user_id, e.year, e.category, float(e.hours)) for e in db.session.scalars(
            db.select(HourEntry).where(HourEntry.source == "postfiling", HourEntry.source_id == filing_id)))


# -- step ①: which class, when ---------------------------------------------------------------

def test_the_ended_class_waits_for_its_filing_and_gets_one(api, web):
    page = web("provider_admin").text("/post-filings")
    assert ENDED in page and "新增备案" in page
    filing = make_filing(api)
    assert (filing["status"], filing["status_label"], filing["name"]) == ("draft", "未提交", ENDED[:50])
    assert filing["hr_department"]["name"] == "演示省人力资源和社会保障厅" and filing["total_hours"] == 24.0
    again = api.as_("provider_admin").post("/post-filings", json={"class_id": ended_class(api)["id"]})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_filed"


def test_a_filing_is_made_within_7_days_after_the_class_ends(api, clock):
    ends = datetime.fromisoformat(ended_class(api)["ends_on"]).date()
    clock.freeze(datetime.combine(ends + timedelta(days=8), time(2), tzinfo=UTC))
    api.forget_tokens()
    late = api.as_("provider_admin").post("/post-filings", json={"class_id": ended_class(api)["id"]})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "too_late"
    assert "7" in late.get_json()["error"]["message"] and (ends + timedelta(days=7)).isoformat() in \
        late.get_json()["error"]["message"]
    clock.freeze(datetime.combine(ends + timedelta(days=7), time(2), tzinfo=UTC))
    api.forget_tokens()
    _ok(api.as_("provider_admin").post("/post-filings", json={"class_id": ended_class(api)["id"]}))


def test_no_filing_before_the_class_ends_nor_of_another_providers_class(api):
    classes = _ok(api.as_("provider_admin").get("/classes"))["items"]
    running = next(c for c in classes if c["name"] == "公路工程师知识更新培训班")
    early = api.as_("provider_admin").post("/post-filings", json={"class_id": running["id"]})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "too_early"
    other = api.as_("provider_admin_b").post("/post-filings", json={"class_id": ended_class(api)["id"]})
    assert other.status_code == 422
    for who in ("hr_reviewer", T1):
        assert api.as_(who).post("/post-filings", json={"class_id": ended_class(api)["id"]}).status_code == 403


# -- step ③: the results -------------------------------------------------------------------------

def test_the_template_lists_the_approved_enrolments_with_ids_as_text(api):
    from openpyxl import load_workbook

    filing = make_filing(api)
    response = api.as_("provider_admin").get(f"/post-filings/{filing['id']}/results-template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = rows_of(response.data)
    assert rows[0] == RESULTS_HEADER
    assert sorted(r[:2] for r in rows[1:] if r[0]) == sorted((who, NAMES[who]) for who in (T1, T2, T3))
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].number_format == "@" and sheet.data_validations.dataValidation[0].formula1 == '"是,否"'


def test_a_good_file_is_imported_and_a_new_one_replaces_it(api):
    filing = make_filing(api)
    imported = _ok(upload_results(api, filing["id"], good_file()))
    assert (imported["total"], imported["passed"]) == (3, 2) and imported["items"][0]["id_number"].count("*") == 4
    detail = _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))
    assert [(r["name"], r["score"], r["passed"]) for r in detail["results"]] == [
        ("张伟", 86.0, True), ("李娜", 86.0, True), ("王强", 42.0, False)]
    _ok(upload_results(api, filing["id"], workbook([(T1, "张伟", "90.5", "合格")])))
    detail = _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))
    assert [(r["name"], r["score"]) for r in detail["results"]] == [("张伟", 90.5)]


def test_a_file_with_bad_rows_is_refused_whole_with_every_row_reported(api):
    filing = make_filing(api)
    _ok(upload_results(api, filing["id"], good_file()))
    bad = workbook([
        (T1, "张伟", 88, "是"),                     # row 2: fine
        ("330106199003070015", "某人", 80, "是"),   # row 3: wrong check digit
        ("110101199001011237", "赵六", 80, "是"),   # row 4: valid, but not enrolled in the class
        (T1, "张伟", 70, "是"),                     # row 5: again
        (T2, "李四", 80, "是"),                     # row 6: the enrolment is 李娜's
        (T3, "王强", 120, "可能"),                  # row 7: score and 是否合格 both wrong
    ])
    response = upload_results(api, filing["id"], bad)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "bad_rows" and "未导入" in error["message"] or "not imported" in error["message"]
    assert {(r["row"], r["field"]) for r in error["rows"]} == {
        (3, "id_number"), (4, "id_number"), (5, "id_number"), (6, "name"), (7, "score"), (7, "passed")}
    detail = _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))
    assert len(detail["results"]) == 3 and detail["has_import_errors"]  # the earlier import stands
    report = api.as_("provider_admin").get(f"/post-filings/{filing['id']}/results-errors.xlsx")
    assert report.status_code == 200
    lines = rows_of(report.data)
    assert lines[0] == ("行号", "列", "问题") and {(r[0], r[1]) for r in lines[1:]} >= {(6, "姓名"), (7, "成绩")}
    _ok(upload_results(api, filing["id"], good_file()))  # a good file clears the report
    assert api.as_("provider_admin").get(f"/post-filings/{filing['id']}/results-errors.xlsx").status_code == 404


@pytest.mark.parametrize(("data", "what"), [
    (png(), "a PNG renamed .xlsx"), (b"\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7,\n", "a CSV renamed .xlsx"),
    (b"PK\x03\x04not really a zip", "a broken ZIP"),
    (workbook([(T1, "张伟", 90, "是")], header=("ID", "name", "score", "pass")), "wrong header"),
    (workbook([]), "no rows"),
])
def test_a_file_that_is_not_the_template_is_refused(api, data, what):
    filing = make_filing(api)
    response = upload_results(api, filing["id"], data)
    assert response.status_code == 422, what
    assert response.get_json()["error"]["code"] == "bad_file", (what, response.get_json())
    assert _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))["results"] == []


def test_a_file_over_the_row_limit_is_refused(api, app):
    limit = app.config.get("PROVIDER_FILINGS", {}).get("RESULTS_MAX_ROWS", 10_000)
    filing = make_filing(api)
    rows = [(T1, "张伟", 80, "是")] * (limit + 1)
    response = upload_results(api, filing["id"], workbook(rows))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "bad_file"
    assert str(limit) in response.get_json()["error"]["message"]


# -- submitting, HR, hours and certificates ------------------------------------------------------

def test_submitting_needs_the_results_and_the_training_summary(api):
    filing = make_filing(api)
    response = api.as_("provider_admin").post(f"/post-filings/{filing['id']}/submit")
    assert response.status_code == 422 and response.get_json()["error"]["code"] in ("incomplete", "results_required")
    _ok(api.as_("provider_admin").patch(f"/post-filings/{filing['id']}", json={"attended": 3, "summary": "总结"}))
    _ok(upload_results(api, filing["id"], good_file()))
    response = api.as_("provider_admin").post(f"/post-filings/{filing['id']}/submit")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "files_required"


def test_filed_every_passing_trainee_gets_the_hours_and_a_certificate_once(api, app, world):
    filing = submitted(api)
    after = _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))
    assert after["status_label"] == "待人社部门审核"
    assert api.as_("provider_admin").patch(f"/post-filings/{filing['id']}", json={"summary": "改"}).status_code == 409
    assert _ledger(app, filing["id"]) == []
    _ok(decide(api, filing["id"], "approve"))
    filed = _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))
    assert (filed["status"], filed["status_label"]) == ("filed", "备案通过") and filed["filed_at"]
    year = filed["year"]
    ids = {who: world.user[who] for who in (T1, T2, T3)}
    assert _ledger(app, filing["id"]) == sorted([(ids[T1], year, "professional", 24.0),
                                                 (ids[T2], year, "professional", 24.0)])
    mine = _ok(api.as_(T1).get("/certificates"))["items"]
    assert len(mine) == 1 and mine[0]["kind"] == "专业课电子证书" and mine[0]["hours"] == 24.0
    assert mine[0]["title"] == ENDED and mine[0]["issuer"] == "演示交通职业培训学院"
    assert mine[0]["number"].startswith(f"{year}ZY") and len(mine[0]["number"]) == 18
    assert _ok(api.as_(T3).get("/certificates"))["items"] == []  # did not pass
    hours = _ok(api.as_(T1).get("/me/hours", query_string={"year": year}))
    assert hours["professional"] >= 24.0
    with app.app_context():
        assert consistency.check_all().ok


def test_rolled_back_resubmitted_and_filed_issues_once(api, app):
    filing = submitted(api)
    _ok(decide(api, filing["id"], "rollback", "请补充学员签到表"))
    back = _ok(api.as_("provider_admin").get(f"/post-filings/{filing['id']}"))
    assert (back["status_label"], back["rollback_comment"]) == ("已回退", "请补充学员签到表")
    _ok(upload_results(api, filing["id"], good_file(passed=(T1,))))
    _ok(api.as_("provider_admin").post(f"/post-filings/{filing['id']}/submit"))
    _ok(decide(api, filing["id"], "approve"))
    assert len(_ledger(app, filing["id"])) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Certificate.id)).where(
            Certificate.source == "postfiling", Certificate.source_id == filing["id"])) == 1


def test_two_hr_reviewers_approving_at_once_issue_once(api, app, world, slow_lock):
    from tests.support.people import make_user

    make_user(app, "hr_reviewer_2", "第二人社审核员", roles=[("reviewer", world.org["演示省人力资源和社会保障厅"])])
    filing = submitted(api)
    task = api.task_for("hr_reviewer", filing["id"], "postfiling")
    responses = run_together([
        lambda: api.as_("hr_reviewer").post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}),
        lambda: api.as_("hr_reviewer_2").post(f"/tasks/{task['id']}/complete", json={"decision": "approve"})])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    assert len(_ledger(app, filing["id"])) == 2
    with app.app_context():
        assert consistency.check_all().ok


def test_who_sees_a_post_filing(api):
    filing = make_filing(api)
    for who in ("provider_admin_b", "hr_reviewer", "hr_reviewer_city", T1, "supervisor_reviewer"):
        assert api.as_(who).get(f"/post-filings/{filing['id']}").status_code == 404, who
    _ok(api.as_("provider_admin").patch(f"/post-filings/{filing['id']}", json={"attended": 3, "summary": "总结"}))
    _ok(upload_results(api, filing["id"], good_file()))
    _ok(api.as_("provider_admin").post(f"/post-filings/{filing['id']}/files", content_type="multipart/form-data",
                                        data={"file": (io.BytesIO(png()), "培训总结.png"), "kind": "summary"}))
    _ok(api.as_("provider_admin").post(f"/post-filings/{filing['id']}/submit"))
    assert api.as_("hr_reviewer").get(f"/post-filings/{filing['id']}").status_code == 200
    assert api.as_("hr_reviewer_city").get(f"/post-filings/{filing['id']}").status_code == 404
    assert api.task_for("hr_reviewer_city", filing["id"], "postfiling") is None


# -- certificates -------------------------------------------------------------------------------

@pytest.fixture
def certificate(api) -> dict:
    filing = submitted(api)
    _ok(decide(api, filing["id"], "approve"))
    return _ok(api.as_(T1).get("/certificates"))["items"][0]


def test_the_certificate_pdf_names_the_holder_with_a_masked_id_and_a_qr_code(api, certificate):
    from pypdf import PdfReader

    response = api.as_(T1).get(f"/certificates/{certificate['number']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())  # lines broken anywhere
    assert "专业课电子证书" in text and "张伟" in text
    assert "3301061990****0014" in text and "330106199003070014" not in text
    assert certificate["number"] in text and f"/verify/{certificate['number']}" in text
    assert "/XObject" in reader.pages[0]["/Resources"]  # the QR code, drawn into the page
    assert api.as_(T2).get(f"/certificates/{certificate['number']}.pdf").status_code == 404
    assert api.as_("auditor").get(f"/certificates/{certificate['number']}.pdf").status_code == 200


def test_the_qr_code_is_a_standalone_svg_of_the_verification_address(app):
    import base64
    from urllib.parse import unquote

    from app.services.certificates import qr_data_uri

    uri = qr_data_uri("http://localhost/verify/2026ZY000000000001")
    assert uri.startswith("data:image/svg+xml")
    body = uri.split(",", 1)[1]
    svg = base64.b64decode(body).decode() if ";base64" in uri.split(",", 1)[0] else unquote(body)
    assert "xmlns='http://www.w3.org/2000/svg'" in svg  # browsers refuse an SVG image without it


def test_anyone_verifies_a_number_without_logging_in(api, web, certificate):
    found = api.anonymous.get(f"/certificates/verify/{certificate['number']}")
    assert found.status_code == 200
    body = found.get_json()
    assert body["genuine"] is True and body["holder_name"] == "张伟"
    assert body["holder_id_number"] == "3301061990****0014"
    assert "user_id" not in body and "holder_id" not in body
    unknown = api.anonymous.get("/certificates/verify/2026ZY000000000000")
    assert unknown.status_code == 200 and unknown.get_json() == {"number": "2026ZY000000000000", "genuine": False}
    page = web().get(f"/verify/{certificate['number']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "张伟" in text and "真实有效" in text


def test_guessing_numbers_is_throttled(api, app, certificate):
    limit = app.config["CERTIFICATES"]["VERIFY_MAX_MISSES_PER_IP"]
    for i in range(limit):
        assert api.anonymous.get(f"/certificates/verify/2026ZY{i:012d}").status_code == 200
    refused = api.anonymous.get(f"/certificates/verify/{certificate['number']}")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
