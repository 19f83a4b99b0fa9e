"""批量导入 (seed 001 §3.8, 003 §2.1): the template, a file imported whole or refused whole with an
error report naming each bad row, the checks (ID number, duplicates, existing accounts, departments),
files checked by content, formula cells kept as text, only one's own unit, and the audit events."""
from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditChain, PersonDetail, ProcessEvent, RoleAssignment, User
from app.people.models import StaffImport
from app.people.workbook import HEADER
from app.services import audit
from tests.support.people import NEW_TRAINEE_ID, make_user
from tests.support.staff import add_department, id_numbers, staff_file, staff_rows
from tests.support.world import T1, T3

FORMULA = "=cmd|' /C calc'!A0"


def _upload(api, who: str, data: bytes, name: str = "staff.xlsx", query: str = ""):
    return api.as_(who).post("/people/import" + query, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(data), name)})


def _count(app, model=User) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _book(data: bytes, read_only: bool = True):
    return load_workbook(io.BytesIO(data), read_only=read_only)


def _report(api, who: str, response) -> bytes:
    import_id = response.headers["X-Import-Id"]
    assert response.headers["Link"].startswith(f"</api/v1/people/import/{import_id}/report>")
    report = api.as_(who).get(f"/people/import/{import_id}/report")
    assert report.status_code == 200
    return report.data


def test_the_template_downloads_and_is_a_valid_workbook(api):
    response = api.as_("unit_admin").get("/people/import/template")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = _book(response.data)
    assert book.sheetnames == ["人员信息", "填写说明"]
    assert next(book["人员信息"].iter_rows(values_only=True))[:6] == HEADER
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True)]
    assert {"身份证号", "姓名", "部门"} <= set(notes)


def test_a_good_file_is_imported_whole_with_initial_passwords_roles_and_details(app, api, world):
    with app.app_context():
        department = add_department(world.unit1, "工程部")
    rows = staff_rows(3, department="工程部")
    rows[1][3] = None  # no department
    response = _upload(api, "unit_admin", staff_file(rows))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["imported"] == 3 and response.get_json()["status"] == "imported"
    with app.app_context():
        people = {u.id_number: u for u in db.session.scalars(select(User).where(
            User.id_number.in_([r[0] for r in rows])))}
        assert len(people) == 3 and all(u.must_change_password and u.username == u.id_number
                                        for u in people.values())
        assert people[rows[0][0]].department_id == department and people[rows[1][0]].department_id is None
        units = set(db.session.scalars(select(RoleAssignment.org_id).where(
            RoleAssignment.user_id.in_([u.id for u in people.values()]), RoleAssignment.role == "trainee")))
        assert units == {world.unit1}
        assert db.session.get(PersonDetail, people[rows[2][0]].id).title == "工程师"
    login = api.login(rows[0][0], rows[0][0][-6:])  # the seeds' initial password: the last six characters
    assert login.status_code == 200


def test_one_bad_row_among_5000_refuses_the_whole_file_with_a_report_naming_it(app, api):
    rows = staff_rows(5000)
    rows[3210][0] = rows[3210][0][:17] + ("0" if rows[3210][0][17] != "0" else "1")  # wrong check digit
    before = _count(app)
    response = _upload(api, "unit_admin", staff_file(rows))
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "bad_rows" and "1" in body["message"]
    assert body["rows"] == [{"row": 3212, "field": "id_number", "message": body["rows"][0]["message"]}]
    assert _count(app) == before  # nothing imported
    report = list(_book(_report(api, "unit_admin", response)).worksheets[0].iter_rows(values_only=True))
    assert report[0][0] == "行号" and len(report) == 2
    assert report[1][0] == 3212 and report[1][1] == rows[3210][0] and "身份证号" in report[1][-1]
    with app.app_context():
        attempt = db.session.scalar(select(StaffImport))
        assert (attempt.status, attempt.rows, attempt.bad_rows, attempt.imported) == ("refused", 5000, 1, 0)


