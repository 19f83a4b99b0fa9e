"""Bulk loader for the growth study: fill a database with realistic finished and open claims.

    python bench/bulk_load.py [--db URL] --finished N --open M [--measured-share 0.1] [--seed 1]

Fills the database *up to* N finished credit claims and M open tasks (it only adds what is
missing, so calling it again with bigger numbers grows the same database). PostgreSQL is the
main target (rows go in with COPY); a ``sqlite:///file`` URL works too (executemany, slower).
PostgreSQL database names must start with ``bench_growth``; a missing one is created, migrated
and given the demo data (``flask --app app demo``).

How the rows are made. Nothing is invented column by column: every run first drives real
lifecycles through the app's services (a fresh template trainee enrols through the
enrolment process; claims are approved, sent back and approved, rejected by the unit,
rejected by the authority, withdrawn and deleted, left waiting at the unit's review), reads
back every row they wrote (claim, process_instance with its serialized engine state,
human_task with its task_candidate rows, process_event, hour_entry, enrollment) and clones those rows with fresh ids,
people, organisations, routes, hours, titles, dates and engine task UUIDs. The engine state is
split once into literal text and holes (task UUIDs, record id, hours, unit id, task
timestamps), so a clone is a string join. Before cloning, each template is cloned onto itself
(same ids, people, times) and must reproduce its rows exactly, serialized state and hash chain
included, so the cloner cannot drift from what the app writes. The event hash chain of every
clone is computed by the app's own helper (``app.services.audit._digest``), so
``flask --app app audit verify`` holds for bulk rows. The lifecycles carry no proof files: the
loader's app runs with ``CLAIMS.MIN_PROOFS = 0`` (as the benchmarks do), so no blob is cloned.

What a step adds, for N finished claims and M open tasks:

* units of ~50 trainees (N/10 bulk trainees: ~10 claims each over the past nine years), one
  reviewer per unit, city authorities of ~50 units with a reviewer each, under the demo
  province; every trainee has an approved enrolment for the current year (its enrolment
  instance finished, with its task and events) and the trainee role in its unit;
* finished claims, one per (trainee, year, route) slot in past years: 80 % approved (with their
  ledger row), 5 % approved after one send-back, 4 % rejected by the unit, 3 % rejected by the
  authority, 8 % withdrawn and then deleted (instance cancelled);
* open claims in the current year, waiting at the unit's review (10 % of them after one
  send-back and resubmission); a share (``--measured-share``, default 10 %) waits for the
  measured reviewer, ``unit_reviewer`` of the demo unit 演示交通工程有限公司 (extra trainees are
  added there as needed: at most one claim per trainee and route), the rest over all bulk units.

Run it while no server writes to the database (ids are allocated from the current maxima).
Each chunk of claims is one transaction. After loading it ANALYZEs and checks a random sample
of the new instances with the app's consistency checks (engine state loads, statuses, task rows,
ledger, hash chain).
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.idnumber import check_digit, mask  # noqa: E402
from app.processes.credit_claim.routes import ROUTES  # noqa: E402
from app.services.audit import _digest  # noqa: E402  (the chain is computed by the app's own helper)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_growth"
UNIT_PREFIX, AUTHORITY_PREFIX = "规模测试单位", "规模测试市局"
BULK_REGION, TEMPLATE_REGION = "330108", "330109"  # ID-number prefixes: bulk and template trainees
TRAINEES_PER_UNIT, UNITS_PER_AUTHORITY, CLAIMS_PER_TRAINEE = 50, 50, 10
PAST_YEARS = 9  # finished claims go to the nine years before the current one
FINISHED_MIX = (("approved", 0.80), ("returned_approved", 0.05), ("unit_rejected", 0.04),
                ("authority_rejected", 0.03), ("withdrawn", 0.08))
OPEN_MIX = (("open", 0.90), ("open_returned", 0.10))
FINISHED_STATUSES = ("approved", "unit_rejected", "authority_rejected", "deleted")
CHUNK = 5000  # records per transaction
TEMPLATE_ROUTE, TEMPLATE_DETAILS = "training", {"days": 1}
# Days between one step of a lifecycle and the next, by the action of the later step.
GAP_DAYS = {"submit": (0, 5), "unit_review": (1, 10), "authority_review": (1, 15), "withdraw": (0, 3),
            "delete": (0, 1), "edit": (0, 5), "resubmit": (0, 1), "enroll": (0, 0)}
ROUTE_VARIANTS = {  # details per route; the hours come from the app's own route rules
    "exam": [{"subjects_passed": n} for n in (1, 2, 3)],
    "seminar": [{"level": level} for level in ("national", "provincial", "city")],
    "training": [{"days": n} for n in (1, 2, 3, 4, 5)],
    "research": [{"level": level, "rank": r} for level in ("provincial", "city", "county") for r in (1, 3)],
    "paper": [{"journal": j, "rank": 1, "count": 1} for j in ("core", "national", "provincial", "other")],
    "degree_course": [{"courses_passed": n} for n in (2, 4, 6, 8)],
}
TITLES = {
    "exam": ["【省级】一级建造师（公路工程）", "【国家级】监理工程师", "【省级】试验检测师（桥梁隧道）"],
    "seminar": ["交通运输行业高级研修班", "智慧公路建设专题研讨会", "综合交通规划高级研修班"],
    "training": ["公路养护技术培训班", "桥梁检测技术培训", "安全生产管理人员培训"],
    "research": ["《公路沥青路面养护技术规范》修订", "山区高速公路边坡监测研究", "农村公路建设标准研究"],
    "paper": ["高速公路桥梁病害检测方法研究", "沥青路面再生技术应用", "隧道通风节能控制策略"],
    "degree_course": ["在职研究生课程：交通规划", "在职研究生课程：道路工程", "在职研究生课程：工程管理"],
}
EDIT_SUFFIX = "（补充材料）"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉鹏飞宇浩然俊杰晨阳思远嘉怡子涵"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HOLE_RE = re.compile(r'"\\u0000(\d+)\\u0000"')


# -- the engine state as text with holes ---------------------------------------------------

class StateTemplate:
    """A serialized engine state split into literal text and holes.

    Holes: task UUIDs (as keys and values), ``record_id``, ``unit_id`` and ``hours`` in task
    data, and ``last_state_change`` (epoch seconds). Filling the holes with the template's own
    values gives back the exact original text (checked in ``Template.self_check``).
    """

    def __init__(self, state: str):
        self.holes: list[tuple[str, Any]] = []
        marked = self._mark(json.loads(state))
        text = json.dumps(marked, separators=(",", ":"))  # the app's serializer settings
        self.parts = HOLE_RE.split(text)  # literal, hole index, literal, hole index, ...
        self.slots = [int(i) for i in self.parts[1::2]]
        self.literals = self.parts[0::2]

    def _hole(self, kind: str, value: Any) -> str:
        self.holes.append((kind, value))
        return f"\x00{len(self.holes) - 1}\x00"

    def _mark(self, obj: Any, key: str | None = None) -> Any:
        if isinstance(obj, dict):
            return {(self._hole("uuid", k) if UUID_RE.match(k) else k): self._mark(v, k) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self._mark(v, key) for v in obj]
        if isinstance(obj, str) and UUID_RE.match(obj):
            return self._hole("uuid", obj)
        if key == "record_id" and isinstance(obj, int):
            return self._hole("record_id", obj)
        if key == "unit_id" and isinstance(obj, int):
            return self._hole("org", obj)
        if key == "hours" and isinstance(obj, str):
            return self._hole("hours", obj)
        if key == "last_state_change" and isinstance(obj, float):
            return self._hole("time", obj)
        return obj

    def fill(self, cx: Clone, phase_of: dict[Any, int]) -> str:
        values = []
        for kind, value in self.holes:
            if kind == "uuid":
                values.append(f'"{cx.uuid(value)}"')
            elif kind == "record_id":
                values.append(str(cx.record_id))
            elif kind == "org":
                values.append(str(cx.orgs[value][0]))
            elif kind == "hours":
                values.append(f'"{cx.hours}"')
            else:
                values.append(repr(value + cx.shift_seconds[phase_of[value]]))
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            out.append(values[slot])
            out.append(literal)
        return "".join(out)


# -- one clone's parameters ------------------------------------------------------------------

@dataclass
class Clone:
    """Who, what and when one cloned record is about."""

    record_id: int
    instance_id: int
    users: dict[int, tuple[int, str]]  # template user id -> (id, name)
    orgs: dict[int, tuple[int, str]]   # template organisation id -> (id, name)
    org_names: dict[str, str]          # template organisation name -> name
    trainee_name: str
    masked_id: str
    year: int
    route: str
    details: dict[str, Any]
    hours: Decimal
    titles: dict[str, str]             # template title -> title (original and edited)
    shifts: list[timedelta]            # per phase of the template's lifecycle
    shift_seconds: list[float]
    uuid_prefix: str | None = None     # None: keep the template's UUIDs (the self-check)
    uuids: dict[str, str] = field(default_factory=dict)

    def uuid(self, old: str) -> str:
        """A fresh UUID per template UUID: a random version-4 prefix per clone, then a
        counter in the last group (unique, and far cheaper than a uuid4() each)."""
        new = self.uuids.get(old)
        if new is None:
            new = self.uuids[old] = old if self.uuid_prefix is None else f"{self.uuid_prefix}{len(self.uuids):012x}"
        return new


def _hours_like(value: Any, cx: Clone) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return str(cx.hours)
    if isinstance(value, float):
        return float(cx.hours)
    if isinstance(value, Decimal):
        return cx.hours
    raise TypeError(f"hours of type {type(value).__name__}")


def _route_label(cx: Clone) -> str:
    return ROUTES[cx.route].label


def _keep(value: Any, cx: Clone) -> Any:
    return value


def _hours_pair(value: str, cx: Clone) -> str:
    """The inbox fact "requested / reviewed": each side the clone's hours, or "-" where none yet."""
    return " / ".join("-" if side == "-" else f"{cx.hours:.1f}" for side in value.split(" / "))


