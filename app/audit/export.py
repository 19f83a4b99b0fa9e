"""The search result as CSV or Excel, streamed: rows are read in keyset batches and written as they
come, so an export of a million events holds one batch in memory.

CSV is UTF-8 with a byte-order mark (Excel then reads Chinese correctly). No cell is ever a formula:
in CSV a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'`` (OWASP's rule against CSV injection); in .xlsx every text is a string cell (openpyxl would
otherwise store a text starting with ``=`` as a formula, and ``#N/A`` as an error). The .xlsx is
written by openpyxl in write-only mode (rows go to a temporary file, inline strings, no shared
string table) into a temporary file, which is then streamed in chunks.
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ..clock import timezone, utcnow
from ..db import read_only
from ..i18n import _
from . import search
from .present import COLUMNS, EXPORT_COLUMNS, Describer

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
BATCH = 1000
CHUNK = 64 * 1024
SHEET_ROWS = 1_000_000  # Excel holds 1,048,576 rows a sheet: more go on the next sheet
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def neutralise(value: Any) -> Any:
    """A CSV cell that no spreadsheet reads as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _headers() -> list[str]:
    return [str(column) for column in COLUMNS]


def _rows(filters: search.Filters) -> Iterator[list[list[Any]]]:
    """The matching events as export rows, a batch at a time (newest first)."""
    describer, local = Describer(), timezone()
    with read_only():  # a long read: on SQLite it must not hold the write lock
        for batch in search.batches(filters, BATCH, EXPORT_COLUMNS):
            describer.prepare(batch)
            yield [describer.cells(row, local) for row in batch]


def csv_chunks(filters: search.Filters) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_headers())
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    for rows in _rows(filters):
        buffer.seek(0)
        buffer.truncate()
        for cells in rows:
            cells[1] = cells[1].strftime(TIME_FORMAT)
            writer.writerow(["'" + cell if cell.__class__ is str and cell[:1] in _FORMULA_FIRST else cell
                             for cell in cells])  # neutralise(), inline: a million rows
        yield buffer.getvalue().encode("utf-8")


def text_cell(sheet: Any, value: str) -> Any:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("=") and value not in ERROR_CODES:
        return value  # openpyxl stores any other text as an (inline) string
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _sheet(book: Workbook, number: int) -> Any:
    sheet = book.create_sheet(_("Events") if number == 1 else f"{_('Events')} {number}")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in _headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def write_xlsx(filters: search.Filters, target: Any) -> int:
    """Write the workbook into ``target`` (a binary file); returns the rows written."""
    book = Workbook(write_only=True)
    sheet, count, number = _sheet(book, 1), 0, 1
    for rows in _rows(filters):
        for cells in rows:
            if count and count % SHEET_ROWS == 0:
                number += 1
                sheet = _sheet(book, number)
            sheet.append([text_cell(sheet, cell) if isinstance(cell, str) else cell for cell in cells])
            count += 1
    book.save(target)
    return count


def xlsx_chunks(filters: search.Filters) -> Iterator[bytes]:
    with tempfile.TemporaryFile(prefix="audit-", suffix=".xlsx") as target:
        write_xlsx(filters, target)
        target.seek(0)
        while chunk := target.read(CHUNK):
            yield chunk


def filename(extension: str, now: datetime | None = None) -> str:
    return f"audit-events-{(now or utcnow()).astimezone(timezone()):%Y%m%d-%H%M%S}.{extension}"


def response(filters: search.Filters, kind: str) -> Response:
    """A streamed download of the search result (``kind`` csv or xlsx)."""
    chunks = csv_chunks(filters) if kind == "csv" else xlsx_chunks(filters)
    mimetype = CSV_TYPE if kind == "csv" else XLSX_TYPE
    name = filename(kind)
    result = Response(stream_with_context(chunks), mimetype=mimetype)
    if kind == "csv":
        result.headers["Content-Type"] = f"{CSV_TYPE}; charset=utf-8"
    result.headers["Content-Disposition"] = f"attachment; filename={name}; filename*=UTF-8''{quote(name)}"
    result.headers["Cache-Control"] = "private, no-store"
    result.headers["X-Content-Type-Options"] = "nosniff"
    return result
