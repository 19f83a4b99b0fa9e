"""Excel workbooks for import tests (openpyxl), and reading one back."""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook, load_workbook

RESULTS_HEADER = ("身份证号", "姓名", "成绩", "是否合格")


def workbook(rows: Iterable[Iterable[Any]], header: Iterable[Any] | None = RESULTS_HEADER,
             sheet_name: str = "学员成绩") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_of(data: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