def _enrollment_title(value: str, cx: Clone) -> str:
    year, unit = value.split(" · ", 1)
    return f"{cx.year} · {cx.org_names[unit]}"


# The inbox facts of each record type, by label: how a clone gets the value.
FACTS: dict[str, dict[str, Any]] = {
    "claim": {"Claim route": lambda v, cx: _route_label(cx), "Requested / reviewed hours": _hours_pair,
              "Unit": lambda v, cx: v if v == "-" else cx.org_names[v]},
    "enrollment": {"Professional title": _keep, "Specialty": _keep, "Identity": _keep},
}


def _facts(kind: str) -> Any:
    def cloned(value: list[dict[str, Any]], cx: Clone) -> list[dict[str, Any]]:
        return [{**fact, "value": FACTS[kind][fact["label"]](fact["value"], cx)} for fact in value]
    return cloned


# JSON keys of summaries and event data, per record type: how a clone gets its value.
JSON_KEYS: dict[str, dict[str, Any]] = {
    "claim": {
        "subject": lambda v, cx: cx.trainee_name, "subject_id_number": lambda v, cx: cx.masked_id,
        "title": lambda v, cx: cx.titles[v], "facts": _facts("claim"), "route": lambda v, cx: cx.route,
        "hours_requested": _hours_like, "hours": _hours_like, "fields": _keep,
    },
    "enrollment": {
        "subject": lambda v, cx: cx.trainee_name, "subject_id_number": lambda v, cx: cx.masked_id,
        "title": _enrollment_title, "facts": _facts("enrollment"), "unit_id": lambda v, cx: cx.orgs[v][0],
    },
}


