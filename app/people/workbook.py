"""The staff file as Excel: the template to fill (批量导入模板), reading an upload, the error report.

An upload is checked by content, never by its name: it must be a ZIP whose parts unpack to a bounded
size and that openpyxl opens (read-only mode, rows streamed). Cells are read as typed: a cell holding
a formula (``=cmd|' /C calc'!A0``) arrives as its text and is kept as text, never evaluated; when a
value is written back (the error report) it is a string cell (``audit.export``'s rule), so no
spreadsheet reads it as a formula.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from ..audit.export import (
    XLSX_TYPE,
    text_cell,  # the audit export's guard: text stays text
)
from ..i18n import _

__all__ = ["FIELDS", "HEADER", "XLSX_TYPE", "BadFile", "error_report", "rows", "template"]

HEADER = ("身份证号", "姓名", "手机号", "部门", "学历", "职称")
FIELDS = ("id_number", "name", "phone", "department", "education", "title")
REQUIRED_COLUMNS = 2
# The seeds' lists (000 报名, 001 查询): 最高学历 and 现专业技术职称资格
EDUCATION_LEVELS = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "高中及以下")
TITLES = ("无", "正高级工程师", "高级工程师", "工程师", "助理工程师", "技术员")
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # what the ZIP's parts may unpack to (a bomb stops here)
TEMPLATE_ROWS = 1000  # rows formatted as text / offered the lists in the template


class BadFile(Exception):
    """The file as a whole cannot be read (not an xlsx, too large, too many rows, wrong header)."""


def _header_row(sheet: Any) -> None:
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")


def template() -> bytes:
    """批量导入模板: the header on the first sheet (ID and phone columns as text, lists for 学历 and
    职称), and a second sheet explaining each column with an example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员信息"
    _header_row(sheet)
    for row in range(2, TEMPLATE_ROWS + 2):
        sheet.cell(row=row, column=1).number_format = "@"
        sheet.cell(row=row, column=3).number_format = "@"
    for column, choices in (("E", EDUCATION_LEVELS), ("F", TITLES)):
        check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                               showErrorMessage=True, error="请从列表中选择")
        sheet.add_data_validation(check)
        check.add(f"{column}2:{column}{TEMPLATE_ROWS + 1}")
    for column, width in zip("ABCDEF", (24, 14, 16, 20, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(("列", "是否必填", "说明", "示例"))
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.append(("身份证号", "必填",
                  "18位居民身份证号（校验位须正确）；作为登录账号，初始密码为后六位，首次登录须修改",
                  "330106199003070014"))
    notes.append(("姓名", "必填", "真实姓名，2至30个字", "张伟"))
    notes.append(("手机号", "选填", "11位手机号码", "13800000014"))
    notes.append(("部门", "选填", "本单位已有的内设部门名称（须与部门管理中的名称一致）", "工程部"))
    notes.append(("学历", "选填", "、".join(EDUCATION_LEVELS), "大学本科"))
    notes.append(("职称", "选填", "、".join(TITLES), "工程师"))
    notes.append(())
    notes.append(("注意", "",
                  "在第一个工作表“人员信息”第2行起每行填写一人，不要修改表头。任何一行有误时整个文件都不导入，"
                  "请下载错误报告，改正后重新导入整个文件。"
                  "已在系统中注册的人员不能导入（其他单位人员请办理人员调转）。", ""))
    for column, width in zip("ABCD", (12, 10, 80, 22), strict=True):
        notes.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open(data: bytes) -> Any:
    message = _("The file is not an Excel workbook (.xlsx); download the template and fill it in.")
    if not data.startswith(b"PK\x03\x04"):
        raise BadFile(message)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise BadFile(_("The workbook unpacks to too much data."))
        # data_only=False: a formula is read as the text it is, never as a cached result
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise BadFile(message) from None


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def rows(data: bytes, max_rows: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The file's filled rows as (row number, six raw values), streamed; BadFile for the file."""
    book = _open(data)
    try:
        if not book.worksheets:
            raise BadFile(_("The workbook has no sheet."))
        lines = book.worksheets[0].iter_rows(min_col=1, max_col=len(HEADER), values_only=True)
        header = tuple(text(v) for v in next(lines, ()))
        if header[:len(HEADER)] != HEADER:
            raise BadFile(_("The first row must be the template's header: %(header)s.", header="、".join(HEADER)))
        count = 0
        for number, values in enumerate(lines, start=2):
            values = tuple(values) + (None,) * (len(HEADER) - len(values))
            if all(text(v) == "" for v in values):
                continue
            count += 1
            if count > max_rows:
                raise BadFile(_("The file has more than %(n)s people; split it into several files.", n=max_rows))
            yield number, values
        if count == 0:
            raise BadFile(_("The file has no one to import: fill in a row per person under the header."))
    finally:
        book.close()


def error_report(errors: list[dict[str, Any]]) -> bytes:
    """导入错误报告: per refused row its number, the values as sent (as text) and every reason."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误报告")
    bold = Font(bold=True)
    header = []
    for title in ("行号", *HEADER, "错误原因"):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    labels = dict(zip(FIELDS, HEADER, strict=True))
    for error in errors:
        reasons = "；".join(f"{labels.get(p['field'], p['field'])}：{p['message']}" for p in error["problems"])
        values = [text_cell(sheet, v) if isinstance(v, str) else v for v in error["values"]]
        sheet.append([error["row"], *values, text_cell(sheet, reasons)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
