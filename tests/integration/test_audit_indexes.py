"""Each filter of the audit search is an index range read, on a first page and on a deep one: the
database's own plan (SQLite ``EXPLAIN QUERY PLAN``; PostgreSQL ``EXPLAIN`` when the suite runs on it)
names the filter's index, with no table scan and no sort.

The log gets 12,000 synthetic events over a month (the person, organisation, action and process
searched for are one event in a hundred each; a record has eight) and the statistics are refreshed,
so that the planners choose as they would on a large log rather than scanning a small table. (For a
value that most events share, PostgreSQL rightly reads the time index and filters: the benchmark
measures both.)
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from app.audit import search
from app.extensions import db
from app.models import Organisation, ProcessEvent, User

EVENTS = 12_000
START = datetime(2026, 1, 1, tzinfo=UTC)
ACTIONS = ("create", "submit", "unit_review", "authority_review", "take", "release", "edit", "file_add")
PROCESSES = ("credit_claim", "enrollment", "class_enrollment", "provider_prefiling")
RARE = 100  # a searched value: one event in a hundred (what an auditor looks for is a needle)


def _pick(i: int, rare: Any, common: list[Any], offset: int) -> Any:
    return rare if i % RARE == offset else common[i % len(common)]


@pytest.fixture
def big_log(app, world):
    with app.app_context():
        users = db.session.scalars(select(User.id).order_by(User.id)).all()
        orgs = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
        user, org = users[3], orgs[2]
        others, other_orgs = [u for u in users if u != user], [o for o in orgs if o != org]
        rows = [{"instance_id": None, "process_key": _pick(i, "staff_transfer", list(PROCESSES), 1),
                 "record_type": "claim", "record_id": 1000 + i // 8, "at": START + timedelta(minutes=4 * i),
                 "actor_id": _pick(i, user, others, 2), "actor_name": "某人",
                 "actor_org_id": _pick(i, org, other_orgs, 3), "actor_org_name": "某单位",
                 "action": _pick(i, "withdraw", list(ACTIONS), 4), "data": {}, "hash": f"{i:064x}"}
                for i in range(EVENTS)]
        for start in range(0, EVENTS, 2000):
            db.session.execute(insert(ProcessEvent), rows[start:start + 2000])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        yield {"user": user, "org": org}
        db.session.remove()


DAY = (START + timedelta(days=10), START + timedelta(days=11))
# filter -> (Filters, the index that must serve it)
CASES = {
    "everything": ({}, "ix_process_event_at"),
    "time range": ({"start": DAY[0], "end": DAY[1]}, "ix_process_event_at"),
    "person": ({"actor_ids": "user"}, "ix_process_event_actor"),
    "person and time": ({"actor_ids": "user", "start": DAY[0], "end": DAY[1]}, "ix_process_event_actor"),
    "action": ({"action": "withdraw"}, "ix_process_event_action"),
    "action and time": ({"action": "withdraw", "start": DAY[0], "end": DAY[1]}, "ix_process_event_action"),
    "process": ({"process_key": "staff_transfer"}, "ix_process_event_process"),
    "record": ({"record_type": "claim", "record_id": 1200}, "ix_process_event_record"),
    "organisation": ({"org_ids": "org"}, "ix_process_event_org"),
    "organisation and time": ({"org_ids": "org", "start": DAY[0], "end": DAY[1]}, "ix_process_event_org"),
}


def _filters(spec: dict, ids: dict) -> search.Filters:
    values = {key: ((ids[value],) if key.endswith("_ids") else value) for key, value in spec.items()}
    return search.Filters(**values)


def _assert_index_range(plan: str, index: str, dialect: str, case: str) -> None:
    assert index in plan, (case, plan)
    if dialect == "sqlite":
        assert "TEMP B-TREE" not in plan, (case, plan)  # no sort: the index gives the order
        assert "SCAN process_event" not in plan or f"SCAN process_event USING INDEX {index}" in plan, (case, plan)
    else:  # PostgreSQL may prefer a bitmap read and a top-N sort of the few rows a narrow range holds
        assert "Seq Scan" not in plan, (case, plan)


def test_each_filter_reads_its_index_on_first_and_deep_pages(app, big_log):
    with app.app_context():
        dialect = db.engine.dialect.name
        token = (START + timedelta(days=12), 6000)  # a deep page: from the middle of the log
        for case, (spec, index) in CASES.items():
            filters = _filters(spec, big_log)
            first = search.newest(search.query(filters)).limit(search.PAGE_SIZE + 1)
            _assert_index_range(search.explain(first), index, dialect, case)
            deep = search.after(search.query(filters), *token).limit(search.PAGE_SIZE + 1)
            _assert_index_range(search.explain(deep), index, dialect, case)
            # and the rows are the right ones: newest first, all older than the token
            rows = db.session.execute(deep).all()
            assert rows and all((r.at, r.id) < token for r in rows), case
            assert [(r.at, r.id) for r in rows] == sorted(((r.at, r.id) for r in rows), reverse=True), case


def test_the_export_batches_read_the_index_too(app, big_log):
    """The export reads its rows in keyset batches: every batch is the same index range read."""
    with app.app_context():
        filters = search.Filters(actor_ids=(big_log["user"],))
        batches = list(search.batches(filters, size=100))
        total = db.session.scalar(select(db.func.count()).select_from(ProcessEvent)
                                  .where(ProcessEvent.actor_id == big_log["user"]))
        assert sum(len(b) for b in batches) == total and len(batches) == -(-total // 100)
        ids = [r.id for b in batches for r in b]
        assert len(ids) == len(set(ids))
