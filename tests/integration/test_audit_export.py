"""Exports of the audit search: CSV (UTF-8 with BOM) and .xlsx, streamed in keyset batches, with the
search's filters, and never a formula in a cell."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit import export
from app.extensions import db
from app.models import ProcessEvent
from tests.support.world import T1

AUDITOR = "auditor"
FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def tricky(api):
    """T1's claim rejected by the unit with a comment that is a formula (a DDE attack) and Chinese."""
    claim = api.submitted_claim(T1)
    response = api.decide("unit_reviewer", claim["id"], "reject", comment=FORMULA)
    assert response.status_code == 200, response.get_json()
    second = api.submitted_claim(T1, title="【省级】资格证书考试（二）")
    assert api.decide("unit_reviewer", second["id"], "reject", comment="-2+3 材料不全").status_code == 200
    return claim


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _count(app, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessEvent).where(*where))


def test_csv_export_has_every_matching_event_and_no_formula(app, api, tricky):
    response = api.as_(AUDITOR).get("/audit/events.csv", query_string={"process_key": "credit_claim"})
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["编号", "时间", "操作人编号", "人员"] and header[-3:] == ["原值", "新值", "数据"]
    assert len(body) == _count(app, ProcessEvent.process_key == "credit_claim")
    rejected = [row for row in body if row[5] == "unit_review" and row[11] == "不通过"]
    assert {row[12] for row in rejected} == {"'" + FORMULA, "'-2+3 材料不全"}  # neutralised (OWASP)
    assert all(row[7] == "学时登记" for row in body)
    assert [int(row[0]) for row in body] == sorted((int(row[0]) for row in body), reverse=True)


def test_xlsx_export_keeps_formulas_as_text(app, api, tricky):
    response = api.as_(AUDITOR).get("/audit/events.xlsx", query_string={"record_type": "claim",
                                                                        "record_id": tricky["id"]})
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == export.XLSX_TYPE
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) - 1 == _count(app, ProcessEvent.record_type == "claim",
                                                             ProcessEvent.record_id == tricky["id"])
    comment = next(cell for cell in sheet["M"] if cell.value == FORMULA)
    assert comment.data_type == "s"  # a string cell, not a formula
    times = [row[1] for row in rows[1:]]
    assert all(hasattr(value, "year") for value in times)  # real date cells


def test_exports_read_in_batches_and_keep_the_filters(app, api, tricky, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 3)  # several keyset batches even for a few rows
    t1 = api.as_(T1).get("/me").get_json()["id"]
    rows = _csv(api.as_(AUDITOR).get("/audit/events.csv", query_string={"actor_id": t1}))[1:]
    ids = [int(row[0]) for row in rows]
    assert len(ids) == len(set(ids)) == _count(app, ProcessEvent.actor_id == t1) > 3
    assert {row[3] for row in rows} == {"张伟"}


def test_the_pages_export_buttons_download_the_same_result(app, web, tricky):
    client = web("process_admin")  # process administrators may export too (read-only)
    query = f"record_type=claim&record_id={tricky['id']}"
    page = client.text(f"/audit?{query}")
    assert f'href="/audit/events.csv?{query.replace("&", "&amp;")}"' in page
    rows = _csv(client.get(f"/audit/events.csv?{query}"))
    assert len(rows) - 1 == _count(app, ProcessEvent.record_type == "claim", ProcessEvent.record_id == tricky["id"])
    book = client.get(f"/audit/events.xlsx?{query}")
    assert book.status_code == 200 and book.get_data()[:2] == b"PK"  # a zip (the workbook)


def test_a_bad_search_exports_nothing(api, web, world):
    refused = api.as_(AUDITOR).get("/audit/events.csv", query_string={"date_from": "2026-13-01"})
    assert refused.status_code == 422 and "date_from" in refused.get_json()["error"]["fields"]
    page = web(AUDITOR).get("/audit/events.xlsx?record_id=3")
    assert page.status_code == 302 and "/audit?record_id=3" in page.headers["Location"]


def test_an_excel_sheet_holds_at_most_its_rows(app, api, tricky, monkeypatch):
    monkeypatch.setattr(export, "SHEET_ROWS", 2)
    book = load_workbook(io.BytesIO(api.as_(AUDITOR).get("/audit/events.xlsx", query_string={
        "record_type": "claim", "record_id": tricky["id"]}).get_data()))
    sizes = [len(list(sheet.iter_rows())) - 1 for sheet in book.worksheets]
    assert len(sizes) > 1 and all(size <= 2 for size in sizes)
    assert sum(sizes) == _count(app, ProcessEvent.record_type == "claim", ProcessEvent.record_id == tricky["id"])


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=b", "a=b"), ("", ""), (12, 12), ("张伟", "张伟"),
])
def test_neutralise_follows_the_owasp_rule(value, expected):
    assert export.neutralise(value) == expected
