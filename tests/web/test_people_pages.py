"""The people pages: 批量导入 (template, upload, refused file's rows and report), 人员信息查询 (filters,
详细 / 学习记录 / 重置密码), and the login page's 忘记密码 help (whom to ask, nothing more, throttled)."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.support.staff import staff_file, staff_rows
from tests.support.world import T1, T3


def _upload(client, data: bytes):
    return client.post("/people/import", {"file": (io.BytesIO(data), "staff.xlsx")},
                       content_type="multipart/form-data")


def test_the_import_page_offers_the_template_and_imports_a_good_file(app, web):
    client = web("unit_admin")
    page = client.text("/people/import")
    assert "/people/import/template.xlsx" in page and 'enctype="multipart/form-data"' in page
    assert client.get("/people/import/template.xlsx").mimetype.endswith("spreadsheetml.sheet")
    rows = staff_rows(2)
    response = _upload(client, staff_file(rows))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "2" in text and 'class="flash flash-success"' in text
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == rows[0][0])) is not None


def test_a_refused_file_lists_its_rows_and_links_the_report(app, web):
    client = web("unit_admin")
    rows = staff_rows(3)
    rows[1][0] = "123"
    response = _upload(client, staff_file(rows))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "<td>3</td>" in text and "身份证号" in text
    link = re.search(r'href="(/people/import/\d+/report\.xlsx)"', text).group(1)
    assert client.get(link).status_code == 200
    assert "/report.xlsx" in client.text("/people/import")  # the recent imports keep the report
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == rows[0][0])) is None


def test_a_non_excel_file_is_refused_with_a_message(web):
    response = _upload(web("unit_admin"), b"MZ\x90\x00 an executable renamed")
    assert response.status_code == 422 and "Excel" in response.get_data(as_text=True)


def test_the_query_page_filters_and_links_details_record_and_reset(app, web, world):
    client = web("authority_admin")
    page = client.text("/people?name=张")
    assert T1 in page and T3 not in page
    with app.app_context():
        t1 = db.session.scalar(select(User.id).where(User.username == T1))
    for link in (f"/people/{t1}", f"/people/{t1}/record", f"/people/{t1}#reset"):
        assert f'href="{link}"' in page
    assert T3 in client.text(f"/people?unit_id={world.unit2}")
    assert 'href="/people/export.xlsx?name=' in page
    assert client.get("/people/export.xlsx?name=张").mimetype.endswith("spreadsheetml.sheet")
    assert client.get("/people?unit_id=abc").status_code == 422
    reviewer = web("authority_reviewer").text(f"/people/{t1}")
    assert "reset-password" not in reviewer  # reviewers read; administrators reset
    assert "张伟" in client.text(f"/people/{t1}/record")


def test_a_reset_shows_the_temporary_password_once_uncached(app, web):
    client = web("unit_admin")
    with app.app_context():
        t1 = db.session.scalar(select(User.id).where(User.username == T1))
    client.get(f"/people/{t1}")
    response = client.post(f"/people/{t1}/reset-password", {})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    password = re.search(r'<code class="temporary-password">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert password not in client.text(f"/people/{t1}")  # shown once
    assert web().login(T1, password).status_code == 302
    with app.app_context():
        before = db.session.scalar(select(User.password_hash).where(User.id == t1))
    forged = client.post(f"/people/{t1}/reset-password", {}, csrf=False)
    assert forged.status_code == 302 and "temporary-password" not in forged.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.password_hash).where(User.id == t1)) == before  # CSRF refused


def test_the_login_page_links_the_password_help(web):
    assert 'href="/login?help=1"' in web().text("/login")


def test_password_help_names_the_unit_and_its_administrators_only(app, web):
    client = web()
    client.get("/login?help=1")
    text = client.post("/login?help=1", {"username": T1}).get_data(as_text=True)
    assert "演示交通工程有限公司" in text and "工程公司管理员" in text
    with app.app_context():
        phone = db.session.scalar(select(User.phone).where(User.username == T1))
    assert phone not in text and "演示公路养护有限公司" not in text
    unknown = client.post("/login?help=1", {"username": "110105194912310029"})
    assert unknown.status_code == 200 and 'id="help-answer"' in unknown.get_data(as_text=True)
    assert "工程公司管理员" not in unknown.get_data(as_text=True)
    assert client.post("/login?help=1", {"username": T1}, csrf=False).status_code == 302  # CSRF refused


def test_password_help_is_throttled_like_logins(app, web):
    app.config["AUTH"] = {**app.config["AUTH"], "MAX_FAILED_LOGINS": 2}
    try:
        client = web()
        statuses = [client.post("/login?help=1", {"username": T3}).status_code for _ in range(3)]
    finally:
        app.config["AUTH"] = {**app.config["AUTH"], "MAX_FAILED_LOGINS": 5}
    assert statuses == [200, 200, 429]


def test_the_header_links_the_pages_for_whom_they_serve(web):
    admin = web("unit_admin").text("/inbox")
    assert 'href="/people/import"' in admin and 'href="/people"' in admin
    authority = web("authority_reviewer").text("/inbox")
    assert 'href="/people"' in authority and 'href="/people/import"' not in authority
    reviewer = web("unit_reviewer").text("/inbox")
    assert 'href="/people"' not in reviewer and 'href="/people/import"' not in reviewer