def test_duplicates_in_the_file_are_named_with_the_first_row(api):
    rows = staff_rows(3)
    rows[2][0] = rows[0][0]
    response = _upload(api, "unit_admin", staff_file(rows))
    problems = response.get_json()["error"]["rows"]
    assert response.status_code == 422
    assert [(p["row"], p["field"]) for p in problems] == [(4, "id_number")] and "2" in problems[0]["message"]


def test_people_already_in_the_system_are_refused_with_the_reason(app, api, world):
    make_user(app, NEW_TRAINEE_ID, "自行注册", id_number=NEW_TRAINEE_ID)  # registered, in no unit
    rows = [[T1, "张伟", None, None, None, None], [T3, "王五", None, None, None, None],
            [NEW_TRAINEE_ID, "自行注册", None, None, None, None], *staff_rows(1)]
    response = _upload(api, "unit_admin", staff_file(rows))
    assert response.status_code == 422
    problems = {p["row"]: p["message"] for p in response.get_json()["error"]["rows"]}
    assert set(problems) == {2, 3, 4}
    assert "本单位" in problems[2] or "this unit" in problems[2]
    assert "人员调转" in problems[3] and "报名" in problems[4]
    assert "演示公路养护有限公司" not in problems[3]  # another unit is not named


def test_unknown_inactive_or_other_units_departments_are_refused(app, api, world):
    with app.app_context():
        add_department(world.unit1, "工程部")
        add_department(world.unit1, "撤销部", active=False)
        add_department(world.unit2, "养护部")
    rows = staff_rows(4)
    for row, name in zip(rows, ("工程部", "撤销部", "养护部", "没有的部门"), strict=True):
        row[3] = name
    response = _upload(api, "unit_admin", staff_file(rows))
    assert response.status_code == 422
    assert sorted(p["row"] for p in response.get_json()["error"]["rows"]) == [3, 4, 5]


def test_names_phones_education_and_titles_are_checked(api):
    rows = staff_rows(4)
    rows[0][1] = "王"  # too short
    rows[1][2] = "12345"
    rows[2][4] = "小学"
    rows[3][5] = "教授"
    rows.append([float(next(id_numbers(1, 9000))), "数字", None, None, None, None])  # an ID typed as a number
    response = _upload(api, "unit_admin", staff_file(rows))
    fields = sorted((p["row"], p["field"]) for p in response.get_json()["error"]["rows"])
    assert fields == [(2, "name"), (3, "phone"), (4, "education"), (5, "title"), (6, "id_number")]


def test_files_are_checked_by_content_size_and_rows(app, api):
    for data in (b"%PDF-1.4 not a workbook", b"PK\x03\x04 broken zip", b"\x00" * 100):
        response = _upload(api, "unit_admin", data, name="staff.xlsx")
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "bad_file"
        assert "Excel" in response.get_json()["error"]["message"]
    docx = io.BytesIO()  # a ZIP, but a Word document
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert _upload(api, "unit_admin", docx.getvalue()).get_json()["error"]["code"] == "bad_file"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"\x00" * (130 * 1024 * 1024))
    assert _upload(api, "unit_admin", bomb.getvalue()).get_json()["error"]["code"] == "bad_file"
    assert _upload(api, "unit_admin", staff_file([], header=("姓名",))).status_code == 422
    assert _upload(api, "unit_admin", staff_file([])).get_json()["error"]["code"] == "bad_file"
    app.config["STAFF_IMPORT"] = {"MAX_ROWS": 2, "MAX_BYTES": 100_000}
    try:
        assert "2" in _upload(api, "unit_admin", staff_file(staff_rows(3))).get_json()["error"]["message"]
        big = _upload(api, "unit_admin", staff_file(staff_rows(2)) + b"\x00" * 100_000)
        assert big.get_json()["error"]["code"] == "too_large"
    finally:
        del app.config["STAFF_IMPORT"]
    assert _upload(api, "unit_admin", b"").status_code == 422
    assert _count(app, StaffImport) == 0  # a file that cannot be read leaves no trace


