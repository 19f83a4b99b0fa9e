"""专业技术人员信息查询 (seed 001 §3.9): who sees whom, the filters, a person's learning record from
the ledger, and the password reset (temporary password shown once, recorded, sessions ended)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import ProcessEvent, User
from app.services import ledger
from tests.support.staff import staff_file, staff_rows
from tests.support.world import PASSWORD, T1, T2, T3, T4


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["id_number"] for item in response.get_json()["items"]}


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_a_unit_admin_sees_their_unit_and_an_authority_its_subtree(api, world):
    assert _ids(api.as_("unit_admin").get("/people")) == {T1, T2, T4}
    assert _ids(api.as_("unit_admin_b").get("/people")) == {T3}
    assert _ids(api.as_("authority_admin").get("/people")) == {T1, T2, T3, T4}
    assert _ids(api.as_("authority_reviewer").get("/people")) == {T1, T2, T3, T4}
    assert _ids(api.as_("authority_reviewer_b").get("/people")) == set()  # no unit below 建设局
    for who in ("unit_reviewer", "auditor", "process_admin", "provider_admin", T1):
        assert api.as_(who).get("/people").status_code == 403, who


def test_filters_by_authority_unit_name_id_education_and_title(api, world):
    assert api.as_("unit_admin").post("/people/import", content_type="multipart/form-data", data={
        "file": (__import__("io").BytesIO(staff_file(staff_rows(2))), "s.xlsx")}).status_code == 201
    admin = api.as_("authority_admin")
    assert _ids(admin.get("/people", query_string={"unit_id": world.unit2})) == {T3}
    assert len(_ids(admin.get("/people", query_string={"authority_id": world.city}))) == 6
    assert _ids(admin.get("/people", query_string={"name": "张"})) == {T1}
    assert _ids(admin.get("/people", query_string={"id_number": T3[:12]})) == {T3}
    assert _ids(admin.get("/people", query_string={"name": "%"})) == set()  # a wildcard is a character
    # the two imported, and the demo's four whose approved enrolment declared the same
    engineers = _ids(admin.get("/people", query_string={"title": "工程师", "education": "大学本科"}))
    assert len(engineers) == 6 and {T1, T2, T3, T4} <= engineers
    assert _ids(admin.get("/people", query_string={"title": "高级工程师"})) == set()
    page = admin.get("/people", query_string={"per_page": 2, "page": 3}).get_json()
    assert page["total"] == 6 and len(page["items"]) == 2
    assert admin.get("/people", query_string={"title": "院士"}).status_code == 422
    assert api.as_("unit_admin_b").get("/people", query_string={"unit_id": world.unit1}).status_code == 422
    assert api.as_("unit_admin").get("/people", query_string={"authority_id": world.city}).status_code == 422


def test_an_approved_change_of_title_is_what_the_query_finds(api, world):
    change = api.as_(T1).post("/me/profile-change", json={"title": "高级工程师"})
    assert change.status_code == 201, change.get_json()
    admin = api.as_("unit_admin")
    assert _ids(admin.get("/people", query_string={"title": "高级工程师"})) == set()  # not before the review
    [task] = [t for t in api.as_("unit_reviewer").get("/tasks").get_json()["items"]
              if t["process"] == "person_info_change"]
    assert api.as_("unit_reviewer").post(f"/tasks/{task['id']}/complete",
                                         json={"decision": "approve"}).status_code == 200
    assert _ids(admin.get("/people", query_string={"title": "高级工程师"})) == {T1}
    assert T1 not in _ids(admin.get("/people", query_string={"title": "工程师"}))


def test_a_persons_details_and_learning_record_come_from_the_ledger(app, api, world):
    user_id = _user_id(app, T1)
    with app.app_context():
        ledger.credit(user_id=user_id, year=2024, category="professional", source="unit_declaration",
                      source_id=999, hours=Decimal("12"))
        db.session.commit()
    person = api.as_("unit_admin").get(f"/people/{user_id}").get_json()
    assert person["name"] == "张伟" and person["unit_id"] == world.unit1 and person["may_reset"] is True
    record = api.as_("authority_reviewer").get(f"/people/{user_id}/record").get_json()
    year = next(y for y in record["years"] if y["year"] == 2024)
    assert Decimal(year["professional"]) >= Decimal("12")
    assert any(Decimal(s["total"]) >= Decimal("12") for s in year["sources"] if s["source"] == "unit_declaration")
    for who in ("unit_admin_b", "authority_reviewer_b", "unit_reviewer"):
        assert api.as_(who).get(f"/people/{user_id}").status_code in (403, 404), who
        assert api.as_(who).get(f"/people/{user_id}/record").status_code in (403, 404), who
    assert api.as_("unit_admin").get("/people/999999").status_code == 404


def test_a_password_reset_gives_a_temporary_password_once_and_is_recorded(app, api, world):
    user_id = _user_id(app, T1)
    old_token = api.as_(T1).token
    response = api.as_("unit_admin").post(f"/people/{user_id}/reset-password")
    assert response.status_code == 200
    temporary = response.get_json()["temporary_password"]
    assert api.login(T1, PASSWORD).status_code == 401
    assert api.login(T1, temporary).status_code == 200
    assert api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
    with app.app_context():
        event = db.session.scalar(select(ProcessEvent).where(ProcessEvent.action == "password_reset",
                                                             ProcessEvent.record_id == user_id))
        assert event is not None and temporary not in str(event.data)
        assert db.session.get(User, user_id).must_change_password


def test_only_administrators_above_the_person_reset_passwords(app, api, world):
    t1, t3 = _user_id(app, T1), _user_id(app, T3)
    assert api.as_("authority_reviewer").post(f"/people/{t1}/reset-password").status_code == 403
    assert api.as_("unit_admin_b").post(f"/people/{t1}/reset-password").status_code == 404
    assert api.as_("unit_admin").post(f"/people/{t3}/reset-password").status_code == 404
    assert api.as_("unit_reviewer").post(f"/people/{t1}/reset-password").status_code == 403
    assert api.login(T1, PASSWORD).status_code == 200  # unchanged
    assert api.as_("authority_admin").post(f"/people/{t3}/reset-password").status_code == 200


def test_the_export_holds_the_matching_people_and_no_formula(app, api, world):
    import io
    import zipfile

    from openpyxl import load_workbook

    rows = staff_rows(1)
    rows[0][1] = "=HYPERLINK(\"http://x\")"
    rows[0][3] = None
    assert api.as_("unit_admin").post("/people/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(staff_file(rows)), "s.xlsx")}).status_code == 201
    response = api.as_("unit_admin").get("/people/export")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    exported = {row[1].value: row[0] for row in sheet.iter_rows(min_row=2)}
    assert set(exported) == {T1, T2, T4, rows[0][0]}
    assert exported[rows[0][0]].value == rows[0][1] and exported[rows[0][0]].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    only = load_workbook(io.BytesIO(api.as_("authority_admin").get(
        "/people/export", query_string={"unit_id": world.unit2}).data)).worksheets[0]
    assert [row[1] for row in only.iter_rows(min_row=2, values_only=True)] == [T3]
    assert api.as_("unit_reviewer").get("/people/export").status_code == 403


def test_an_authority_sees_only_its_own_subtree(app, api, world):
    from app.models import Organisation
    from tests.support.people import NEW_TRAINEE_ID, make_user

    with app.app_context():
        unit = Organisation(name="建设局下属单位", kind="unit", parent_id=world.city_b)
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
    person = make_user(app, NEW_TRAINEE_ID, "建设局员工", id_number=NEW_TRAINEE_ID, roles=[("trainee", unit_id)])
    assert _ids(api.as_("authority_reviewer_b").get("/people")) == {NEW_TRAINEE_ID}
    assert NEW_TRAINEE_ID not in _ids(api.as_("authority_admin").get("/people"))
    assert api.as_("authority_admin").get(f"/people/{person}").status_code == 404
    assert api.as_("authority_admin").post(f"/people/{person}/reset-password").status_code == 404
    assert api.as_("authority_reviewer_b").get(f"/people/{person}/record").status_code == 200
    assert api.as_("authority_reviewer_b").get("/people", query_string={"unit_id": world.unit1}).status_code == 422
    # the province above both cities sees both subtrees
    assert _ids(api.as_("supervisor_reviewer").get("/people")) == {T1, T2, T3, T4, NEW_TRAINEE_ID}
