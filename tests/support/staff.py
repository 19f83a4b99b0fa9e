"""Staff files for the import tests and the bench: valid resident ID numbers by the thousand, the
template's header, departments of a unit."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.extensions import db
from app.models import Department
from app.people.workbook import HEADER

from .people import resident_id
from .xlsx import workbook


def id_numbers(count: int, start: int = 0) -> Iterator[str]:
    """Distinct valid ID numbers (Beijing 110105, born in 1980-1989 on varying days)."""
    for n in range(start, start + count):
        year, rest = 1980 + n // 336_000 % 10, n % 336_000
        month, day, seq = 1 + rest // 28_000, 1 + rest // 1000 % 28, rest % 1000
        yield resident_id(f"110105{year}{month:02d}{day:02d}{seq:03d}")


def staff_rows(count: int, start: int = 0, department: str | None = None) -> list[list[Any]]:
    return [[number, f"员工{n:05d}", f"139{n:08d}", department, "大学本科", "工程师"]
            for n, number in enumerate(id_numbers(count, start), start=start)]


def staff_file(rows: list[list[Any]], header: tuple[str, ...] | None = HEADER) -> bytes:
    return workbook(rows, header, sheet_name="人员信息")


def add_department(org_id: int, name: str, *, active: bool = True) -> int:
    """Add (and commit) a department of ``org_id``; call inside an app context."""
    row = Department(org_id=org_id, name=name, is_active=active)
    db.session.add(row)
    db.session.commit()
    return row.id
