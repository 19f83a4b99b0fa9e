"""The trainees' results as Excel: the template to fill, the import, and the error report.

A file is checked whole before anything is kept: its content must be an ``.xlsx`` (a ZIP whose
parts unpack to a bounded size, read by openpyxl in read-only mode), its header the four
columns 身份证号, 姓名, 成绩, 是否合格, and every row a trainee with an approved enrolment in
the class, named as enrolled, once, with a score from 0 to 100 and 是 or 否. One wrong row
refuses the file, and every wrong row is listed (row, field, message).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from ...domain.idnumber import is_valid, normalise
from ...i18n import _

HEADER = ("身份证号", "姓名", "成绩", "是否合格")
FIELDS = ("id_number", "name", "score", "passed")
PASSED = {"是": True, "合格": True, "否": False, "不合格": False}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # what the ZIP's parts may unpack to (a bomb stops here)


class BadFile(Exception):
    """The file as a whole cannot be read (not an xlsx, too large, wrong header)."""


@dataclass(frozen=True)
class Row:
    row: int
    enrollment: Any
    id_number: str
    name: str
    score: Decimal
    passed: bool


def template(enrollments: list[Any]) -> bytes:
    """成绩导入模板: the header, one row per approved enrolment (ID and name filled), the ID column
    as text (Excel would turn 18 digits into a rounded number) and 是/否 offered in the last."""
    book = Workbook()
    sheet = book.active
    sheet.title = "学员成绩"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for enrollment in enrollments:
        sheet.append([enrollment.id_number, enrollment.name, None, None])
    for row in range(2, max(len(enrollments), 200) + 2):
        sheet.cell(row=row, column=1).number_format = "@"
    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                            errorTitle="是否合格", error="请填写“是”或“否”")
    sheet.add_data_validation(choice)
    choice.add(f"D2:D{max(len(enrollments), 200) + 1}")
    for column, width in zip("ABCD", (24, 14, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def error_report(errors: list[dict[str, Any]]) -> bytes:
    """导入错误报告: one line per problem of the refused file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误报告")
    sheet.append(("行号", "列", "问题"))
    labels = dict(zip(FIELDS, HEADER, strict=True))
    for error in errors:
        sheet.append((error["row"], labels.get(error["field"], error["field"]), error["message"]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open(data: bytes) -> Any:
    if not data.startswith(b"PK\x03\x04"):
        raise BadFile(_("The file is not an Excel workbook (.xlsx); download the template and fill it in."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise BadFile(_("The workbook unpacks to too much data."))
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise BadFile(_("The file is not an Excel workbook (.xlsx); download the template and fill it in.")) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _id_number(value: Any) -> tuple[str, str | None]:
    if isinstance(value, float) and not value.is_integer() or (isinstance(value, float) and value > 2 ** 53):
        return "", _("The ID number was stored as a number and lost digits: format the column as text.")
    number = normalise(_text(value))
    if not number:
        return "", _("Required.")
    if not is_valid(number):
        return number, _("Not a valid resident ID number.")
    return number, None


def _score(value: Any) -> tuple[Decimal | None, str | None]:
    try:
        score = Decimal(_text(value))
    except InvalidOperation:
        return None, _("A score from 0 to 100.") if _text(value) else _("Required.")
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        return None, _("A score from 0 to 100.")
    return score.quantize(Decimal("0.1")), None


def read(data: bytes, enrolled: dict[str, Any], max_rows: int) -> tuple[list[Row], list[dict[str, Any]]]:
    """The file's rows, or every problem found: ``(rows, [])`` or ``([], errors)``.

    ``enrolled`` maps ID numbers to the class's approved enrolments."""
    book = _open(data)
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(min_col=1, max_col=4, values_only=True)
        header = tuple(_text(v) for v in next(lines, ()))
        if header[:4] != HEADER:
            raise BadFile(_("The first row must be the template's header: %(header)s.", header="、".join(HEADER)))
        rows: list[Row] = []
        errors: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for number, values in enumerate(lines, start=2):
            values = tuple(values) + (None,) * (4 - len(values))
            if all(_text(v) == "" for v in values):
                continue
            if len(rows) + len({e["row"] for e in errors}) >= max_rows:
                raise BadFile(_("The file has more than %(n)s rows of results.", n=max_rows))
            problems: list[tuple[str, str]] = []
            id_number, problem = _id_number(values[0])
            if problem:
                problems.append(("id_number", problem))
            enrollment = enrolled.get(id_number) if not problem else None
            if not problem and enrollment is None:
                problems.append(("id_number", _("Not a trainee with an approved enrolment in this class.")))
            elif not problem and id_number in seen:
                problems.append(("id_number", _("Also in row %(row)s: each trainee once.", row=seen[id_number])))
            name = _text(values[1])
            if not name:
                problems.append(("name", _("Required.")))
            elif enrollment is not None and name != enrollment.name:
                problems.append(("name", _("The enrolment is in the name of %(name)s.", name=enrollment.name)))
            score, problem = _score(values[2])
            if problem:
                problems.append(("score", problem))
            passed = PASSED.get(_text(values[3]))
            if passed is None:
                problems.append(("passed", _("是 or 否.")))
            if id_number and id_number not in seen:
                seen[id_number] = number
            if problems:
                errors.extend({"row": number, "field": field, "message": str(message)} for field, message in problems)
            else:
                rows.append(Row(number, enrollment, id_number, name, score, passed))
        if not rows and not errors:
            raise BadFile(_("The file has no results: fill in a row per trainee under the header."))
        return ([], errors) if errors else (rows, [])
    finally:
        book.close()
