"""The demo organisations and people, as ids the tests can use.

The demo data is made once per database through the real processes (``flask --app app demo``'s
``load_demo``) and kept as rows (and stored files); every later test gets the same rows back
in a few bulk inserts instead of running the processes again.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from app.cli import demo
from app.courses.models import Course
from app.db import transaction
from app.extensions import db
from app.models import Attachment
from app.storage import storage

PASSWORD = demo.DEMO_PASSWORD
T1, T2, T3 = (t[0] for t in demo.TRAINEES[:3])  # T1, T2 in unit 1; T3 in unit 2
T4 = demo.TRANSFERRED[0]  # enrolled in unit 2, transferred to unit 1 by the demo data
DEMO_FOLDERS = ("prefilings", "declarations", "courses")  # where the demo data's own stored files are


@dataclass
class World:
    org: dict[str, int] = field(default_factory=dict)
    user: dict[str, int] = field(default_factory=dict)

    @property
    def unit1(self) -> int:
        return self.org[demo.UNIT_1]

    @property
    def unit2(self) -> int:
        return self.org[demo.UNIT_2]

    @property
    def city(self) -> int:
        return self.org[demo.CITY]

    @property
    def city_b(self) -> int:
        return self.org[demo.CITY_B]

    @property
    def province(self) -> int:
        return self.org[demo.PROVINCE]


@dataclass
class _Snapshot:
    world: World
    rows: dict[str, list[dict[str, Any]]]
    blobs: dict[str, tuple[bytes, str]]  # storage key -> (content, content type)


_SNAPSHOTS: dict[str, _Snapshot] = {}  # by database URL


def _take() -> _Snapshot:
    with transaction():
        made = demo.load_demo()
    world = World(org={name: o.id for name, o in made.orgs.items()},
                  user={name: u.id for name, u in made.users.items()})
    rows = {table.name: [dict(row._mapping) for row in db.session.execute(
        table.select().order_by(*table.primary_key.columns))] for table in db.metadata.sorted_tables}
    store = storage()
    blobs = {row["storage_key"]: (store.get(row["storage_key"]), row["content_type"])
             for row in rows[Attachment.__tablename__]}
    blobs.update({row["media_key"]: (store.get(row["media_key"]), row["media_type"])  # the courses' videos, PDFs
                  for row in rows[Course.__tablename__] if row["media_key"]})
    db.session.remove()
    return _Snapshot(world, rows, blobs)


def _restore(snapshot: _Snapshot) -> None:
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if snapshot.rows[table.name]:
                conn.execute(table.insert(), snapshot.rows[table.name])
        if conn.dialect.name == "postgresql":  # the ids were given: move each sequence past them
            for table in db.metadata.sorted_tables:
                if "id" in table.c and snapshot.rows[table.name]:
                    statement = (f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                                 f"(SELECT MAX(id) FROM {table.name}))")  # our own table names
                    conn.execute(text(statement))
    store = storage()  # whichever backend this test uses
    for key, (data, content_type) in snapshot.blobs.items():
        store.put(key, data, content_type)


def build_world() -> World:
    """The demo data in the (empty) database of the current app."""
    url = str(db.engine.url)
    if url not in _SNAPSHOTS:
        _SNAPSHOTS[url] = _take()
    else:
        _restore(_SNAPSHOTS[url])
    return copy.deepcopy(_SNAPSHOTS[url].world)