def test_a_formula_cell_is_stored_as_text_and_written_back_as_text(app, api):
    good = staff_rows(1)
    good[0][1] = FORMULA
    assert _upload(api, "unit_admin", staff_file(good)).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.id_number == good[0][0])) == FORMULA
    found = api.as_("unit_admin").get("/people", query_string={"id_number": good[0][0]}).get_json()
    assert found["items"][0]["name"] == FORMULA
    bad = staff_rows(1, start=10)
    bad[0][1], bad[0][3] = "+SUM(1,2)", FORMULA  # unknown department: written back in the report
    response = _upload(api, "unit_admin", staff_file(bad))
    assert response.status_code == 422
    data = _report(api, "unit_admin", response)
    sheet = _book(data, read_only=False).worksheets[0]
    assert sheet["E2"].value == FORMULA and sheet["E2"].data_type == "s"
    assert sheet["C2"].value == "+SUM(1,2)" and sheet["C2"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_only_a_units_administrators_import_and_only_into_their_own_unit(app, api, world):
    data = staff_file(staff_rows(1))
    before = _count(app)
    for who in ("unit_reviewer", "authority_admin", "auditor", "process_admin", T1):
        assert _upload(api, who, data).status_code == 403, who
        assert api.as_(who).get("/people/import/template").status_code == 403
    assert _upload(api, "unit_admin_b", data, query=f"?org_id={world.unit1}").status_code == 403
    refused = staff_file([["bad", "某人", None, None, None, None]])
    response = _upload(api, "unit_admin", refused)
    import_id = response.headers["X-Import-Id"]
    assert api.as_("unit_admin_b").get(f"/people/import/{import_id}/report").status_code == 404
    assert _count(app) == before and _count(app, StaffImport) == 1
    made = _upload(api, "unit_admin_b", data)
    assert made.status_code == 201 and made.get_json()["org_id"] == world.unit2


def test_an_import_records_one_event_and_one_per_account_without_secrets(app, api, world):
    rows = staff_rows(3)
    response = _upload(api, "unit_admin", staff_file(rows))
    import_id = response.get_json()["id"]
    with app.app_context():
        events = list(db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.is_(None))
                                         .order_by(ProcessEvent.id)))
        summary = [e for e in events if e.action == "staff_import"]
        accounts = [e for e in events if e.action == "account_import"]
        assert len(summary) == 1 and summary[0].record_id == import_id
        assert summary[0].data["new"]["imported"] == 3 and summary[0].actor_org_id == world.unit1
        assert len(accounts) == 3
        assert all(e.data["new"]["roles"] == [["trainee", world.unit1]] for e in accounts)
        assert all(e.data["cause"] == {"record_type": "staff_import", "record_id": import_id} for e in accounts)
        text = " ".join(str(e.data) for e in accounts)
        assert "pbkdf2" not in text and "scrypt" not in text
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]  # one chain, in order
        assert audit.verify_admin_chain() == []
        chain = db.session.get(AuditChain, audit.ADMIN_CHAIN)
        assert chain.length == len(events) and chain.head_hash == events[-1].hash
        assert all(key == "must_change_password" or "password" not in key for e in accounts for key in e.data["new"])


def test_with_summary_events_the_import_event_lists_every_account(app, api, world):
    app.config["STAFF_IMPORT"] = {"ACCOUNT_EVENTS": "summary"}
    try:
        rows = staff_rows(2)
        assert _upload(api, "unit_admin", staff_file(rows)).status_code == 201
    finally:
        del app.config["STAFF_IMPORT"]
    with app.app_context():
        actions = list(db.session.scalars(select(ProcessEvent.action).where(
            ProcessEvent.action.in_(("staff_import", "account_import")))))
        event = db.session.scalar(select(ProcessEvent).where(ProcessEvent.action == "staff_import"))
        ids = dict(db.session.execute(select(User.username, User.id).where(
            User.username.in_([r[0] for r in rows]))).all())
    assert actions == ["staff_import"]
    assert event.data["new"]["accounts"] == [[ids[r[0]], r[0]] for r in rows]