def _map_json(value: dict[str, Any], cx: Clone, keys: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, v in value.items():
        if key not in keys:
            raise KeyError(f"the cloner does not know the JSON key {key!r}: teach JSON_KEYS")
        out[key] = keys[key](v, cx)
    return out


# Column roles, per table: every column of the model must be listed (checked at start).
ROLES: dict[str, dict[str, str]] = {
    "claim": {
        "id": "record_id", "trainee_id": "user", "year": "year", "route": "route", "title": "title",
        "details": "details", "hours_requested": "hours", "hours_suggested": "hours",
        "hours_reviewed": "hours", "hours_registered": "hours", "status": "keep", "status_label": "keep",
        "unit_id": "org", "authority_id": "org", "instance_id": "instance_id", "created_at": "time",
        "updated_at": "time", "submitted_at": "time", "deleted_at": "time"},
    "enrollment": {
        "id": "record_id", "trainee_id": "user", "year": "year", "unit_id": "org", "identity_type": "keep",
        "political_status": "keep", "education": "keep", "title": "keep", "title_date": "keep",
        "specialty": "keep", "status": "keep", "status_label": "keep", "instance_id": "instance_id",
        "created_at": "time", "updated_at": "time", "approved_at": "time"},
    "process_instance": {
        "id": "instance_id", "definition_id": "keep", "process_key": "keep", "record_type": "keep",
        "record_id": "record_id", "state": "state", "status": "keep", "status_label": "keep",
        "completed": "keep", "cancelled": "keep", "next_timer_due": "none", "lock_version": "keep",
        "last_event_hash": "chain", "created_at": "time", "updated_at": "time", "ended_at": "time",
        "suspended": "keep", "error": "none"},
    "human_task": {
        "id": "seq", "instance_id": "instance_id", "engine_task_id": "uuid", "process_key": "keep",
        "task_spec": "keep", "name": "keep", "lane": "keep", "personal": "keep", "assignee_id": "user",
        "subject_user_id": "user", "subject": "trainee_name", "record_type": "keep",
        "record_id": "record_id", "year": "year", "status": "keep", "summary": "json", "created_at": "time",
        "due_at": "time", "claimed_at": "time", "completed_at": "time", "completed_by_id": "user",
        "decision": "keep"},
    "task_candidate": {
        "id": "seq", "task_id": "task", "role": "keep", "org_id": "org", "user_id": "user", "status": "keep",
        "process_key": "keep"},
    "process_event": {
        "id": "seq", "instance_id": "instance_id", "process_key": "keep", "record_type": "keep",
        "record_id": "record_id", "at": "time", "actor_id": "user", "actor_name": "actor_name",
        "actor_org_id": "org", "actor_org_name": "org_name", "action": "keep", "task_spec": "keep",
        "decision": "keep", "comment": "keep", "data": "json", "prev_hash": "chain", "hash": "chain"},
    "hour_entry": {
        "id": "seq", "user_id": "user", "year": "year", "category": "keep", "source": "keep",
        "source_id": "record_id", "route": "route", "hours": "hours", "note": "title", "reverses_id": "none",
        "created_at": "time"},
}
PEOPLE_TABLES = ("organisation", "app_user", "role_assignment")


def check_roles() -> None:
    from app.extensions import db
    for table, roles in ROLES.items():
        columns = [c.name for c in db.metadata.tables[table].columns]
        if set(columns) != set(roles):
            raise SystemExit(f"bulk_load: the columns of {table} changed ({sorted(set(columns) ^ set(roles))}); "
                             "update ROLES in bench/bulk_load.py")


# -- templates -------------------------------------------------------------------------------

@dataclass
class Template:
    """The rows one real lifecycle wrote, ready to be cloned."""

    kind: str
    record_type: str  # "claim" | "enrollment"
    record: dict[str, Any]
    instance: dict[str, Any]
    tasks: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    events: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    trainee_id: int
    user_ids: dict[str, int]  # role in the lifecycle -> template user id: trainee, unit, authority
    org_ids: dict[str, int]   # unit, authority
    org_names: dict[int, str]
    titles: tuple[str, ...]   # claim titles as written (original, edited)
    steps: list[datetime]     # when each step (one transaction, one event) began

    def __post_init__(self) -> None:
        self.state = StateTemplate(self.instance["state"])
        self.event_times = [e["at"] for e in self.events]
        self.actions = [e["action"] for e in self.events]
        bounds = [*self.steps, datetime.max.replace(tzinfo=UTC)]
        if len(self.steps) != len(self.events) or not all(
                bounds[k] <= at < bounds[k + 1] for k, at in enumerate(self.event_times)):
            raise ValueError(f"template {self.kind}: expected one event per step, in order")
        # A timestamp belongs to the step (phase) whose transaction wrote it; a clone moves
        # each phase as a whole, so the order of everything within a step is kept.
        micros = [_micros(t) for t in self.steps]
        self.phase_of: dict[Any, int] = {}
        for row in self._rows():
            for column, role in ROLES[row[0]].items():
                value = row[1][column]
                if role == "time" and value is not None:
                    self.phase_of[value] = _phase(micros, _micros(value))
        for kind, value in self.state.holes:
            if kind == "time":
                self.phase_of[value] = _phase(micros, round(value * 1_000_000))
        if self.instance["next_timer_due"] is not None:
            raise ValueError(f"template {self.kind} waits on a timer; the cloner does not shift timers")

    def _rows(self) -> list[tuple[str, dict[str, Any]]]:
        return ([(self.record_type, self.record), ("process_instance", self.instance)]
                + [("human_task", r) for r in self.tasks] + [("task_candidate", r) for r in self.candidates]
                + [("process_event", r) for r in self.events]
                + [("hour_entry", r) for r in self.ledger])

    def shifts_for(self, start: datetime, rng: random.Random) -> list[timedelta]:
        """Per phase, how far the clone's step lies from the template's (steps days apart)."""
        shifts, at = [], start
        for k, template_at in enumerate(self.event_times):
            if k:
                low, high = GAP_DAYS.get(self.actions[k], (0, 1))
                gap = timedelta(seconds=rng.uniform(low * 86400, high * 86400 + 3600))
                at = max(at + gap, at + (template_at - self.event_times[k - 1]))
            shifts.append(at - template_at)
        return shifts

    def clone(self, cx: Clone, ids: Ids) -> dict[str, list[dict[str, Any]]]:
        keys = JSON_KEYS[self.record_type]
        out: dict[str, list[dict[str, Any]]] = {self.record_type: [], "process_instance": [], "human_task": [],
                                                "task_candidate": [], "process_event": [], "hour_entry": []}
        task_ids: dict[int, int] = {}  # template task id -> the clone's
        for table, row in self._rows():
            new = {}
            for column, role in ROLES[table].items():
                value = row[column]
                if value is None or role in ("keep", "chain"):
                    new[column] = value
                elif role == "time":
                    new[column] = value + cx.shifts[self.phase_of[value]]
                elif role == "user":
                    new[column] = cx.users[value][0]
                elif role == "org":
                    new[column] = cx.orgs[value][0]
                elif role == "seq":
                    new[column] = ids.take(table)
                    if table == "human_task":
                        task_ids[value] = new[column]
                elif role == "task":
                    new[column] = task_ids[value]
                elif role == "trainee_name":
                    new[column] = cx.trainee_name
                elif role == "record_id":
                    new[column] = cx.record_id
                elif role == "instance_id":
                    new[column] = cx.instance_id
                elif role == "year":
                    new[column] = cx.year
                elif role == "route":
                    new[column] = cx.route
                elif role == "title":
                    new[column] = cx.titles[value]
                elif role == "details":
                    new[column] = cx.details
                elif role == "hours":
                    new[column] = cx.hours
                elif role == "uuid":
                    new[column] = cx.uuid(value)
                elif role == "json":
                    new[column] = _map_json(value, cx, keys)
                elif role == "state":
                    new[column] = self.state.fill(cx, self.phase_of)
                elif role == "actor_name":
                    new[column] = cx.users[row["actor_id"]][1] if row["actor_id"] is not None else value
                elif role == "org_name":
                    new[column] = cx.orgs[row["actor_org_id"]][1]
                elif role == "none":
                    new[column] = None
                else:
                    raise ValueError(role)
            out[table].append(new)
        _chain(out["process_instance"][0], out["process_event"])
        return out

    def self_check(self) -> None:
        """Cloning the template onto itself must give back exactly the rows it was read from."""
        users = {uid: (uid, name) for uid, name in self._user_names().items()}
        orgs = {oid: (oid, name) for oid, name in self.org_names.items()}
        cx = Clone(record_id=self.record["id"], instance_id=self.instance["id"], users=users, orgs=orgs,
                   org_names={n: n for n in self.org_names.values()},
                   trainee_name=users[self.trainee_id][1], masked_id=self._masked_id(),
                   year=self.record["year"], route=self.record.get("route", ""),
                   details=self.record.get("details", {}),
                   hours=self.record.get("hours_requested", Decimal("0.0")), titles={t: t for t in self.titles},
                   shifts=[timedelta(0)] * len(self.events), shift_seconds=[0.0] * len(self.events))
        ids = Ids({t: min(r["id"] for r in rows) for t, rows in
                   (("human_task", self.tasks), ("task_candidate", self.candidates),
                    ("process_event", self.events), ("hour_entry", self.ledger)) if rows})
        rows = self.clone(cx, ids)
        original = dict.fromkeys(rows)
        for table, row in self._rows():
            original[table] = [*(original[table] or []), row]
        # An instance's events need not have consecutive ids: an administrative event (of no
        # instance: the role change of an approved enrolment) may fall between them. The clones'
        # events are numbered consecutively (and carry no administrative events).
        for cloned, row in zip(rows["process_event"], original["process_event"] or [], strict=False):
            cloned["id"] = row["id"]
        for table, cloned in rows.items():
            if cloned != (original[table] or []):
                for a, b in zip(cloned, original[table] or [], strict=False):
                    diff = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
                    if diff:
                        raise SystemExit(f"bulk_load: template {self.kind}: the clone of {table} differs: "
                                         f"{str(diff)[:1500]}")
                raise SystemExit(f"bulk_load: template {self.kind}: {table} row counts differ")

    def _user_names(self) -> dict[int, str]:
        names = {}
        for event in self.events:
            if event["actor_id"] is not None:
                names[event["actor_id"]] = event["actor_name"]
        names.setdefault(self.trainee_id, self._summary_value("subject"))
        return names

    def _masked_id(self) -> str:
        return self._summary_value("subject_id_number")

    def _summary_value(self, key: str) -> Any:
        for task in self.tasks:
            if key in task["summary"]:
                return task["summary"][key]
        raise ValueError(f"template {self.kind} has no task summary with {key}")


def _micros(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _phase(event_micros: list[int], at: int) -> int:
    phase = 0
    for k, m in enumerate(event_micros):
        if m <= at:
            phase = k
    return phase


def _chain(instance: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Hash-chain the events with the app's own digest; the instance keeps the head."""
    prev = None
    for event in events:
        event["prev_hash"] = prev
        event["hash"] = prev = _digest(prev, SimpleNamespace(**event))
    instance["last_event_hash"] = prev


class Ids:
    """Next free id per table (ids are handed out in order, from the current maxima)."""

    def __init__(self, start: dict[str, int]):
        self.next = dict(start)

    def take(self, table: str, n: int = 1) -> int:
        first = self.next[table]
        self.next[table] = first + n
        return first


# -- capturing templates through the real app ------------------------------------------------

def _id_number(region: str, n: int) -> str:
    """A valid resident ID number, unique per (region, n): birth date and sequence from n."""
    born = date(1965, 1, 1) + timedelta(days=n // 1000)
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def capture_templates(app: Any) -> tuple[dict[str, Template], str]:
    """Run one lifecycle of every kind through the services; return the rows they wrote."""
    from sqlalchemy import func, select

    from app.cli.demo import CITY, DEMO_PASSWORD, PROFILE, UNIT_2, _user
    from app.clock import today
    from app.db import transaction
    from app.extensions import db
    from app.models import HourEntry, HumanTask, Organisation, ProcessEvent, ProcessInstance, TaskCandidate, User
    from app.processes.credit_claim import service as claim_service
    from app.processes.credit_claim.models import Claim
    from app.processes.enrollment import service as enrollment_service
    from app.processes.enrollment.models import Enrollment
    from app.services import runner
    from app.services.accounts import hash_password
    from app.services.actors import Actor
    from app.services.runner import DecisionForm

    def open_task(instance_id: int, spec: str) -> HumanTask:
        return db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                         HumanTask.task_spec == spec, HumanTask.status == "open"))

    with app.app_context():
        year = today().year
        unit = db.session.scalar(select(Organisation).where(Organisation.name == UNIT_2))
        city = db.session.scalar(select(Organisation).where(Organisation.name == CITY))
        unit_reviewer = db.session.scalar(select(User).where(User.username == "unit_reviewer_b"))
        authority_reviewer = db.session.scalar(select(User).where(User.username == "authority_reviewer"))
        n = db.session.scalar(select(func.count(User.id)).where(User.id_number.like(TEMPLATE_REGION + "%")))
        id_number = _id_number(TEMPLATE_REGION, n)
        with transaction():
            trainee_id = _user(id_number, f"模板学员{n + 1}", id_number=id_number, phone="13900000000").id
        password_hash = hash_password(DEMO_PASSWORD)
        unit_actor, authority_actor = Actor.load(unit_reviewer.id), Actor.load(authority_reviewer.id)
        steps: dict[str, list[datetime]] = defaultdict(list)
        current = ["enrollment"]

        def step(fn: Any, *args: Any) -> Any:
            """One entry point: one transaction, as one API request would run it."""
            db.session.rollback()  # nothing read before the step is part of it
            steps[current[0]].append(datetime.now(UTC))
            with transaction():
                return fn(*args)

        # the enrolment process: the trainee enrols, the unit approves (like the demo data)
        enrollment_id = step(lambda: enrollment_service.create(
            Actor.load(trainee_id), {"year": year, "unit_id": unit.id, **PROFILE}).id)

        def approve_enrollment() -> None:
            instance_id = db.session.get(Enrollment, enrollment_id).instance_id
            runner.complete_task(open_task(instance_id, "unit_review").id, unit_actor, DecisionForm("approve"))
        step(approve_enrollment)
        me = Actor.load(trainee_id)

        def decide(claim_id: int, spec: str, actor: Actor, decision: str, comment: str | None = None) -> None:
            def run() -> None:
                instance_id = db.session.get(Claim, claim_id).instance_id
                runner.complete_task(open_task(instance_id, spec).id, actor, DecisionForm(decision, comment))
            step(run)

        def send_back(claim_id: int, title: str) -> None:
            decide(claim_id, "unit_review", unit_actor, "approve")
            decide(claim_id, "authority_review", authority_actor, "return", "请补充培训证明材料")
            step(claim_service.update, claim_id, me, {"title": title + EDIT_SUFFIX})
            step(claim_service.submit, claim_id, me)

        scripts = {
            "approved": lambda c, t: (decide(c, "unit_review", unit_actor, "approve"),
                                      decide(c, "authority_review", authority_actor, "approve")),
            "returned_approved": lambda c, t: (send_back(c, t), decide(c, "unit_review", unit_actor, "approve"),
                                               decide(c, "authority_review", authority_actor, "approve")),
            "unit_rejected": lambda c, t: decide(c, "unit_review", unit_actor, "reject", "与本单位专业无关"),
            "authority_rejected": lambda c, t: (decide(c, "unit_review", unit_actor, "approve"),
                                                decide(c, "authority_review", authority_actor, "reject",
                                                       "证明材料不符合要求")),
            "withdrawn": lambda c, t: (step(claim_service.withdraw, c, me), step(claim_service.delete, c, me)),
            "open": lambda c, t: None,
            "open_returned": lambda c, t: send_back(c, t),
        }
        claim_ids = {}
        for kind, script in scripts.items():
            current[0] = kind
            title = f"模板登记 {kind} {uuid.uuid4().hex[:8]}"
            payload = {"year": year, "route": TEMPLATE_ROUTE, "title": title, "details": TEMPLATE_DETAILS,
                       "hours_requested": 6}
            claim_ids[kind] = claim_id = step(lambda p=payload: claim_service.create(me, p).id)
            step(claim_service.submit, claim_id, me)
            script(claim_id, title)

        def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
            table = model.__table__
            result = db.session.execute(select(table).where(*where).order_by(table.c.id))
            return [dict(r._mapping) for r in result]

        orgs = {unit.id: unit.name, city.id: city.name}
        templates = {}
        enrollment = rows(Enrollment, Enrollment.trainee_id == trainee_id, Enrollment.year == year)[0]
        records = [("enrollment", "enrollment", enrollment)]
        records += [(kind, "claim", rows(Claim, Claim.id == cid)[0]) for kind, cid in claim_ids.items()]
        for kind, record_type, record in records:
            instance = rows(ProcessInstance, ProcessInstance.id == record["instance_id"])[0]
            ledger = (rows(HourEntry, HourEntry.source == "claim", HourEntry.source_id == record["id"])
                      if record_type == "claim" else [])
            events = rows(ProcessEvent, ProcessEvent.instance_id == instance["id"])
            title = record.get("title", "")
            original = title[:-len(EDIT_SUFFIX)] if title.endswith(EDIT_SUFFIX) else title
            tasks = rows(HumanTask, HumanTask.instance_id == instance["id"])
            templates[kind] = Template(
                kind=kind, record_type=record_type, record=record, instance=instance, tasks=tasks,
                candidates=rows(TaskCandidate, TaskCandidate.task_id.in_([t["id"] for t in tasks])),
                events=events, ledger=ledger,
                trainee_id=trainee_id,
                user_ids={"trainee": trainee_id, "unit": unit_reviewer.id, "authority": authority_reviewer.id},
                org_ids={"unit": unit.id, "authority": city.id}, org_names=orgs,
                titles=(original, original + EDIT_SUFFIX) if record_type == "claim" else (),
                steps=steps[kind])
        db.session.remove()
    for template in templates.values():
        template.self_check()
    return templates, password_hash


# -- database access for the bulk rows --------------------------------------------------------

class Writer:
    """Plain DB-API access: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        from app import models  # noqa: F401  (the tables)
        from app.extensions import db
        self.url = make_url(url)
        self.dialect = "postgresql" if self.url.drivername.startswith("postgresql") else "sqlite"
        self.tables = {t.name: t for t in db.metadata.sorted_tables}
        if self.dialect == "postgresql":
            import psycopg
            self.conn = psycopg.connect(self.url.set(drivername="postgresql").render_as_string(hide_password=False))
        else:
            import sqlite3
            self.conn = sqlite3.connect(self.url.database, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        self.waited = 0.0  # seconds the generator spent waiting for the database
        self._converters = {name: [self._converter(c) for c in t.columns] for name, t in self.tables.items()}

    def _converter(self, column: Any) -> Any:
        from sqlalchemy import JSON, Boolean, Date, Numeric

        from app.models.types import UTCDateTime
        kind = column.type
        if isinstance(kind, JSON):
            if self.dialect == "postgresql":
                return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
            return lambda v: None if v is None else json.dumps(v)
        if self.dialect == "postgresql":
            return None
        if isinstance(kind, UTCDateTime):
            return lambda v: None if v is None else v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(kind, Boolean):
            return lambda v: None if v is None else int(v)
        if isinstance(kind, Numeric):
            return lambda v: None if v is None else float(v)
        if isinstance(kind, Date):
            return lambda v: None if v is None else v.isoformat()
        return None

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        cursor = self.conn.execute(sql, params)
        return list(cursor.fetchall())

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.query(sql, params)[0][0]

    def max_ids(self) -> dict[str, int]:
        return {name: (self.scalar(f"SELECT max(id) FROM {name}") or 0) + 1  # noqa: S608 - our own table names
                for name in self.tables if "id" in self.tables[name].c and name not in ("web_session",)}

    def write(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = [c.name for c in self.tables[table].columns]
        converters = [(i, conv) for i, conv in enumerate(self._converters[table]) if conv is not None]
        if set(rows[0]) != set(columns):
            raise ValueError(f"{table}: row keys {sorted(rows[0])} != columns {columns}")
        tuples = []
        for r in rows:
            values = [r[c] for c in columns]
            for i, conv in converters:
                values[i] = conv(values[i])
            tuples.append(values)
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in tuples:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", tuples)  # noqa: S608

    def commit(self) -> None:
        self.conn.commit()

    def write_batch(self, batch: dict[str, list[dict[str, Any]]], order: tuple[str, ...]) -> None:
        """Write the tables of one batch, in order, as one transaction."""
        for table in order:
            self.write(table, batch.get(table, []))
        self.commit()

    def submit(self, batch: dict[str, list[dict[str, Any]]], order: tuple[str, ...]) -> None:
        """Hand a batch to the writer thread, so the next batch is built while the database
        takes this one (the database works on the other core). One batch in flight at most."""
        self.drain()
        self._thread = threading.Thread(target=self._run, args=(batch, order))
        self._thread.start()

    def _run(self, batch: dict[str, list[dict[str, Any]]], order: tuple[str, ...]) -> None:
        try:
            self.write_batch(batch, order)
        except BaseException as exc:  # re-raised in the main thread by drain()
            self._error = exc

    def drain(self) -> None:
        thread, self._thread = getattr(self, "_thread", None), None
        if thread is not None:
            waited = time.perf_counter()
            thread.join()
            self.waited += time.perf_counter() - waited
        error, self._error = getattr(self, "_error", None), None
        if error is not None:
            raise error

    def sync_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the rows written with explicit ids."""
        if self.dialect != "postgresql":
            return
        for name, table in self.tables.items():
            if "id" in table.c and table.c.id.autoincrement is not False and str(table.c.id.type) == "INTEGER":
                sql = (f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - our table names
                       f"GREATEST((SELECT max(id) FROM {name}), 1))")
                self.conn.execute(sql)
        self.conn.commit()

    def analyze(self) -> None:
        if self.dialect == "postgresql":
            self.conn.commit()
            self.conn.autocommit = True
            self.conn.execute("VACUUM (ANALYZE)")
            self.conn.autocommit = False
        else:
            self.conn.execute("ANALYZE")
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()


# -- people and organisations ------------------------------------------------------------------

@dataclass
class Unit:
    id: int
    name: str
    authority_id: int
    reviewer: tuple[int, str]
    trainees: list[int] = field(default_factory=list)


@dataclass
class Trainee:
    id: int
    name: str
    id_number: str
    unit_id: int
    past_claims: int = 0
    current_routes: set[str] = field(default_factory=set)


class World:
    """The bulk organisations and people already in the database, plus the measured unit."""

    def __init__(self, w: Writer, year: int):
        from app.cli.demo import CITY, PROVINCE, UNIT_1
        self.year = year
        self.province = w.scalar("SELECT id FROM organisation WHERE name = ?", (PROVINCE,))
        reviewers = {org: (uid, name) for org, uid, name in w.query(
            "SELECT ra.org_id, u.id, u.name FROM role_assignment ra JOIN app_user u ON u.id = ra.user_id "
            "WHERE ra.role = 'reviewer' ORDER BY u.id")}
        self.authorities: dict[int, tuple[str, tuple[int, str]]] = {}
        city = w.query("SELECT id, name FROM organisation WHERE name = ?", (CITY,))[0]
        self.authorities[city[0]] = (city[1], reviewers[city[0]])
        for oid, name in w.query("SELECT id, name FROM organisation WHERE name LIKE ? ORDER BY id",
                                 (AUTHORITY_PREFIX + "%",)):
            self.authorities[oid] = (name, reviewers[oid])
        self.units: dict[int, Unit] = {}
        unit1 = w.query("SELECT id, name, parent_id FROM organisation WHERE name = ?", (UNIT_1,))[0]
        self.measured = Unit(unit1[0], unit1[1], unit1[2], reviewers[unit1[0]])
        self.units[self.measured.id] = self.measured
        for oid, name, parent in w.query("SELECT id, name, parent_id FROM organisation WHERE name LIKE ? "
                                         "ORDER BY id", (UNIT_PREFIX + "%",)):
            self.units[oid] = Unit(oid, name, parent, reviewers[oid])
        self.trainees: dict[int, Trainee] = {}
        for uid, name, id_number, org in w.query(
                "SELECT u.id, u.name, u.id_number, ra.org_id FROM app_user u JOIN role_assignment ra "
                "ON ra.user_id = u.id AND ra.role = 'trainee' WHERE u.id_number LIKE ? ORDER BY u.id",
                (BULK_REGION + "%",)):
            self.trainees[uid] = Trainee(uid, name, id_number, org)
            self.units[org].trainees.append(uid)
        for trainee_id, count in w.query("SELECT trainee_id, count(*) FROM claim WHERE year < ? "
                                         "GROUP BY trainee_id", (year,)):
            if trainee_id in self.trainees:
                self.trainees[trainee_id].past_claims = count
        for trainee_id, route in w.query("SELECT trainee_id, route FROM claim WHERE year = ?", (year,)):
            if trainee_id in self.trainees:
                self.trainees[trainee_id].current_routes.add(route)

    @property
    def bulk_units(self) -> list[Unit]:
        return [u for u in self.units.values() if u is not self.measured]


@dataclass
class PeoplePlan:
    authorities: list[dict[str, Any]] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    trainees: list[Trainee] = field(default_factory=list)


def plan_people(world: World, trainees_target: int, open_demand: dict[int, int], ids: Ids,
                rng: random.Random) -> tuple[PeoplePlan, dict[int, int]]:
    """New authorities, units and trainees: the general pool grows to ``trainees_target``, and
    units get extra trainees where their open claims need free (trainee, route) slots."""
    plan = PeoplePlan()
    authority_units = Counter(u.authority_id for u in world.bulk_units)

    def new_authority() -> int:
        oid = ids.take("organisation")
        n = sum(1 for a in world.authorities.values() if a[0].startswith(AUTHORITY_PREFIX)) + 1
        name = f"{AUTHORITY_PREFIX}{n:03d}"
        reviewer = (ids.take("app_user"), _person_name(rng))
        world.authorities[oid] = (name, reviewer)
        plan.authorities.append({"id": oid, "name": name, "reviewer": reviewer})
        return oid

    def new_unit() -> Unit:
        bulk_authorities = [a for a, v in world.authorities.items() if v[0].startswith(AUTHORITY_PREFIX)]
        free = [a for a in bulk_authorities if authority_units[a] < UNITS_PER_AUTHORITY]
        authority = free[0] if free else new_authority()
        authority_units[authority] += 1
        oid = ids.take("organisation")
        unit = Unit(oid, f"{UNIT_PREFIX}{len(world.bulk_units) + 1:05d}", authority,
                    (ids.take("app_user"), _person_name(rng)))
        world.units[oid] = unit
        plan.units.append(unit)
        return unit

    def new_trainee(unit: Unit) -> Trainee:
        uid = ids.take("app_user")
        trainee = Trainee(uid, _person_name(rng), _id_number(BULK_REGION, uid), unit.id)
        world.trainees[uid] = trainee
        unit.trainees.append(uid)
        plan.trainees.append(trainee)
        return trainee

    open_units = [u for u in world.bulk_units if len(u.trainees) < TRAINEES_PER_UNIT]
    while len(world.trainees) < trainees_target:
        if not open_units:
            open_units = [new_unit()]
        unit = open_units[0]
        new_trainee(unit)
        if len(unit.trainees) >= TRAINEES_PER_UNIT:
            open_units.pop(0)
    # open claims for other units: spread over the bulk units
    other = open_demand.pop(0, 0)
    if other and not world.bulk_units:
        new_unit()
    units = world.bulk_units
    for _ in range(other):
        unit = units[rng.randrange(len(units))]
        open_demand[unit.id] = open_demand.get(unit.id, 0) + 1
    for unit_id, wanted in open_demand.items():
        unit = world.units[unit_id]
        free = sum(6 - len(world.trainees[t].current_routes) for t in unit.trainees)
        for _ in range(math.ceil(max(0, wanted - free) / 6)):
            new_trainee(unit)
    return plan, open_demand


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


# -- the load -----------------------------------------------------------------------------------

@dataclass
class Stats:
    rows: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    instance_ids: list[int] = field(default_factory=list)


class Loader:
    def __init__(self, writer: Writer, templates: dict[str, Template], password_hash: str, seed: int):
        from app.cli.demo import PROVINCE
        self.w, self.templates, self.password_hash = writer, templates, password_hash
        self.rng = random.Random(seed)
        self.year = templates["open"].record["year"]
        self.ids = Ids(writer.max_ids())
        self.world = World(writer, self.year)
        self.stats = Stats()
        self.province_name = PROVINCE
        self.variants = {route: [(d, ROUTES[route].suggest(d).quantize(Decimal("0.1"))) for d in details]
                         for route, details in ROUTE_VARIANTS.items()}
        self.routes = list(ROUTES)
        self.now = datetime.now(UTC)

    # people --------------------------------------------------------------------------------
    def write_people(self, plan: PeoplePlan) -> None:
        started = time.perf_counter()
        created = self.now - timedelta(days=365 * (PAST_YEARS + 1))
        orgs, users, roles = [], [], []

        def user(uid: int, username: str, name: str, id_number: str | None = None) -> None:
            users.append({"id": uid, "username": username, "password_hash": self.password_hash, "name": name,
                          "id_number": id_number, "phone": f"139{uid % 100_000_000:08d}" if id_number else None,
                          "must_change_password": False, "is_active": True, "created_at": created,
                          "password_changed_at": None, "department_id": None})

        def role(uid: int, org: int, name: str) -> None:
            roles.append({"id": self.ids.take("role_assignment"), "user_id": uid, "org_id": org, "role": name})

        for a in plan.authorities:
            orgs.append({"id": a["id"], "name": a["name"], "kind": "authority", "level": "city", "code": None,
                         "parent_id": self.world.province, "hr_id": None, "created_at": created,
                         "unit_type": None, "industry": None, "is_active": True})
            user(a["reviewer"][0], f"growth_reviewer_{a['id']}", a["reviewer"][1])
            role(a["reviewer"][0], a["id"], "reviewer")
        for u in plan.units:
            orgs.append({"id": u.id, "name": u.name, "kind": "unit", "level": None, "code": None,
                         "parent_id": u.authority_id, "hr_id": None, "created_at": created,
                         "unit_type": "企业", "industry": None, "is_active": True})
            user(u.reviewer[0], f"growth_reviewer_{u.id}", u.reviewer[1])
            role(u.reviewer[0], u.id, "reviewer")
        for t in plan.trainees:
            user(t.id, t.id_number, t.name, t.id_number)
            role(t.id, t.unit_id, "trainee")
        for table, rows in (("organisation", orgs), ("app_user", users), ("role_assignment", roles)):
            self.w.write(table, rows)
            self.stats.rows[table] += len(rows)
        self.w.commit()
        # every new trainee enrols for the current year (the enrolment process, approved)
        template = self.templates["enrollment"]
        for start in range(0, len(plan.trainees), CHUNK):
            batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for t in plan.trainees[start:start + CHUNK]:
                unit = self.world.units[t.unit_id]
                begin = datetime(self.year, 1, 2, tzinfo=UTC) + timedelta(seconds=self.rng.uniform(0, 20 * 86400))
                cx = self._clone_context(template, t, unit, self.ids.take("enrollment"), begin, self.year)
                for table, rows in template.clone(cx, self.ids).items():
                    batch[table] += rows
            self._write_batch(batch)
        self.w.drain()
        self.stats.seconds["people"] = time.perf_counter() - started

    # claims --------------------------------------------------------------------------------
    def _clone_context(self, template: Template, trainee: Trainee, unit: Unit, record_id: int,
                       begin: datetime, year: int, route: str = "", details: dict[str, Any] | None = None,
                       hours: Decimal = Decimal("0.0"), title: str = "") -> Clone:
        authority_name, authority_reviewer = self.world.authorities[unit.authority_id]
        users = {template.user_ids["trainee"]: (trainee.id, trainee.name),
                 template.user_ids["unit"]: unit.reviewer,
                 template.user_ids["authority"]: authority_reviewer}
        orgs = {template.org_ids["unit"]: (unit.id, unit.name),
                template.org_ids["authority"]: (unit.authority_id, authority_name)}
        org_names = {template.org_names[template.org_ids["unit"]]: unit.name,
                     template.org_names[template.org_ids["authority"]]: authority_name}
        shifts = template.shifts_for(begin, self.rng)
        titles = dict(zip(template.titles, (title, title + EDIT_SUFFIX), strict=True)) if template.titles else {}
        return Clone(record_id=record_id, instance_id=self.ids.take("process_instance"), users=users, orgs=orgs,
                     org_names=org_names, trainee_name=trainee.name, masked_id=mask(trainee.id_number),
                     year=year, route=route, details=details or {},
                     hours=hours, titles=titles, shifts=shifts,
                     shift_seconds=[s.total_seconds() for s in shifts],
                     uuid_prefix=str(uuid.UUID(int=self.rng.getrandbits(128), version=4))[:24])

    def _claim(self, kind: str, trainee: Trainee, year: int, route: str, begin: datetime) -> dict[str, list]:
        template = self.templates[kind]
        details, hours = self.variants[route][self.rng.randrange(len(self.variants[route]))]
        titles = TITLES[route]
        title = f"{titles[self.rng.randrange(len(titles))]}（{year}）"
        cx = self._clone_context(template, trainee, self.world.units[trainee.unit_id], self.ids.take("claim"),
                                 begin, year, route, details, hours, title)
        self.stats.instance_ids.append(cx.instance_id)
        return template.clone(cx, self.ids)

    def _write_batch(self, batch: dict[str, list[dict[str, Any]]]) -> None:
        order = ("process_instance", "enrollment", "claim", "human_task", "task_candidate", "process_event",
                 "hour_entry")
        for table in order:
            self.stats.rows[table] += len(batch.get(table, []))
        self.w.submit(batch, order)

    def load_finished(self, count: int) -> None:
        started = time.perf_counter()
        kinds = [k for k, _ in FINISHED_MIX]
        weights = [w for _, w in FINISHED_MIX]
        pool = sorted(self.world.trainees.values(), key=lambda t: (t.past_claims, t.id))
        if count and not pool:
            raise SystemExit("bulk_load: no bulk trainees to file finished claims")
        target = max(t.past_claims for t in pool) if pool else 0
        target = max(target, math.ceil((sum(t.past_claims for t in pool) + count) / max(len(pool), 1)))
        slots: list[tuple[Trainee, int]] = []
        for trainee in pool:  # fill the trainees with the fewest claims first, up to an even share
            for j in range(trainee.past_claims, target):
                slots.append((trainee, j))
        slots.sort(key=lambda s: s[1])
        slots = slots[:count]
        if len(slots) < count or any(j >= 6 * PAST_YEARS for _, j in slots):
            raise SystemExit("bulk_load: not enough (trainee, year, route) slots for the finished claims")
        batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i, (trainee, j) in enumerate(slots):
            year = self.year - 1 - j // 6
            route = self.routes[(j + trainee.id) % 6]
            begin = datetime(year, 1, 5, tzinfo=UTC) + timedelta(seconds=self.rng.uniform(0, 300 * 86400))
            kind = self.rng.choices(kinds, weights)[0]
            for table, rows in self._claim(kind, trainee, year, route, begin).items():
                batch[table] += rows
            trainee.past_claims = j + 1
            if (i + 1) % CHUNK == 0:
                self._write_batch(batch)
                batch = defaultdict(list)
                self._progress("finished", i + 1, count, started)
        self._write_batch(batch)
        self.w.drain()
        self.stats.seconds["finished"] = time.perf_counter() - started

    def load_open(self, demand: dict[int, int]) -> None:
        started = time.perf_counter()
        kinds = [k for k, _ in OPEN_MIX]
        weights = [w for _, w in OPEN_MIX]
        latest = min(self.now - timedelta(days=25), datetime(self.year, 12, 1, tzinfo=UTC))
        first = datetime(self.year, 1, 25, tzinfo=UTC)
        span = max((latest - first).total_seconds(), 3600.0)
        work: list[tuple[Trainee, str]] = []
        for unit_id, wanted in demand.items():
            unit = self.world.units[unit_id]
            free = [(self.world.trainees[t], r) for t in unit.trainees for r in self.routes
                    if r not in self.world.trainees[t].current_routes]
            self.rng.shuffle(free)
            if len(free) < wanted:
                raise SystemExit(f"bulk_load: unit {unit_id} has {len(free)} free slots for {wanted} open claims")
            work += free[:wanted]
        self.rng.shuffle(work)
        batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i, (trainee, route) in enumerate(work):
            begin = first + timedelta(seconds=self.rng.uniform(0, span))
            kind = self.rng.choices(kinds, weights)[0]
            for table, rows in self._claim(kind, trainee, self.year, route, begin).items():
                batch[table] += rows
            trainee.current_routes.add(route)
            if (i + 1) % CHUNK == 0:
                self._write_batch(batch)
                batch = defaultdict(list)
                self._progress("open", i + 1, len(work), started)
        self._write_batch(batch)
        self.w.drain()
        self.stats.seconds["open"] = time.perf_counter() - started

    def _progress(self, what: str, done: int, total: int, started: float) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"  {what}: {done}/{total} claims ({rate:,.0f}/s)", flush=True)


# -- verification ----------------------------------------------------------------------------------

def verify_sample(app: Any, instance_ids: list[int], n: int, rng: random.Random) -> tuple[int, list[str]]:
    """The app's consistency checks (``app/services/consistency.py``) on a sample of instances."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import ProcessInstance
    from app.services import consistency

    sample = rng.sample(instance_ids, min(n, len(instance_ids)))
    report = consistency.Report()
    with app.app_context():
        instances = db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(sample))).all()
        consistency.check_instances(report, list(instances))
        db.session.remove()
    return len(instances), [f"instance {p.instance_id}: [{p.check}] {p.what}" for p in report.problems]


# -- entry points -----------------------------------------------------------------------------------

def prepare_database(url: str) -> None:
    """Create (PostgreSQL), migrate and load the demo data if the database is new."""
    from sqlalchemy.engine import make_url
    url_obj = make_url(url)
    if url_obj.drivername.startswith("postgresql"):
        if not (url_obj.database or "").startswith("bench_growth"):
            raise SystemExit("bulk_load: PostgreSQL database names must start with bench_growth")
        import psycopg
        admin = url_obj.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url_obj.database,)).fetchone():
                conn.execute(f'CREATE DATABASE "{url_obj.database}"')
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.cli.demo import load_demo
    from app.db import transaction
    from app.extensions import db
    from app.models import User
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMS": {"MIN_PROOFS": 0}})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if db.session.scalar(select(User.id).where(User.username == "unit_reviewer")) is None:
            with transaction():
                load_demo()
        db.session.remove()
        db.engine.dispose()


def counts(w: Writer, measured_unit: int) -> dict[str, int]:
    marks = ", ".join(f"'{s}'" for s in FINISHED_STATUSES)
    return {
        "finished_claims": w.scalar(f"SELECT count(*) FROM claim WHERE status IN ({marks})"),  # noqa: S608
        "claims": w.scalar("SELECT count(*) FROM claim"),
        "instances": w.scalar("SELECT count(*) FROM process_instance"),
        "finished_instances": w.scalar("SELECT count(*) FROM process_instance WHERE completed = ?", (True,)),
        "open_tasks": w.scalar("SELECT count(*) FROM human_task WHERE status = 'open'"),
        "measured_inbox": w.scalar("SELECT count(*) FROM task_candidate WHERE status = 'open' AND "
                                   "role = 'reviewer' AND org_id = ?", (measured_unit,)),
        "events": w.scalar("SELECT count(*) FROM process_event"),
        "tasks": w.scalar("SELECT count(*) FROM human_task"),
        "ledger": w.scalar("SELECT count(*) FROM hour_entry"),
        "trainees": w.scalar("SELECT count(*) FROM role_assignment WHERE role = 'trainee'"),
        "units": w.scalar("SELECT count(*) FROM organisation WHERE kind = 'unit'"),
    }


def load(url: str, finished: int, open_tasks: int, *, measured_share: float = 0.1, seed: int = 1,
         verify: int = 300, quiet: bool = False) -> dict[str, Any]:
    """Grow the database at ``url`` to ``finished`` finished claims and ``open_tasks`` open tasks."""
    started = time.perf_counter()
    prepare_database(url)
    from app import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMS": {"MIN_PROOFS": 0}})
    with app.app_context():
        check_roles()
    templates, password_hash = capture_templates(app)
    writer = Writer(url)
    loader = Loader(writer, templates, password_hash, seed + writer.scalar("SELECT count(*) FROM claim"))
    world = loader.world
    before = counts(writer, world.measured.id)
    add_finished = max(0, finished - before["finished_claims"])
    measured_target = round(open_tasks * measured_share)
    add_measured = max(0, measured_target - before["measured_inbox"])
    add_other = max(0, open_tasks - before["open_tasks"] - add_measured)
    trainees_target = max(len(world.trainees), math.ceil(finished / CLAIMS_PER_TRAINEE))
    demand = {world.measured.id: add_measured, 0: add_other}
    plan, demand = plan_people(world, trainees_target, demand, loader.ids, loader.rng)
    if not quiet:
        print(f"bulk_load: {url.split('@')[-1]}: +{len(plan.authorities)} authorities, +{len(plan.units)} units, "
              f"+{len(plan.trainees)} trainees, +{add_finished} finished claims, "
              f"+{add_measured} open for the measured reviewer, +{add_other} open elsewhere", flush=True)
    loader.write_people(plan)
    loader.load_finished(add_finished)
    loader.load_open({k: v for k, v in demand.items() if v})
    writer.sync_sequences()
    t = time.perf_counter()
    writer.analyze()
    loader.stats.seconds["analyze"] = time.perf_counter() - t
    after = counts(writer, world.measured.id)
    writer.close()
    checked, problems = (verify_sample(app, loader.stats.instance_ids, verify, loader.rng)
                         if verify and loader.stats.instance_ids else (0, []))
    result = {"url": url.split("@")[-1], "before": before, "after": after, "rows": dict(loader.stats.rows),
              "seconds": {**loader.stats.seconds, "waiting_for_db": writer.waited,
                          "total": time.perf_counter() - started},
              "verified_instances": checked, "problems": problems[:20]}
    if not quiet:
        seconds = ", ".join(f"{k} {v:.1f} s" for k, v in result["seconds"].items())
        print(f"bulk_load: {seconds}; now {after['finished_claims']} finished claims, {after['open_tasks']} open "
              f"tasks ({after['measured_inbox']} for the measured reviewer), {after['trainees']} trainees in "
              f"{after['units']} units; {checked} sampled instances checked, {len(problems)} problem(s)")
        for problem in problems[:20]:
            print("  problem:", problem)
    if problems:
        raise SystemExit(1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_URL, help=f"database URL (default {DEFAULT_URL})")
    parser.add_argument("--finished", type=int, required=True, help="finished claims to reach")
    parser.add_argument("--open", type=int, required=True, dest="open_tasks", help="open tasks to reach")
    parser.add_argument("--measured-share", type=float, default=0.1,
                        help="share of the open tasks that wait for unit_reviewer (default 0.1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verify", type=int, default=300, help="new instances to consistency-check (0: none)")
    args = parser.parse_args()
    scheme = urlsplit(args.db).scheme
    if not scheme.startswith(("postgresql", "sqlite")):
        raise SystemExit("bulk_load: --db must be a postgresql+psycopg:// or sqlite:/// URL")
    load(args.db, args.finished, args.open_tasks, measured_share=args.measured_share, seed=args.seed,
         verify=args.verify)


if __name__ == "__main__":
    main()
