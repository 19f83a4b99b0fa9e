"""Crash harness: SIGKILL a loaded gunicorn again and again; the database must stay whole.

What it proves: every step of every process is one transaction (``app/db.py``), so killing the
whole server at any moment (mid-request, mid-engine-run, mid-commit) loses at most the requests
in flight: never half a step, never a step a client was told had succeeded.

How: a fresh database (PostgreSQL ``bench_crash``, dropped and recreated, or a SQLite file),
migrated and loaded with the demo data by the flask CLI; gunicorn (``-c gunicorn.conf.py``, W
workers) in a session of its own; C client threads running claim lifecycles (create -> submit ->
unit approve -> authority approve, 0.1 h each, under the 36 h route cap), O more running the
organisation processes (a staff transfer of 刘洋 to the other unit and back, a change of unit 2's
parent authority to the other city authority and back, both parents approving) and P running
providers' pre-training filings from draft to 备案通过 (three attachments, submit, supervisor,
stamped form, forward, HR) and E running the demo trainees' class enrolments (enrol, sometimes
delete the draft, submit taking a seat, sent back, resubmit, approved) and one client filing
the demo's ended class after training (details, results imported from Excel, summary attached,
submitted, filed by HR: hours and e-certificates) and D declaring hours for 张伟 as unit 1
(approved by the city authority, then verified: passed, or failed and the hours reversed) and U
supplementing last year's hours (学时增补: the trainee asks, the unit agrees or refuses, the trainee
adds an entry and a proof and reports, the unit, 学时办 and 省级备案 approve; sometimes the trainee
withdraws, the unit refuses or a review sends it back) and N running the unit processes (a new unit
registers, 用人单位注册, and the city authority approves or refuses it; unit 1's administrator asks
for a new name and/or credit code, 修改单位信息, which the city authority approves or turns down
unless the unit cancels first; 李娜 asks to change her phone, political status and/or title series,
人员信息修改, which unit 1's reviewer approves or rejects unless she withdraws first), all logging
every request. Every ~S
seconds (0.5-1.5 x, at random) the process group - master and workers - gets SIGKILL and the
server is restarted. A connection error is an unknown outcome: the client re-
reads the record (or the inbox) to learn where it stands and carries on. After K kills the load
stops, the server gets SIGTERM, and: (i) the consistency check (``app.services.consistency``)
finds nothing; (ii) every 2xx answer is in the database (claims, submissions, decisions with
their events, ledger rows of approvals, transfers, parent changes and filings filed, filings
submitted and filed, enrolments submitted (holding a seat), deleted and approved, supplements
asked, agreed or refused, their entries and proofs, reported, withdrawn and filed, and the person
or the unit moved by every approval); (iii) no half changes: no record of any process without
its instance, no instance without its record, no completed task without its event, no ledger row
for a claim that is not approved nor for a supplement that is not filed, and every filed
supplement once in last year's ledger with its route and hours; for the unit processes
(``unit_process_problems``) every approved registration has exactly one organisation with its
name, code and parent, and its applicant holds admin and super_admin there and nothing else, a
refused or waiting one has no organisation and gave no role, every registered organisation has
its approved registration, unit 1's name and code and 李娜's details are what their approved
changes made them (each change asked against the values the approvals before it left), each
approved unit info change wrote one administrative event and nothing else did, and a waiting
record waits on an open task, a decided one on none; (iv) ``flask --app app audit verify`` exits 0.
Prints a report, exits 1 on any problem; every request goes to bench/results/crash-<db>-<timestamp>.jsonl.

Supplements and the clock: 学时增补 is open only from 1 to 20 January (``[SUPPLEMENTARY]``), for
last year, on a route with last year's hours from a finally approved claim. So with a supplementary
client (``--supplementary-clients``, default 1) every app process of the run - ``flask db upgrade``,
``flask demo``, each gunicorn master and its forked workers, ``flask audit verify`` - runs under
libfaketime (Debian package ``faketime``) with a fixed offset (``FAKETIME="+<seconds>"``) that puts
the app's clock (``app/clock.py`` reads the system clock) on 10 January of next year, 10:00 China
time, and lets it flow. An offset, not an ``@`` start time: the offset is the same in every process
and across restarts, so the clock never runs back after a kill (with ``@`` each restarted server
would start again at the same instant); a forked worker keeps its master's offset; the monotonic
clock is left real (``FAKETIME_DONT_FAKE_MONOTONIC``: gunicorn's worker heartbeat, timed thread
waits), and ``time.sleep``, which libfaketime 0.9.10 then breaks, waits in ``select()`` instead in
those processes (``SLEEP_SHIM``, a sitecustomize on their PYTHONPATH). Python's ``datetime.now``
and ``time.time`` read the faked ``clock_gettime``; a probe checks that (and sleeping) before the
run, and the server's ``Date`` header after it starts. The demo is loaded in the fake present (its
claim window, enrolments, classes and dates are the fake year's), and the clients compute their
years and dates from the server's clock (``server_today``), so the other clients run as they would
in real time. The in-process checks (``verify``) freeze the app's clock at the server's time; none
of them compares a stored time with the clock, but the engine's timers read it. Without
libfaketime the harness prints that the supplementary client is skipped, and why, and runs the
rest in real time.

What a supplement needs is seeded before the server starts, in this process under the real clock
(whose year is the fake clock's last year: the real present is the past the fake one looks back
on): the demo's own helpers open that year's claim window and enrol 李娜 and 张伟 of unit 1 for it
(the enrolment process, approved by their unit), then each files a real credit claim on each of
the three bench routes through the API (Flask test client: create, submit, unit and authority
approve), so last year's ledger holds source-``claim`` credits backed by approved claims with
their instances and events (a ledger row without its claim would be an ``orphans`` problem).
These seed rows carry real (earlier) times although made after the demo's fake-dated ones; no
check compares times across records. Only
one live supplement per person, route and year is allowed, and a filed one stays (only a withdrawn
or refused one lets the trainee ask again), so the client works through the 6 person x route
slots, one supplement at a time, each until one is filed; 0.5 h an entry keeps the 36 h route cap
out of reach (a ``cap_exceeded`` refusal would make it withdraw and move on).
Run:  cd /work/main && . .venv/bin/activate && python bench/crash.py \
          [--db postgres|sqlite] [--kills 5] [--clients 4] [--org-clients 1] [--filing-clients 1]
          [--enrolment-clients 1] [--declaration-clients 1] [--supplementary-clients 1] [--unit-clients 1]
          [--workers 2] [--seconds-between 3]
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth. libfaketime: ``apt-get install faketime``.
"""
from __future__ import annotations

import argparse
import base64
import collections
import datetime
import email.utils
import functools
import io
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from claims import (  # bench/claims.py
    BENCH_ENV,
    BIN,
    PASSWORD,
    ROOT,
    ROUTES,
    TRAINEES,
    UNIT_REVIEWER,
    login_all,
    wait_until_up,
)

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_crash"
FACTS = ("id", "status", "instance_id", "hours_registered", "task", "decision", "record", "items")
NEXT = {"unit_review": "authority_review", "authority_review": "approved"}  # after an approval
AUTHORITIES = ("authority_reviewer", "authority_reviewer_b")  # unit 2 moves between the two
MOVER = "330104198807180046"  # 刘洋 (no claims here): transferred between the units and back
ORG_USERS = (MOVER, "unit_reviewer_b", "authority_reviewer_b")
FILING_USERS = ("provider_admin", "supervisor_reviewer", "hr_reviewer")
FILING_CLASS = "崩溃测试培训班"
# A filing's next step by its status: (kind logged, who acts, how)
FILING_STEPS = {"draft": "submit", "rolled_back": "submit", "supervisor_review": "approve",
                "awaiting_stamp": "stamp", "awaiting_forward": "forward", "hr_review": "approve"}
CLAIM_KINDS = {"create", "submit", "approve_unit_review", "approve_authority_review"}
# The demo trainees enrolled and approved in the demo's ended class (the last one fails).
POSTFILING_TRAINEES = (("330106199003070014", "张伟"), ("330106198511220029", "李娜"), ("330102199204150031", "王强"))
DECLARED = "330106199003070014"  # 张伟, of unit 1 (which never changes its authority here)
DECLARATION_USERS = ("unit_reviewer", "authority_reviewer")
# Supplements (学时增补) of last year: unit 1's trainees (unit 1 stays under the city authority),
# on the bench routes, where the seeded claims (SEED_TITLE) give last year's ledger hours.
SUPPLEMENT_TRAINEES = ("330106198511220029", "330106199003070014")  # 李娜, 张伟
SUPPLEMENT_USERS = ("unit_reviewer", "authority_reviewer", "supervisor_reviewer")  # 企业, 学时办, 省级备案
SUPPLEMENT_ENDED = ("cancelled", "refused")  # ended without effect: the route may be asked again
SUPPLEMENT_REJECTED = ("unit_rejected", "office_rejected", "province_rejected")  # back to the trainee
# A supplement's review step by its status: (step, reviewer); 省级备案 only approves.
SUPPLEMENT_REVIEWS = {"reported": ("unit_review", "unit_reviewer"),
                      "unit_approved": ("office_review", "authority_reviewer"),
                      "office_approved": ("provincial_filing", "supervisor_reviewer")}
SEED_TITLE = "崩溃测试增补依据"  # last year's approved claims a supplement needs
SEED_HOURS = 1.0
SUPPLEMENT_HOURS = 0.5  # per entry, one entry a supplement: far under the 36 h route cap
# The unit processes (UnitProcessClient): registrations under the city authority, unit 1's name and
# credit code (its administrator asks, the city authority reviews), 李娜's details (unit 1 reviews).
UNIT_ADMIN = "unit_admin"
INFO_TRAINEE = "330106198511220029"  # 李娜: her phone, political status, title series (never her name:
#                                      the post-filing's results file names her)
UNIT_USERS = ("authority_reviewer", UNIT_ADMIN, "unit_reviewer", INFO_TRAINEE)
REGISTERED = "崩溃测试注册单位"  # the registered units' names begin so
POLITICAL = ("中共党员", "共青团员", "无党派人士", "群众")
SERIES = ("工程技术", "经济", "统计", "其他")
DECIDED = {"approve": "approved", "reject": "rejected"}  # a record's status after its review's decision
LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the app's time zone (BABEL_DEFAULT_TIMEZONE): its "today"
CLOCK_OFFSET = datetime.timedelta(0)  # the server's clock minus the real one (libfaketime), set by main


def server_now() -> datetime.datetime:
    """The server's present (the real one, or the fake one of a run with supplements)."""
    return datetime.datetime.now(datetime.UTC) + CLOCK_OFFSET


def server_today() -> datetime.date:
    """The server's today, where the platform is (the app's ``clock.today``)."""
    return server_now().astimezone(SHANGHAI).date()


class RequestLog:
    """Every request with its outcome, in memory (for the checks) and as JSON lines."""

    def __init__(self, path: Path):
        self.lock, self.entries, self.fh, self.in_flight = threading.Lock(), [], path.open("w"), 0

    def add(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.entries.append(entry)
            self.fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Client(threading.Thread):
    """One client: claim lifecycles until told to stop, on its own keep-alive session."""

    def __init__(self, n: int, base: str, tokens: dict[str, str], log: RequestLog, stop: threading.Event):
        super().__init__(daemon=True)
        self.n, self.base, self.tokens, self.log, self.stop = n, base, tokens, log, stop
        self.http = requests.Session()

    def call(self, kind: str, user: str | None, method: str, path: str, ref: int | None = None,
             **kwargs: Any) -> tuple[int | None, Any]:
        """One request as ``user`` (None: without logging in); ``ref`` names the record in the log
        where the path does not."""
        entry: dict[str, Any] = {"at": round(time.time(), 3), "client": self.n, "kind": kind, "method": method,
                                 "path": path, **({"ref": ref} if ref is not None else {})}
        with self.log.lock:
            self.log.in_flight += 1
        try:
            r = self.http.request(method, self.base + path, timeout=60,
                                  headers={"Authorization": f"Bearer {self.tokens[user]}"} if user else {}, **kwargs)
            body = r.json() if r.content else None
        except (requests.RequestException, ValueError) as exc:  # reset, refused, cut-off body
            entry.update(outcome="unknown", error=f"{type(exc).__name__}: {exc}"[:200])
            self.log.add(entry)
            time.sleep(0.2)  # the server is probably down: do not spin
            return None, None
        finally:
            with self.log.lock:
                self.log.in_flight -= 1
        entry["http"] = r.status_code
        if 200 <= r.status_code < 300:
            entry.update(outcome="ok", **{k: body[k] for k in FACTS if isinstance(body, dict) and k in body})
        else:
            entry.update(outcome="refused", error=(body or {}).get("error", {}).get("code"))
        self.log.add(entry)
        return r.status_code, body

    def run(self) -> None:
        i = self.n
        while not self.stop.is_set():
            self.lifecycle(i)
            i += 1000  # distinct titles per client

    def lifecycle(self, i: int) -> None:
        trainee = TRAINEES[i % len(TRAINEES)]
        route, details = ROUTES[(i // len(TRAINEES)) % len(ROUTES)]
        code, claim = self.call("create", trainee, "POST", "/claims", json={
            "year": server_today().year, "route": route, "title": f"crash {i}", "details": details,
            "hours_requested": 0.1})
        if code != 201:  # an unknown create may have left a draft behind; that is allowed
            return
        claim_id, status, steps = claim["id"], claim["status"], 0
        while not self.stop.is_set() and status != "approved" and steps < 20:  # a stuck claim is left
            if status is None:  # the last step's outcome is unknown: ask until the server answers
                code, body = self.call("read", trainee, "GET", f"/claims/{claim_id}")
                if code not in (None, 200):
                    return  # answered but refused: the checks will say why
                status = body["status"] if code == 200 else None
                continue
            steps += 1
            if status == "draft":
                code, body = self.call("submit", trainee, "POST", f"/claims/{claim_id}/submit")
                status = body["status"] if code == 200 else None
            elif status in NEXT:  # unit 2's claims go to whichever authority it is under at the time
                reviewers = (UNIT_REVIEWER[trainee],) if status == "unit_review" else AUTHORITIES
                status = NEXT[status] if self.review(reviewers, claim_id, status) else None
            else:
                return

    def review(self, users: tuple[str, ...], claim_id: int, step: str) -> bool:
        for user in users:
            task_id = self.find_task(user, "credit_claim", "claim", claim_id)
            if task_id is not None:
                code, _ = self.call(f"approve_{step}", user, "POST", f"/tasks/{task_id}/complete",
                                    json={"decision": "approve", "hours": 0.1})
                return code == 200
        return False

    def find_task(self, user: str, process: str, record_type: str, record_id: int | None = None) -> int | None:
        """The open task of ``user`` on that record (on any record of the process if no id); None if none."""
        page = 1
        while True:
            code, body = self.call("inbox", user, "GET", "/tasks",
                                   params={"process": process, "per_page": 100, "page": page})
            if code != 200:
                return None
            for task in body["items"]:
                if task["record"]["type"] == record_type and record_id in (None, task["record"]["id"]):
                    return task["id"]
            if page * 100 >= body["total"]:
                return None
            page += 1

    def open_record(self, user: str, process: str) -> int | None:
        """The record of a task ``user`` has open in that process (one an earlier round left waiting)."""
        code, body = self.call("inbox", user, "GET", "/tasks", params={"process": process, "per_page": 1})
        return body["items"][0]["record"]["id"] if code == 200 and body["items"] else None


class OrgClient(Client):
    """Staff transfers and parent changes, in turn, until told to stop.

    Each round starts from what the server says (whom 刘洋 works for, which change is still
    waiting), so a round cut off by a kill is finished by the next one.
    """

    def run(self) -> None:
        self.units = {user: self.org_of(user) for user in ("unit_reviewer", "unit_reviewer_b")}
        self.parents = {user: self.org_of(user) for user in AUTHORITIES}
        self.last_change: int | None = None
        while not self.stop.is_set():
            self.transfer_round()
            self.parent_change_round()

    def org_of(self, user: str) -> int:
        while True:  # the server may be down for a moment
            code, me = self.call("read", user, "GET", "/me")
            if code == 200:
                return me["roles"][0]["org_id"]

    def transfer_round(self) -> None:
        code, me = self.call("read", MOVER, "GET", "/me")
        if code != 200:
            return
        unit = next(r["org_id"] for r in me["roles"] if r["role"] == "trainee")
        source = next(user for user, org in self.units.items() if org == unit)
        target = next(user for user in self.units if user != source)
        transfer_id = self.open_record(target, "staff_transfer")
        if transfer_id is None:
            code, body = self.call("file_transfer", source, "POST", "/transfers", json={
                "id_number": MOVER, "to_unit_id": self.units[target], "reason": "崩溃测试调动",
                "contact_name": "王经理", "contact_phone": "0571-88888888"})
            if code != 201:
                return
            transfer_id = body["id"]
        task_id = self.find_task(target, "staff_transfer", "transfer", transfer_id)
        if task_id is not None:
            self.call("accept_transfer", target, "POST", f"/tasks/{task_id}/complete", json={"decision": "accept"})

    def parent_change_round(self) -> None:
        change_id = next(filter(None, (self.open_record(user, "unit_parent_change") for user in AUTHORITIES)), None)
        if change_id is None:
            parent = self.parents["authority_reviewer"]
            if self.last_change is not None:
                code, last = self.call("read", "unit_reviewer_b", "GET", f"/unit-changes/{self.last_change}")
                if code != 200:
                    return
                parent = (last["new_parent"] if last["status"] == "approved" else last["old_parent"])["id"]
            new_parent = next(org for org in self.parents.values() if org != parent)
            code, body = self.call("ask_parent_change", "unit_reviewer_b", "POST",
                                   f"/units/{self.units['unit_reviewer_b']}/parent-change",
                                   json={"new_parent_id": new_parent, "reason": "崩溃测试划转"})
            if code != 201:
                return
            change_id = body["id"]
        self.last_change = change_id
        for user in AUTHORITIES:  # the old and the new parent, whichever has not decided yet
            task_id = self.find_task(user, "unit_parent_change", "unit_change", change_id)
            if task_id is not None:
                self.call("approve_parent_change", user, "POST", f"/tasks/{task_id}/complete",
                          json={"decision": "approve"})


@functools.lru_cache(maxsize=1)
def png_bytes() -> bytes:
    """A small real PNG (uploads are checked by content)."""
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(out, format="PNG")
    return out.getvalue()


class FilingClient(Client):
    """Providers' pre-training filings, each from draft to filed (备案通过), until told to stop.

    A step whose outcome is unknown is followed by reading the filing: its status says what
    to do next (a stamped form cut off by a kill is uploaded again).
    """

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            self.filing(i)
            i += 1

    def filing(self, i: int) -> None:
        today = server_today()
        body = {"class_name": f"{FILING_CLASS}{self.n}-{i}", "location": "演示市", "venue": "培训楼",
                "starts_on": (today + datetime.timedelta(days=40)).isoformat(),
                "ends_on": (today + datetime.timedelta(days=41)).isoformat(),
                "scope": [{"series": "工程系列", "specialty": "公路工程", "level": "工程师"}], "total_hours": 8,
                "form": "面授培训", "fee": "免费", "courses": [{"content": "规范解读", "hours": 8}],
                "teachers": [{"name": "陈教授", "education": "博士研究生", "major": "交通", "title": "教授",
                              "course": "规范解读"}],
                "textbooks": [{"name": "公路工程技术标准", "edition": "2024版"}], "office_phone": "0571-88001234",
                "fax": "0571-88001235", "email": "a@example.cn", "address": "演示市", "post_code": "310000",
                "head_name": "赵院长", "head_title": "院长", "head_mobile": "13900000001", "contact_name": "钱老师",
                "contact_title": "科长", "contact_mobile": "13900000002"}
        code, filing = self.call("file_filing", "provider_admin", "POST", "/filings", json=body)
        if code != 201:
            return
        filing_id, status, steps = filing["id"], filing["status"], 0
        for kind in ("plan", "notice", "invitation"):
            self.upload(filing_id, kind)
        while not self.stop.is_set() and status != "filed" and steps < 20:
            steps += 1
            if status is None:
                code, body = self.call("read", "provider_admin", "GET", f"/filings/{filing_id}")
                if code not in (None, 200):
                    return
                status = body["status"] if code == 200 else None
                if status in ("draft", "rolled_back"):  # an upload may have been cut off too
                    for kind in {"plan", "notice", "invitation"} - {f["kind"] for f in body["files"]}:
                        self.upload(filing_id, kind)
                continue
            step = FILING_STEPS.get(status)
            if step == "submit":
                code, body = self.call("submit_filing", "provider_admin", "POST", f"/filings/{filing_id}/submit")
            elif step == "stamp":
                self.upload(filing_id, "stamped_form")
                code, body = self.call("submit_filing", "provider_admin", "POST", f"/filings/{filing_id}/submit")
            elif step is not None:
                user = "hr_reviewer" if status == "hr_review" else "supervisor_reviewer"
                task_id = self.find_task(user, "provider_prefiling", "prefiling", filing_id)
                if task_id is None:
                    status = None
                    continue
                code, body = self.call(f"{step}_{status}", user, "POST", f"/tasks/{task_id}/complete",
                                       json={"decision": step})
                if code == 200:
                    code, body = self.call("read", "provider_admin", "GET", f"/filings/{filing_id}")
            else:
                return
            status = body["status"] if code == 200 else None

    def upload(self, filing_id: int, kind: str) -> None:
        self.call("upload_filing", "provider_admin", "POST", f"/filings/{filing_id}/files",
                  files={"file": (f"{kind}.png", png_bytes(), "image/png")}, data={"kind": kind})


class EnrolmentClient(Client):
    """Class enrolments (学员报名) in the demo's open class, each trainee until approved: enrol,
    sometimes delete the draft and enrol again, submit (taking a seat), be sent back once,
    resubmit, be approved. A step whose outcome is unknown is followed by reading the
    trainee's enrolments: the status says what to do next."""

    def run(self) -> None:
        code, body = self.call("read", TRAINEES[0], "GET", "/classes",
                               params={"open": "true", "specialty": "公路工程", "level": "工程师"})
        if code != 200 or not body["items"]:
            return
        class_id = body["items"][0]["id"]
        for trainee in TRAINEES:
            steps = 0
            while not self.stop.is_set() and steps < 30 and self.enrolment_step(trainee, class_id):
                steps += 1

    def enrolment_step(self, trainee: str, class_id: int) -> bool:
        """One step of the trainee's enrolment; False once it is approved (or cannot go on)."""
        code, mine = self.call("read", trainee, "GET", "/class-enrollments")
        if code != 200:
            return code is None
        live = next((e for e in mine["items"] if e["class_id"] == class_id), None)
        if live is None:
            self.call("enrol", trainee, "POST", "/class-enrollments",
                      json={"class_id": class_id, "series": "工程系列", "specialty": "公路工程", "level": "工程师"})
            return True
        status, enrolment_id = live["status"], live["id"]
        if status == "draft" and random.random() < 0.3:
            self.call("delete_enrolment", trainee, "DELETE", f"/class-enrollments/{enrolment_id}")
        elif status in ("draft", "returned"):
            self.call("submit_enrolment", trainee, "POST", f"/class-enrollments/{enrolment_id}/submit")
        elif status == "provider_review":
            task_id = self.find_task("provider_admin", "class_enrollment", "class_enrollment", enrolment_id)
            if task_id is not None:
                decision = "approve" if random.random() < 0.5 else "return"
                self.call(f"{decision}_provider_review", "provider_admin", "POST", f"/tasks/{task_id}/complete",
                          json={"decision": decision, "comment": "请补充材料"})
        else:
            return False
        return True


class PostFilingClient(Client):
    """The post-training filing of the demo's ended class, from draft to 备案通过 (hours and
    e-certificates issued); after a kill it reads the filing and carries on from its status."""

    def run(self) -> None:
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(("身份证号", "姓名", "成绩", "是否合格"))
        for id_number, name in POSTFILING_TRAINEES:
            book.active.append((id_number, name, 85, "是" if id_number != POSTFILING_TRAINEES[-1][0] else "否"))
        out = io.BytesIO()
        book.save(out)
        self.results = out.getvalue()
        filing_id, steps = None, 0
        while not self.stop.is_set() and steps < 40:
            steps += 1
            if filing_id is None:
                code, body = self.call("read", "provider_admin", "GET", "/post-filings")
                if code == 200 and body["items"]:
                    filing_id = body["items"][0]["id"]
                    continue
                code, body = self.call("read", "provider_admin", "GET", "/classes")
                ended = [c for c in body["items"] if c["status"] == "closed"] if code == 200 else []
                if ended:
                    self.call("create_postfiling", "provider_admin", "POST", "/post-filings",
                              json={"class_id": ended[0]["id"]})
                continue
            code, filing = self.call("read", "provider_admin", "GET", f"/post-filings/{filing_id}")
            if code != 200:
                continue
            if filing["status"] == "filed":
                return
            if filing["status"] == "draft":
                if filing["attended"] is None:
                    self.call("postfiling_details", "provider_admin", "PATCH", f"/post-filings/{filing_id}",
                              json={"attended": len(POSTFILING_TRAINEES), "summary": "崩溃测试结业"})
                elif filing["results_imported_at"] is None:
                    self.call("import_results", "provider_admin", "POST", f"/post-filings/{filing_id}/results",
                              files={"file": ("成绩.xlsx", self.results, "application/octet-stream")})
                elif not filing["files"]:
                    self.call("upload_postfiling", "provider_admin", "POST", f"/post-filings/{filing_id}/files",
                              files={"file": ("summary.png", png_bytes(), "image/png")}, data={"kind": "summary"})
                else:
                    self.call("submit_postfiling", "provider_admin", "POST", f"/post-filings/{filing_id}/submit")
            elif filing["status"] == "hr_review":
                task_id = self.find_task("hr_reviewer", "provider_postfiling", "postfiling", filing_id)
                if task_id is not None:
                    self.call("approve_postfiling", "hr_reviewer", "POST", f"/tasks/{task_id}/complete",
                              json={"decision": "approve"})


class DeclarationClient(Client):
    """Unit 1 declares last year's hours for 张伟; the city authority approves them, then verifies
    them (every third one fails: the hours are reversed). After a kill it reads the declaration
    and carries on from its status."""

    def run(self) -> None:
        proof = base64.b64encode(png_bytes()).decode()
        year, i = server_today().year - 1, self.n
        while not self.stop.is_set():
            i += 1000
            code, body = self.call("declare", "unit_reviewer", "POST", "/declarations", json={
                "id_numbers": [DECLARED], "year": year, "learning_form": "self_study",
                "content": f"崩溃测试自学 {i}", "starts_on": f"{year}-03-01", "ends_on": f"{year}-03-01",
                "hours": 0.5, "subject": "professional", "proofs": [{"filename": "证明.png", "content": proof}]})
            if code != 201:
                continue
            declaration_id, steps = body["items"][0]["id"], 0
            while not self.stop.is_set() and steps < 20:
                steps += 1
                code, seen = self.call("read", "unit_reviewer", "GET", f"/declarations/{declaration_id}")
                if code != 200:
                    continue
                if seen["status"] == "pending":
                    task_id = self.find_task("authority_reviewer", "unit_declaration", "declaration", declaration_id)
                    if task_id is not None:
                        self.call("approve_declaration", "authority_reviewer", "POST", f"/tasks/{task_id}/complete",
                                  json={"decision": "approve"})
                elif seen["status"] == "approved":
                    fail = i % 3000 < 1000
                    self.call("verify_declaration", "authority_reviewer", "POST",
                              f"/declarations/{declaration_id}/verification",
                              json={"result": "fail", "reason": "崩溃测试审验"} if fail else {"result": "pass"})
                else:
                    break


class SupplementaryClient(Client):
    """Supplements of last year (学时增补) by 李娜 and 张伟 of unit 1, one at a time, on each route
    with a seeded claim until one is filed there: ask; the unit agrees (or, now and then, refuses;
    or the trainee withdraws first); an entry of 0.5 h and a proof; report (个人上报) or, now and
    then, withdraw (撤销增补); the unit and 学时办 approve (or send it back: reported again, or
    withdrawn); 省级备案 files it. Every step starts from the record as the server has it, so a step
    cut off by a kill is seen (done or not) and the supplement carries on from its status."""

    def run(self) -> None:
        self.year = server_today().year - 1
        slots = [(trainee, route) for trainee in SUPPLEMENT_TRAINEES for route, _details in ROUTES]
        i = self.n
        while not self.stop.is_set() and slots:
            i += 1000
            slot = slots[(i // 1000) % len(slots)]
            if self.supplement(i, *slot):
                slots.remove(slot)  # filed there (or nothing more may be asked): the next slot

    def current(self, trainee: str, route: str) -> tuple[bool, int | None]:
        """(answered, the trainee's live supplement on the route, if any)."""
        code, body = self.call("read", trainee, "GET", "/supplementary")
        if code != 200:
            return False, None
        live = [s for s in body["items"] if s["route"] == route and s["year"] == self.year
                and s["status"] not in SUPPLEMENT_ENDED]
        return True, (live[0]["id"] if live else None)

    def supplement(self, i: int, trainee: str, route: str) -> bool:
        """One supplement on the slot, to its end; True once the slot has nothing more to do."""
        answered, record_id = self.current(trainee, route)
        if not answered:
            return False
        if record_id is None:
            code, body = self.call("ask_supplement", trainee, "POST", "/supplementary", json={"route": route})
            if code == 201:
                record_id = body["id"]
            else:  # unknown or already asked (an ask cut off by a kill): the list says; else it is over
                return code is not None and (body or {}).get("error", {}).get("code") != "already_requested"
        for _step in range(40):
            if self.stop.is_set():
                return False
            code, record = self.call("read", trainee, "GET", f"/supplementary/{record_id}")
            if code is None:
                continue
            if code != 200:
                return False
            status = record["status"]
            if status == "filed":
                return True
            if status in SUPPLEMENT_ENDED:
                return False
            if status == "requested":
                if random.random() < 0.1:
                    self.call("cancel_supplement", trainee, "POST", f"/supplementary/{record_id}/cancel")
                else:
                    refuse = random.random() < 0.15
                    self.decide("refuse_supplement" if refuse else "agree_supplement", "unit_reviewer", record_id,
                                {"decision": "refuse", "comment": "崩溃测试不同意增补"} if refuse
                                else {"decision": "agree"})
            elif status == "saved" and not record["entries"]:
                self.call("add_supplement_entry", trainee, "POST", f"/supplementary/{record_id}/entries", json={
                    "title": f"崩溃测试增补 {i}", "starts_on": f"{self.year}-05-10", "ends_on": f"{self.year}-05-10",
                    "hours": SUPPLEMENT_HOURS})
            elif status == "saved" and not record["files"]:
                self.call("upload_supplement", trainee, "POST", f"/supplementary/{record_id}/files",
                          files={"file": ("证书.png", png_bytes(), "image/png")}, data={"description": "结业证书"})
            elif status == "saved" or status in SUPPLEMENT_REJECTED:
                if random.random() < (0.1 if status == "saved" else 0.3):
                    self.call("cancel_supplement", trainee, "POST", f"/supplementary/{record_id}/cancel")
                    continue
                code, body = self.call("submit_supplement", trainee, "POST", f"/supplementary/{record_id}/submit")
                if (body or {}).get("error", {}).get("code") == "cap_exceeded":  # the route is full: withdraw
                    self.call("cancel_supplement", trainee, "POST", f"/supplementary/{record_id}/cancel")
            elif status in SUPPLEMENT_REVIEWS:
                step, reviewer = SUPPLEMENT_REVIEWS[status]
                reject = step != "provincial_filing" and random.random() < 0.15
                self.decide(f"{'reject' if reject else 'approve'}_supplement_{step}", reviewer, record_id,
                            {"decision": "reject", "comment": "崩溃测试退回"} if reject else {"decision": "approve"})
            else:
                return False
        return False

    def decide(self, kind: str, user: str, record_id: int, body: dict[str, Any]) -> None:
        task_id = self.find_task(user, "supplementary_claim", "supplementary", record_id)
        if task_id is not None:  # none: the step was done (a cut-off answer) or the server is down
            self.call(kind, user, "POST", f"/tasks/{task_id}/complete", json=body)


def credit_code(tag: str, n: int) -> str:
    """A valid unified social credit code (GB 32100), one per (tag, n): 91, region 330100, then
    ``tag`` and n in base 31 as the organisation code, and the app's own check character."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from app.domain.credit_code import ALPHABET, check_character

    digits = ""
    for _ in range(7):
        n, rest = divmod(n, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    first17 = f"91330100{tag}{digits}"
    return first17 + check_character(first17)


class UnitProcessClient(Client):
    """The organisation processes added later, in turn until told to stop: a unit registers (用人单位注册,
    a new name, code and administrator's username each round) and the city authority approves or
    refuses it; unit 1's administrator asks for a new name and/or credit code (修改单位信息) and the
    city authority approves or turns it down, or the unit cancels first; 李娜 asks to change her phone,
    political status and/or title series (人员信息修改) and unit 1's reviewer approves or rejects it,
    or she withdraws first. Each decision is made from the record as the server has it, so one cut
    off by a kill is seen (done or not) and made again only if still waiting; a change a cut-off round
    left waiting is found in the reviewer's inbox (or through the trainee's own page) next round."""

    def run(self) -> None:
        self.city, self.unit = self.org_of("authority_reviewer", "reviewer"), self.org_of(UNIT_ADMIN, "admin")
        i = 0
        while not self.stop.is_set():
            i += 1
            self.registration_round(i)
            self.info_change_round(i)
            self.profile_change_round(i)

    def org_of(self, user: str, role: str) -> int:
        while True:  # the server may be down for a moment
            code, me = self.call("read", user, "GET", "/me")
            if code == 200:
                return next(r["org_id"] for r in me["roles"] if r["role"] == role)

    def steps(self, limit: int = 20) -> Any:
        """Yield until told to stop or ``limit`` answered steps (a step the server never answered,
        while it is down, does not count: the caller sets ``self.answered``)."""
        answered = 0
        while not self.stop.is_set() and answered < limit:
            self.answered = False
            yield
            answered += self.answered

    def decide(self, kind: str, user: str, process: str, record_type: str, record_id: int, decision: str) -> None:
        task_id = self.find_task(user, process, record_type, record_id)
        if task_id is not None:  # none: decided already (an answer cut off) or the server is down
            self.call(f"{decision}_{kind}", user, "POST", f"/tasks/{task_id}/complete",
                      json={"decision": decision, **({"comment": "崩溃测试不通过"} if decision == "reject" else {})})

    def registration_round(self, i: int) -> None:
        tag = self.n * 100000 + i
        name = f"{REGISTERED}{self.n}-{i}有限公司"
        body = {"name": name, "unit_type": "企业", "industry": "道路运输业", "credit_code": credit_code("CR", tag),
                "parent_id": self.city, "username": f"crash{self.n}u{i}", "admin_name": "崩溃测试",
                "phone": f"139{tag:08d}", "password": PASSWORD}
        registration_id = None
        for _ in self.steps():
            code, answer = self.call("register_unit", None, "POST", "/units", json=body)
            self.answered = code is not None
            if code == 201:
                registration_id = answer["id"]
                break
            if code == 422 and "username" in ((answer or {}).get("error") or {}).get("fields", {}):
                # a cut-off registration committed: it waits in the authority's inbox under its name
                registration_id = self.waiting_registration(name)
                break
            if code is not None:
                return  # refused otherwise: the checks will say whether wrongly
        if registration_id is None:
            return
        decision = "approve" if random.random() < 0.7 else "reject"
        for _ in self.steps():
            code, seen = self.call("read", "authority_reviewer", "GET", f"/unit-registrations/{registration_id}")
            self.answered = code is not None
            if code is None:
                continue
            if code != 200 or seen["status"] != "pending":
                return
            self.decide("unit_registration", "authority_reviewer", "unit_registration", "unit_registration",
                        registration_id, decision)

    def waiting_registration(self, name: str) -> int | None:
        for _ in self.steps(5):
            page = 1
            while True:
                code, body = self.call("inbox", "authority_reviewer", "GET", "/tasks",
                                       params={"process": "unit_registration", "per_page": 100, "page": page})
                self.answered = code is not None
                if code != 200:
                    break
                found = [t["record"]["id"] for t in body["items"] if t["subject"] == name]
                if found:
                    return found[0]
                if page * 100 >= body["total"]:
                    return None
                page += 1
        return None

    def info_change_round(self, i: int) -> None:
        change_id = self.open_record("authority_reviewer", "unit_change")  # one a cut-off round left waiting
        if change_id is None:
            tag, pick = self.n * 100000 + i, random.random()
            body = {"reason": "崩溃测试修改单位信息",
                    **({"name": f"演示交通工程有限公司（崩溃测试{self.n}-{i}）"} if pick < 0.7 else {}),
                    **({"code": credit_code("CU", tag)} if pick >= 0.4 else {})}
            code, answer = self.call("ask_unit_info_change", UNIT_ADMIN, "POST", f"/units/{self.unit}/changes",
                                     json=body)
            if code != 201:  # unknown, or a change cut off earlier still waits: the next round finds it
                return
            change_id = answer["id"]
        pick = random.random()
        for _ in self.steps():
            code, seen = self.call("read", UNIT_ADMIN, "GET", f"/unit-changes/{change_id}")
            self.answered = code is not None
            if code is None:
                continue
            if code != 200 or seen["status"] != "pending":
                return
            if pick < 0.15:
                self.call("cancel_unit_info_change", UNIT_ADMIN, "POST", f"/unit-changes/{change_id}/cancel",
                          json={"reason": "崩溃测试撤销"})
            else:
                self.decide("unit_info_change", "authority_reviewer", "unit_change", "unit_change", change_id,
                            "approve" if pick < 0.75 else "reject")

    def profile_change_round(self, i: int) -> None:
        code, mine = self.call("read", INFO_TRAINEE, "GET", "/me/profile-change")
        if code != 200:
            return
        if mine["pending"] is not None:  # one a cut-off round left waiting
            change_id = mine["pending"]["id"]
        else:
            values, pick = mine["values"], random.random()
            body = {"phone": f"137{(self.n * 100000 + i) % 10 ** 8:08d}"} if pick < 0.7 else {}
            if pick >= 0.4:
                body["political_status"] = random.choice([p for p in POLITICAL if p != values["political_status"]])
            if pick >= 0.2:
                body["title_series"] = random.choice([t for t in SERIES if t != values["title_series"]])
            code, answer = self.call("ask_profile_change", INFO_TRAINEE, "POST", "/me/profile-change", json=body)
            if code != 201:  # unknown or already asked: the next round sees it pending (or not)
                return
            change_id = answer["id"]
        pick = random.random()
        for _ in self.steps():
            code, mine = self.call("read", INFO_TRAINEE, "GET", "/me/profile-change")
            self.answered = code is not None
            if code is None:
                continue
            if code != 200 or (mine["pending"] or {}).get("id") != change_id:
                return
            if pick < 0.15:
                self.call("withdraw_profile_change", INFO_TRAINEE, "POST", "/me/profile-change/withdraw", ref=change_id)
            else:
                self.decide("profile_change", "unit_reviewer", "person_info_change", "person_info_change", change_id,
                            "approve" if pick < 0.75 else "reject")


def login(base: str, users: tuple[str, ...]) -> dict[str, str]:
    tokens = {}
    for user in users:
        r = requests.post(base + "/auth/token", json={"username": user, "password": PASSWORD}, timeout=60)
        r.raise_for_status()
        tokens[user] = r.json()["access_token"]
    return tokens


def group_alive(pgid: int) -> bool:
    """Is a process of the group still running? (Zombies do not count: nobody may reap them here.)"""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    with log.open("a") as fh:  # its own session: os.killpg reaches the master and every worker
        return subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers",
                                 str(workers), "--bind", f"127.0.0.1:{port}", "app:create_app()"],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def kill_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGKILL)  # pgid == pid (start_new_session)
    server.wait()
    deadline = time.monotonic() + 10
    while group_alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)


def fresh_database(db: str, tmp: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{tmp / 'crash.db'}"
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_crash WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_crash")
    return PG_URL


# On PYTHONPATH of the faked processes only. libfaketime 0.9.10 (Debian 12) moves the absolute
# deadline of clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) by the offset even when the monotonic
# clock is not faked (wolfcw/libfaketime#426), and Python 3.11's time.sleep is that call: EINVAL
# (gunicorn's master died of it). Faking the monotonic clock as well is worse: timed thread waits
# (sem_clockwait, which it does not intercept) would wait for the offset, weeks. So the monotonic
# clock stays real and time.sleep waits in select(), whose relative timeout libfaketime passes on.
SLEEP_SHIM = '''"""bench/crash.py: time.sleep without clock_nanosleep under libfaketime (see crash.py)."""
import select
import time


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
'''
PROBE = ("import threading, time; time.sleep(0.01); threading.Event().wait(0.01); "
         "print(time.time(), time.monotonic())")


def fake_clock(tmp: Path) -> tuple[dict[str, str], datetime.timedelta] | str:
    """libfaketime's environment putting a process's clock on 10 January of next year, 10:00 China
    time, and the offset; or why it cannot (then the supplements are skipped)."""
    if not LIBFAKETIME.exists():
        return f"libfaketime is not installed ({LIBFAKETIME} missing: apt-get install faketime)"
    shim = tmp / "faketime"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SLEEP_SHIM)
    now = datetime.datetime.now(datetime.UTC)
    target = datetime.datetime(now.astimezone(SHANGHAI).year + 1, 1, 10, 10, 0, tzinfo=SHANGHAI)
    offset = math.ceil((target - now).total_seconds())
    env = {"LD_PRELOAD": " ".join(filter(None, (str(LIBFAKETIME), os.environ.get("LD_PRELOAD")))),
           "FAKETIME": f"+{offset}", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, (str(shim), os.environ.get("PYTHONPATH"))))}
    try:  # the clock moved, the monotonic one did not, and sleeping and timed waits work
        probe = subprocess.run([str(BIN / "python"), "-c", PROBE], env={**os.environ, **env}, capture_output=True,
                               text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "a Python under libfaketime hung (a sleep or a timed wait)"
    try:
        seen, monotonic = (float(x) for x in probe.stdout.split())
    except ValueError:
        return f"a Python under libfaketime failed: {probe.stderr.strip()[-300:]}"
    if abs(seen - time.time() - offset) > 60 or abs(monotonic - time.monotonic()) > 60:
        return f"libfaketime did not move the clock as asked (+{offset} s asked, {seen - time.time():+.0f} s seen)"
    return env, datetime.timedelta(seconds=offset)


def check_server_clock(port: int) -> None:
    """The server's own clock (its Date header) is the fake one: else the run means nothing."""
    date = requests.get(f"http://127.0.0.1:{port}/", timeout=30, allow_redirects=False).headers.get("Date")
    seen = email.utils.parsedate_to_datetime(date) if date else None
    if seen is None or abs(seen - server_now()) > datetime.timedelta(minutes=5):
        raise SystemExit(f"the server's clock is {seen}, not {server_now():%Y-%m-%d %H:%M} (libfaketime)")


def seed_supplement_basis(url: str, tmp: Path) -> int:
    """Last year's approved claims a supplement needs (see the module's docstring), made in this
    process under the real clock, whose year is the server's last year. Returns that year."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from app import create_app
    from app.cli.demo import PROFILE
    from app.clock import today
    from app.db import transaction
    from app.extensions import db
    from app.models import Organisation, User
    from app.processes.credit_claim.service import open_demo_window
    from app.processes.enrollment.service import demo_enrol
    from app.services import accounts

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE": {"LOCAL_ROOT": str(tmp / "uploads")},
                      "CLAIMS": {"MIN_PROOFS": 0}})  # as BENCH_ENV for the server
    http, tokens = app.test_client(), {}

    def call(user: str, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        if user not in tokens:
            tokens[user] = http.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}) \
                .get_json()["access_token"]
        r = http.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {tokens[user]}"}, **kwargs)
        if r.status_code != expected:
            raise SystemExit(f"seeding supplements: {method} {path} as {user} answered {r.status_code}: {r.get_data()}")
        return r.get_json()

    with app.app_context():
        year = today().year
        if year != server_today().year - 1:
            raise SystemExit(f"seeding supplements: the real year {year} is not the server's last year")
        with transaction():  # the demo's own way to a year's open window and approved enrolments
            open_demo_window(year)
            reviewer = db.session.scalar(select(User).where(User.username == "unit_reviewer"))
            for id_number in SUPPLEMENT_TRAINEES:
                trainee = db.session.scalar(select(User).where(User.username == id_number))
                unit = db.session.get(Organisation, accounts.trainee_unit(trainee.id))
                demo_enrol(trainee, unit, reviewer, year, dict(PROFILE))
        for trainee in SUPPLEMENT_TRAINEES:
            for route, details in ROUTES:
                claim = call(trainee, "POST", "/claims", 201, json={
                    "year": year, "route": route, "title": SEED_TITLE, "details": details,
                    "hours_requested": SEED_HOURS})
                call(trainee, "POST", f"/claims/{claim['id']}/submit", 200)
                for reviewer in (UNIT_REVIEWER[trainee], "authority_reviewer"):
                    inbox = call(reviewer, "GET", "/tasks", 200,
                                 query_string={"process": "credit_claim", "per_page": 100})
                    task = next(t for t in inbox["items"] if t["record"] == {"type": "claim", "id": claim["id"]})
                    call(reviewer, "POST", f"/tasks/{task['id']}/complete", 200,
                         json={"decision": "approve", "hours": SEED_HOURS})
                if call(trainee, "GET", f"/claims/{claim['id']}", 200)["status"] != "approved":
                    raise SystemExit(f"seeding supplements: claim {claim['id']} is not approved")
        db.session.remove()
        db.engine.dispose()
    return year


def unit_process_problems(registrations: dict[int, Any], info_changes: dict[int, Any], person_changes: dict[int, Any],
                          current_values: Any) -> list[str]:
    """(iii) for the unit processes, in the app context of ``verify``: every approved registration has
    its one organisation (its name, code and parent) and the applicant holds admin and super_admin
    there, and nothing else; a refused or waiting one has no organisation and gave no role; every
    registered organisation has its approved registration; an organisation's name and code are
    what its approved info changes made them, in order (each change asked against the values the
    approvals before it left), and each approval wrote one administrative event, nothing else did;
    a person's details are what the approved person info changes made them, each asked against the
    values before it; a waiting record waits on an open task, a decided one on none."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import HumanTask, Organisation, ProcessEvent, RoleAssignment

    problems: list[str] = []
    orgs = list(db.session.scalars(select(Organisation)))
    roles = collections.defaultdict(set)
    for user_id, org_id, role in db.session.execute(select(RoleAssignment.user_id, RoleAssignment.org_id,
                                                           RoleAssignment.role)):
        roles[user_id].add((org_id, role))
    events = collections.Counter()
    for action, record_id, data in db.session.execute(select(ProcessEvent.action, ProcessEvent.record_id,
                                                             ProcessEvent.data).where(
            ProcessEvent.instance_id.is_(None),
            ProcessEvent.action.in_(("account_register", "role_change", "unit_info_change")))):
        events[action, (data or {}).get("change_id") if action == "unit_info_change" else record_id] += 1
    open_tasks = set(db.session.scalars(select(HumanTask.instance_id).where(HumanTask.status == "open")))
    for registration in registrations.values():
        what = f"unit registration {registration.id} ({registration.status})"
        same_code = [o for o in orgs if o.code == registration.credit_code]
        held = sorted(roles[registration.applicant_id])
        if registration.status == "approved":
            org = next((o for o in orgs if o.id == registration.org_id), None)
            if org is None or [o.id for o in same_code] != [org.id] or \
                    (org.name, org.parent_id, org.kind) != (registration.name, registration.parent_id, "unit"):
                problems.append(f"{what}: organisation {registration.org_id}, organisations with its code "
                                f"{[o.id for o in same_code]}")
            if held != [(registration.org_id, "admin"), (registration.org_id, "super_admin")]:
                problems.append(f"{what}: the applicant's roles are {held}")
        elif registration.org_id is not None or (same_code and registration.conflict is None) or \
                held:
            problems.append(f"{what}: organisation {registration.org_id}, organisations with its code "
                            f"{[o.id for o in same_code]}, applicant's roles {held}")
        if events["account_register", registration.applicant_id] != 1 or \
                events["role_change", registration.applicant_id] != (registration.status == "approved"):
            problems.append(f"{what}: {events['account_register', registration.applicant_id]} account_register and "
                            f"{events['role_change', registration.applicant_id]} role_change events of its applicant")
    approved = {r.org_id for r in registrations.values() if r.status == "approved"}
    problems += [f"organisation {o.id} {o.name!r} without its approved registration" for o in orgs
                 if o.name.startswith(REGISTERED) and o.id not in approved]
    by_org = collections.defaultdict(list)
    for change in sorted(info_changes.values(), key=lambda c: c.id):
        by_org[change.org_id].append(change)
    for org_id, changes in by_org.items():
        name, code = changes[0].old_name, changes[0].old_code
        for change in changes:
            if (change.old_name, change.old_code) != (name, code):
                problems.append(f"unit info change {change.id} was asked when organisation {org_id} was "
                                f"{(change.old_name, change.old_code)}, but approvals before it left {(name, code)}")
            if change.status == "approved":
                name, code = change.new_name or name, change.new_code or code
            if events["unit_info_change", change.id] != (change.status == "approved"):
                problems.append(f"unit info change {change.id} ({change.status}): "
                                f"{events['unit_info_change', change.id]} unit_info_change events")
        org = next(o for o in orgs if o.id == org_id)
        if (org.name, org.code) != (name, code):
            problems.append(f"organisation {org_id} is {(org.name, org.code)}, its approved info changes made it "
                            f"{(name, code)}")
    by_person = collections.defaultdict(list)
    for change in sorted(person_changes.values(), key=lambda c: c.id):
        by_person[change.person_id].append(change)
    for person_id, changes in by_person.items():
        expected: dict[str, Any] = {}
        for change in changes:
            for field, item in change.changes.items():
                if expected.setdefault(field, item["old"]) != item["old"]:
                    problems.append(f"person info change {change.id} was asked when {field} was {item['old']!r}, "
                                    f"but the approvals before it left {expected[field]!r}")
            if change.status == "approved":
                expected.update({field: item["new"] for field, item in change.changes.items()})
            if (change.applied_at is not None) != (change.status == "approved"):
                problems.append(f"person info change {change.id} ({change.status}) applied at {change.applied_at}")
        now = current_values(person_id)
        wrong = {field: (now.get(field), value) for field, value in expected.items() if now.get(field) != value}
        if wrong:
            problems.append(f"person {person_id}: (now, as the approved changes made it) {wrong}")
    for what, records in (("unit registration", registrations), ("unit info change", info_changes),
                          ("person info change", person_changes)):
        for record in records.values():
            if (record.status == "pending") != (record.instance_id in open_tasks):
                problems.append(f"{what} {record.id} is {record.status!r}; its instance {record.instance_id} has "
                                f"{'an' if record.instance_id in open_tasks else 'no'} open task")
    return problems


def verify(url: str, entries: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """(i) consistency, (ii) acknowledged writes, (iii) half changes, in this process (its app clock
    frozen at the server's present: the engine's timers read it)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import and_, exists, func, not_, or_, select

    from app import create_app
    from app.clock import CLOCK
    from app.extensions import db
    from app.models import (
        Attachment,
        Certificate,
        HourEntry,
        HumanTask,
        Organisation,
        ProcessEvent,
        ProcessInstance,
        RoleAssignment,
        User,
    )
    from app.processes.class_enrollment.models import ClassEnrollment
    from app.processes.credit_claim.models import Claim
    from app.processes.person_info_change import service as person_info
    from app.processes.person_info_change.models import PersonInfoChange
    from app.processes.provider_postfiling.models import PostFiling
    from app.processes.provider_prefiling.models import PreFiling
    from app.processes.staff_transfer.models import StaffTransfer
    from app.processes.supplementary_claim.models import Supplementary, SupplementaryEntry
    from app.processes.unit_change.models import INFO, PARENT, UnitChange
    from app.processes.unit_declaration.models import Declaration
    from app.processes.unit_registration.models import UnitRegistration
    from app.services import plugins
    from app.services.consistency import check_all

    CLOCK.freeze(server_now())
    with create_app({"SQLALCHEMY_DATABASE_URI": url}).app_context():
        report = check_all()
        problems = [f"consistency: instance {p.instance_id}: [{p.check}] {p.what}" for p in report.problems]
        ok = [e for e in entries if e["outcome"] == "ok"]
        claims = {c.id: c for c in db.session.scalars(select(Claim).where(Claim.title != SEED_TITLE))}
        transfers = {t.id: t for t in db.session.scalars(select(StaffTransfer).where(
            StaffTransfer.reason == "崩溃测试调动"))}
        changes = {c.id: c for c in db.session.scalars(select(UnitChange).where(UnitChange.kind == PARENT))}
        info_changes = {c.id: c for c in db.session.scalars(select(UnitChange).where(UnitChange.kind == INFO))}
        registrations = {r.id: r for r in db.session.scalars(select(UnitRegistration))}
        person_changes = {c.id: c for c in db.session.scalars(select(PersonInfoChange))}
        filings = {f.id: f for f in db.session.scalars(select(PreFiling).where(
            PreFiling.class_name.startswith(FILING_CLASS)))}
        enrolments = {e.id: e for e in db.session.scalars(select(ClassEnrollment))}
        postfilings = {p.id: p for p in db.session.scalars(select(PostFiling))}
        postfiling_credits = db.session.scalar(select(func.count(HourEntry.id)).where(HourEntry.source == "postfiling"))
        postfiling_certificates = db.session.scalar(select(func.count(Certificate.id)).where(
            Certificate.source == "postfiling"))
        declarations = {d.id: d for d in db.session.scalars(select(Declaration).where(
            Declaration.content.startswith("崩溃测试")))}
        supplements = {s.id: s for s in db.session.scalars(select(Supplementary))}
        supplement_entries = {e.id: e for e in db.session.scalars(select(SupplementaryEntry))}
        supplement_files = {a.id: a for a in db.session.scalars(select(Attachment).where(
            Attachment.record_type == "supplementary"))}
        supplement_credits = collections.defaultdict(list)
        for row in db.session.scalars(select(HourEntry).where(HourEntry.source == "supplementary")):
            supplement_credits[row.source_id].append(row)
        supplement_year = server_today().year - 1
        tasks = {t.id: t for t in db.session.scalars(select(HumanTask))}
        ledger = {e.source_id: e for e in db.session.scalars(select(HourEntry).where(HourEntry.source == "claim"))}
        decided = set(db.session.execute(select(ProcessEvent.instance_id, ProcessEvent.task_spec,
                                                ProcessEvent.decision).where(ProcessEvent.decision.is_not(None))))
        records = {"transfer": transfers, "unit_change": changes}
        for e in ok:  # (ii) what a client was told happened, happened
            kind = e["kind"]
            if kind.startswith(("approve_", "accept_", "forward_", "agree_", "refuse_", "reject_")):
                # a task completion: the row and its event
                decision, task = kind.split("_", 1)[0], tasks.get(e["id"])
                if task is None or (task.status, task.decision) != ("completed", decision):
                    problems.append(f"task {e['id']} {kind} (200): row is {task and (task.status, task.decision)}")
                elif (task.instance_id, task.task_spec, decision) not in decided:
                    problems.append(f"task {task.id} {kind} (200): no event on instance {task.instance_id}")
            if kind in ("file_transfer", "ask_parent_change"):
                record = records["transfer" if kind == "file_transfer" else "unit_change"].get(e["id"])
                if record is None or record.instance_id is None:
                    problems.append(f"{kind} answered {e['http']} for record {e['id']}: not in the database")
            elif kind == "file_filing" and filings.get(e["id"]) is None:
                problems.append(f"filing {e['id']} answered {e['http']}: not in the database")
            elif kind == "submit_filing":
                filing = filings.get(int(e["path"].split("/")[2]))
                if filing is None or filing.submitted_at is None or filing.status in ("draft", "rolled_back"):
                    problems.append(f"filing {e['path']} submitted (200): {filing and filing.status}")
            elif kind == "approve_hr_review":
                filing = filings.get(e["record"]["id"])
                if filing is None or filing.status != "filed" or filing.filed_at is None:
                    problems.append(f"filing {e['record']['id']} filed (200): "
                                    f"{filing and (filing.status, filing.filed_at)}")
            elif kind == "submit_enrolment":
                enrolment = enrolments.get(int(e["path"].split("/")[2]))
                if enrolment is None or enrolment.submitted_at is None or not enrolment.holds_seat:
                    problems.append(f"enrolment {e['path']} submitted (200): "
                                    f"{enrolment and (enrolment.status, enrolment.holds_seat)}")
            elif kind == "approve_provider_review":
                enrolment = enrolments.get(e["record"]["id"])
                if enrolment is None or enrolment.status != "approved" or enrolment.approved_at is None:
                    problems.append(f"enrolment {e['record']['id']} approved (200): "
                                    f"{enrolment and (enrolment.status, enrolment.approved_at)}")
            elif kind == "approve_postfiling":
                postfiling = postfilings.get(e["record"]["id"])
                if postfiling is None or postfiling.status != "filed" or postfiling.filed_at is None:
                    problems.append(f"post-filing {e['record']['id']} filed (200): {postfiling and postfiling.status}")
            elif kind == "delete_enrolment":
                enrolment = enrolments.get(int(e["path"].split("/")[2]))
                if enrolment is None or enrolment.deleted_at is None or enrolment.live_key is not None:
                    problems.append(f"enrolment {e['path']} deleted (200): {enrolment and enrolment.status}")
            elif kind == "declare":
                declared = [declarations.get(item["id"]) for item in e.get("items", [])]
                if not declared or any(d is None or d.instance_id is None for d in declared):
                    problems.append(f"declaration answered {e['http']}: not in the database")
            elif kind == "verify_declaration":
                declaration = declarations.get(int(e["path"].split("/")[2]))
                if declaration is None or declaration.status not in ("verified", "revoked") or \
                        (declaration.status == "revoked") != (declaration.revoked_at is not None):
                    problems.append(f"declaration {e['path']} verified (200): {declaration and declaration.status}")
            elif kind == "approve_declaration":
                declaration = declarations.get(e["record"]["id"])
                if declaration is None or declaration.status not in ("approved", "verified", "revoked"):
                    problems.append(f"declaration {e['record']['id']} approved (200): "
                                    f"{declaration and declaration.status}")
            elif kind == "ask_supplement":
                supplement = supplements.get(e["id"])
                if supplement is None or supplement.instance_id is None or supplement.year != supplement_year:
                    problems.append(f"supplement {e['id']} asked (201): {supplement and supplement.year}")
            elif kind in ("agree_supplement", "refuse_supplement"):
                supplement = supplements.get(e["record"]["id"])
                consent = "agreed" if kind == "agree_supplement" else "refused"
                if supplement is None or supplement.consent != consent or \
                        (consent == "refused") != (supplement.status == "refused"):
                    problems.append(f"supplement {e['record']['id']} {consent} (200): "
                                    f"{supplement and (supplement.consent, supplement.status)}")
            elif kind == "add_supplement_entry":
                entry = supplement_entries.get(e["id"])
                if entry is None or entry.claim_id != int(e["path"].split("/")[2]):
                    problems.append(f"entry {e['id']} added to {e['path']} (201): not in the database")
            elif kind == "upload_supplement":
                proof = supplement_files.get(e["id"])
                if proof is None or proof.record_id != int(e["path"].split("/")[2]):
                    problems.append(f"proof {e['id']} uploaded to {e['path']} (201): not in the database")
            elif kind == "submit_supplement":
                supplement = supplements.get(int(e["path"].split("/")[2]))
                if supplement is None or supplement.submitted_at is None or \
                        supplement.status in ("requested", "saved", "refused"):
                    problems.append(f"supplement {e['path']} reported (200): {supplement and supplement.status}")
            elif kind == "cancel_supplement":
                supplement = supplements.get(int(e["path"].split("/")[2]))
                if supplement is None or supplement.status != "cancelled":
                    problems.append(f"supplement {e['path']} withdrawn (200): {supplement and supplement.status}")
            elif kind == "approve_supplement_provincial_filing":
                supplement = supplements.get(e["record"]["id"])
                if supplement is None or supplement.status != "filed":
                    problems.append(f"supplement {e['record']['id']} filed (200): {supplement and supplement.status}")
            elif kind == "register_unit":
                registration = registrations.get(e["id"])
                if registration is None or registration.instance_id is None:
                    problems.append(f"unit registration {e['id']} answered 201: not in the database")
            elif kind in ("approve_unit_registration", "reject_unit_registration"):
                registration = registrations.get(e["record"]["id"])
                if getattr(registration, "status", None) != DECIDED[kind.split("_", 1)[0]]:
                    problems.append(f"unit registration {e['record']['id']} {kind} (200): "
                                    f"{registration and registration.status}")
            elif kind in ("ask_unit_info_change", "cancel_unit_info_change", "approve_unit_info_change",
                          "reject_unit_info_change"):
                change = info_changes.get(e["id"] if kind.startswith(("ask_", "cancel_")) else e["record"]["id"])
                expected = {"ask": None, "cancel": "cancelled"}.get(kind.split("_", 1)[0]) or \
                    DECIDED.get(kind.split("_", 1)[0])
                if change is None or change.instance_id is None or (expected and change.status != expected):
                    problems.append(f"unit info change {e.get('id')} {kind} (2xx): {change and change.status}")
            elif kind in ("ask_profile_change", "withdraw_profile_change", "approve_profile_change",
                          "reject_profile_change"):
                change = person_changes.get(e["id"] if kind.startswith(("ask_", "withdraw_")) else e["record"]["id"])
                expected = {"ask": None, "withdraw": "withdrawn"}.get(kind.split("_", 1)[0]) or \
                    DECIDED.get(kind.split("_", 1)[0])
                if change is None or change.instance_id is None or (expected and change.status != expected):
                    problems.append(f"person info change {e.get('id')} {kind} (2xx): {change and change.status}")
            elif kind == "accept_transfer":
                transfer = transfers.get(e["record"]["id"])
                if transfer is None or transfer.status != "accepted" or transfer.moved_at is None:
                    problems.append(f"transfer {e['record']['id']} accepted (200): "
                                    f"{transfer and (transfer.status, transfer.moved_at)}")
            if kind not in CLAIM_KINDS:
                continue
            claim = claims.get(e["record"]["id"] if "record" in e else e.get("id"))
            status = getattr(claim, "status", None)
            if kind.startswith("approve_"):
                if status not in (("authority_review", "approved") if kind == "approve_unit_review" else ("approved",)):
                    problems.append(f"claim {e['record']['id']} after {kind} (200) is {status!r}")
            elif claim is None or claim.instance_id is None:
                problems.append(f"{kind} answered {e['http']} for claim {e['id']}: not in the database")
            elif kind == "submit" and (status == "draft" or claim.submitted_at is None):
                problems.append(f"submit of claim {claim.id} answered 200: {status!r}, submitted {claim.submitted_at}")
            if status == "approved" and claim.id not in ledger:  # approved per the answer and the table
                problems.append(f"claim {claim.id} is approved: no ledger row")
        # The person and the unit are where the latest approvals put them.
        mover = db.session.scalar(select(User).where(User.username == MOVER))
        unit_now = db.session.scalar(select(RoleAssignment.org_id).where(
            RoleAssignment.user_id == mover.id, RoleAssignment.role == "trainee"))
        moved = [t for t in transfers.values() if t.status == "accepted"]
        if moved and unit_now != max(moved, key=lambda t: t.id).to_unit_id:
            problems.append(f"{MOVER} works for unit {unit_now}, not where the latest accepted transfer put them")
        applied = [c for c in changes.values() if c.status == "approved"]
        if applied:
            latest = max(applied, key=lambda c: c.id)
            parent = db.session.get(Organisation, latest.org_id).parent_id
            if parent != latest.new_parent_id:
                problems.append(f"unit {latest.org_id} is under {parent}, not where change {latest.id} put it")
        problems += unit_process_problems(registrations, info_changes, person_changes, person_info.current_values)
        # Every filed supplement stands once in last year's ledger with its person, route and hours; any
        # other supplement not at all (the plug-in's consistency check sums; this counts the rows).
        for supplement in supplements.values():
            rows = supplement_credits.get(supplement.id, [])
            expected = [(supplement.trainee_id, supplement_year, supplement.route, supplement.hours_total)] \
                if supplement.status == "filed" else []
            if [(r.user_id, r.year, r.route, r.hours) for r in rows] != expected or \
                    supplement.year != supplement_year:
                problems.append(f"supplement {supplement.id} ({supplement.status}, {supplement.year}): ledger rows "
                                f"{[(r.user_id, r.year, r.route, r.hours) for r in rows]}, expected {expected}")
        # Unknown outcomes: a write never answered, and never retried with success, that is in the
        # database anyway - proof that kills land after commits as well as before them.
        creations = {"create": claims, "file_transfer": transfers, "ask_parent_change": changes, "file_filing": filings,
                     "ask_supplement": supplements, "ask_unit_info_change": info_changes,
                     "ask_profile_change": person_changes, "register_unit": {
                         r.id: r for r in registrations.values() if r.name.startswith(REGISTERED)}}
        retried = {(e["kind"], e["path"]) for e in ok} | {(e["kind"], e["id"]) for e in ok
                                                          if e["kind"] == "withdraw_profile_change"}
        committed = sum(len(rows) - len({e["id"] for e in ok if e["kind"] == kind}) for kind, rows in creations.items())
        for e in entries:
            if (e["outcome"], e["method"]) == ("unknown", "POST") and e["kind"] not in creations \
                    and e["kind"] not in ("submit_filing", "upload_filing", "enrol", "submit_enrolment", "declare",
                                          "verify_declaration", "add_supplement_entry", "upload_supplement") \
                    and (e["kind"], e.get("ref", e["path"])) not in retried:
                row_id = e["ref"] if "ref" in e else int(e["path"].split("/")[2])
                if e["kind"] == "cancel_unit_info_change":
                    done = info_changes[row_id].status == "cancelled"
                elif e["kind"] == "withdraw_profile_change":
                    done = person_changes[row_id].status == "withdrawn"
                elif e["kind"] == "submit":
                    done = claims[row_id].submitted_at
                elif e["kind"] in ("submit_supplement", "cancel_supplement"):
                    supplement = supplements[row_id]
                    done = supplement.submitted_at if e["kind"] == "submit_supplement" else \
                        supplement.status == "cancelled"
                else:
                    done = tasks[row_id].status == "completed"
                committed += bool(done)
        half = {  # (iii) SQL straight over the tables, independent of the consistency module
            "completed task without its event": select(HumanTask.id).where(
                HumanTask.status == "completed", not_(exists().where(
                    ProcessEvent.instance_id == HumanTask.instance_id, ProcessEvent.task_spec == HumanTask.task_spec,
                    ProcessEvent.decision == HumanTask.decision))),
            "ledger row of a declaration never approved": select(HourEntry.id).outerjoin(
                Declaration, Declaration.id == HourEntry.source_id).where(
                HourEntry.source == "declaration",
                or_(Declaration.id.is_(None), Declaration.status.not_in(("approved", "verified", "revoked")))),
            "ledger row of a claim not approved": select(HourEntry.id).outerjoin(
                Claim, Claim.id == HourEntry.source_id).where(
                HourEntry.source == "claim", or_(Claim.id.is_(None), Claim.status != "approved")),
            "ledger row of a supplement not filed": select(HourEntry.id).outerjoin(
                Supplementary, Supplementary.id == HourEntry.source_id).where(
                HourEntry.source == "supplementary", or_(Supplementary.id.is_(None), Supplementary.status != "filed")),
        }
        for plugin in plugins.registry():  # every process's records and instances point at each other
            model = plugin.model
            half[f"{plugin.record_type} without its instance"] = select(model.id).outerjoin(
                ProcessInstance, ProcessInstance.id == model.instance_id).where(ProcessInstance.id.is_(None))
            half[f"{plugin.record_type} instance without its record"] = select(ProcessInstance.id).where(and_(
                ProcessInstance.record_type == plugin.record_type,
                not_(exists().where(model.id == ProcessInstance.record_id))))
        for what, query in half.items():
            problems += [f"{what}: {row_id}" for row_id in db.session.scalars(query)]
        stats = {"instances": report.checked["state"], "consistency_problems": len(report.problems),
                 "acknowledged": len(ok), "claims": len(claims),
                 "approved": sum(c.status == "approved" for c in claims.values()),
                 "ledger_rows": len(ledger.keys() & claims.keys()),
                 "transfers": len(transfers), "transfers_accepted": len(moved), "changes": len(changes),
                 "changes_approved": len(applied), "unknown_committed": committed, "filings": len(filings),
                 "filings_filed": sum(f.status == "filed" for f in filings.values()),
                 "enrolments": sum(e.trainee.username in TRAINEES for e in enrolments.values()),
                 "enrolments_approved": sum(e.status == "approved" and e.klass.status == "open"
                                            for e in enrolments.values()),
                 "postfilings": ", ".join(p.status for p in postfilings.values()) or "none",
                 "postfiling_credits": postfiling_credits, "postfiling_certificates": postfiling_certificates,
                 "declarations": len(declarations),
                 "declarations_verified": sum(d.status == "verified" for d in declarations.values()),
                 "declarations_revoked": sum(d.status == "revoked" for d in declarations.values()),
                 "supplement_year": supplement_year, "supplements": len(supplements),
                 **{f"supplements_{status}": sum(s.status == status for s in supplements.values())
                    for status in ("filed", "cancelled", "refused")},
                 "supplement_hours": sum((r.hours for rows in supplement_credits.values() for r in rows), 0),
                 "supplement_basis": db.session.scalar(select(func.count(HourEntry.id)).join(
                     Claim, Claim.id == HourEntry.source_id).where(HourEntry.source == "claim",
                                                                  HourEntry.year == supplement_year,
                                                                  Claim.title == SEED_TITLE)),
                 "registrations": sum(r.name.startswith(REGISTERED) for r in registrations.values()),
                 "info_changes": len(info_changes), "person_changes": len(person_changes),
                 **{f"registrations_{status}": sum(r.status == status and r.name.startswith(REGISTERED)
                                                   for r in registrations.values())
                    for status in ("pending", "approved", "rejected")},
                 "registered_units": db.session.scalar(select(func.count(Organisation.id)).where(
                     Organisation.name.startswith(REGISTERED))),
                 **{f"info_changes_{status}": sum(c.status == status for c in info_changes.values())
                    for status in ("pending", "approved", "rejected", "cancelled")},
                 "unit_now": ", ".join(f"{o.name} {o.code}" for o in db.session.scalars(select(Organisation).where(
                     Organisation.id.in_({c.org_id for c in info_changes.values()})))) or "-",
                 **{f"person_changes_{status}": sum(c.status == status for c in person_changes.values())
                    for status in ("pending", "approved", "rejected", "withdrawn")}}
        db.session.remove()
        db.engine.dispose()
    CLOCK.reset()
    return stats, list(dict.fromkeys(problems))  # one line per distinct problem


def main() -> None:
    global CLOCK_OFFSET
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    for option, default in (("--kills", 5), ("--clients", 4), ("--org-clients", 1), ("--filing-clients", 1),
                            ("--enrolment-clients", 1), ("--declaration-clients", 1),
                            ("--supplementary-clients", 1), ("--unit-clients", 1), ("--workers", 2)):
        parser.add_argument(option, type=int, default=default)
    parser.add_argument("--seconds-between", type=float, default=3.0)
    args = parser.parse_args()
    began = time.monotonic()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / f"crash-{args.db}-{datetime.datetime.now():%Y%m%dT%H%M%S}.jsonl"
    faked, skipped = {}, (None if args.supplementary_clients else "none (--supplementary-clients 0)")
    with tempfile.TemporaryDirectory(prefix=f"crash-{args.db}-") as tmpdir:
        tmp = Path(tmpdir)
        if args.supplementary_clients:  # the supplements' January window: the app's clock moves (docstring)
            clock = fake_clock(tmp)
            if isinstance(clock, str):
                skipped = f"skipped: {clock}; the other clients run in real time"
                print(f"supplementary client {skipped}", flush=True)
                args.supplementary_clients = 0
            else:
                faked, CLOCK_OFFSET = clock
                print(f"server clock (libfaketime {faked['FAKETIME']} s): "
                      f"{server_now().astimezone(SHANGHAI):%Y-%m-%d %H:%M} China time; supplements of "
                      f"{server_today().year - 1}", flush=True)
        url = fresh_database(args.db, tmp)
        env = {**os.environ, **BENCH_ENV, **faked, "APP_SQLALCHEMY_DATABASE_URI": url,
               "APP_STORAGE__LOCAL_ROOT": str(tmp / "uploads"),
               "APP_AUTH__MAX_REGISTRATIONS_PER_IP": "100000"}  # every unit registers from 127.0.0.1
        for command in (["db", "upgrade"], ["demo"]):  # under the server's clock
            done = flask(env, *command)
            if done.returncode:
                raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        if args.supplementary_clients:
            seed_supplement_basis(url, tmp)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        base, server_log = f"http://127.0.0.1:{port}/api/v1", tmp / "gunicorn.log"
        server = start_server(env, port, args.workers, server_log)
        log, stop, kills, in_flight = RequestLog(log_path), threading.Event(), 0, []
        try:
            wait_until_up(base, server, server_log)
            if faked:
                check_server_clock(port)
            tokens = {**login_all(base), **login(base, tuple(dict.fromkeys(
                ORG_USERS + FILING_USERS + DECLARATION_USERS + SUPPLEMENT_USERS + UNIT_USERS)))}
            first_filing = args.clients + args.org_clients
            clients = [*(Client(n, base, tokens, log, stop) for n in range(args.clients)),
                       *(OrgClient(args.clients + n, base, tokens, log, stop) for n in range(args.org_clients)),
                       *(FilingClient(first_filing + n, base, tokens, log, stop) for n in range(args.filing_clients)),
                       *(EnrolmentClient(first_filing + args.filing_clients + n, base, tokens, log, stop)
                         for n in range(args.enrolment_clients)),
                       PostFilingClient(first_filing + args.filing_clients + args.enrolment_clients, base, tokens,
                                        log, stop),
                       *(DeclarationClient(first_filing + args.filing_clients + args.enrolment_clients + 1 + n, base,
                                           tokens, log, stop) for n in range(args.declaration_clients)),
                       *(SupplementaryClient(first_filing + args.filing_clients + args.enrolment_clients + 1
                                             + args.declaration_clients + n, base, tokens, log, stop)
                         for n in range(args.supplementary_clients)),
                       *(UnitProcessClient(first_filing + args.filing_clients + args.enrolment_clients + 1
                                           + args.declaration_clients + args.supplementary_clients + n, base, tokens,
                                           log, stop) for n in range(args.unit_clients))]
            for client in clients:
                client.start()
            while kills < args.kills:
                time.sleep(args.seconds_between * random.uniform(0.5, 1.5))
                in_flight.append(log.in_flight)  # requests the kill is about to cut off (roughly)
                kill_server(server)
                kills += 1
                time.sleep(0.5)
                server = start_server(env, port, args.workers, server_log)
                wait_until_up(base, server, server_log)
            time.sleep(args.seconds_between)  # let the clients resume on the last server
            stop.set()
            for client in clients:
                client.join(timeout=120)
            server.terminate()  # a normal stop: gunicorn lets its workers finish
            server.wait(timeout=60)
        finally:
            stop.set()
            if group_alive(server.pid):  # failed half-way: leave nothing running
                kill_server(server)
        log.fh.close()
        stats, problems = verify(url, log.entries)
        audit = flask(env, "audit", "verify")
        if audit.returncode:
            problems.append(f"audit verify exited {audit.returncode}: {audit.stderr.strip()[-500:]}")
    def count(**match: Any) -> int:
        return sum(all(e.get(k) == v for k, v in match.items()) for e in log.entries)

    sent_back = sum(count(kind=f"reject_supplement_{step}", outcome="ok") for step in ("unit_review", "office_review"))

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"\n=== crash harness: {args.db} @ {commit}, {args.clients} claim clients, {args.org_clients} organisation "
          f"clients, {args.filing_clients} filing "
          f"clients, {args.enrolment_clients} enrolment clients, {args.declaration_clients} declaration clients, "
          f"{args.supplementary_clients} supplementary clients, {args.unit_clients} unit clients, "
          f"{args.workers} gunicorn workers, "
          f"~{args.seconds_between:g} s between kills ===")
    for label, value in [
        ("kills done", f"{kills} (requests in flight at each kill: {in_flight})"),
        ("requests sent", len(log.entries)),
        ("  2xx", count(outcome="ok")),
        ("  refused (4xx/5xx)", count(outcome="refused")),
        ("  unknown (no answer)", f"{count(outcome='unknown')} ({count(outcome='unknown', method='POST')} writes, "
                                  f"{stats['unknown_committed']} of them committed all the same)"),
        ("claims created", f"{stats['claims']} ({count(kind='create')} create requests, "
                           f"{count(kind='create', outcome='ok')} answered 201)"),
        ("claims approved", f"{stats['approved']} (ledger rows {stats['ledger_rows']})"),
        ("transfers", f"{stats['transfers']} filed, {stats['transfers_accepted']} accepted"),
        ("parent changes", f"{stats['changes']} asked, {stats['changes_approved']} approved by both parents"),
        ("pre-filings", f"{stats['filings']} filed by the provider, {stats['filings_filed']} through to 备案通过"),
        ("class enrolments", f"{stats['enrolments']} made (the demo's included), {stats['enrolments_approved']} "
                             f"approved in the open class"),
        ("post-filing", f"{stats['postfilings']} ({stats['postfiling_credits']} ledger credits, "
                        f"{stats['postfiling_certificates']} certificates)"),
        ("unit declarations", f"{stats['declarations']} declared, {stats['declarations_verified']} verified, "
                              f"{stats['declarations_revoked']} revoked (hours reversed)"),
        ("supplements", skipped or f"{stats['supplements']} asked for {stats['supplement_year']} "
                                   f"({stats['supplement_basis']} seeded claims behind them), "
                                   f"{stats['supplements_filed']} filed ({stats['supplement_hours']} h in "
                                   f"{stats['supplement_year']}'s ledger), {stats['supplements_cancelled']} withdrawn, "
                                   f"{stats['supplements_refused']} refused by the unit, "
                                   f"{sent_back} sent back by a review"),
        ("unit registrations", f"{stats['registrations']} "
                               f"registered ({count(kind='register_unit')} requests, "
                               f"{count(kind='register_unit', outcome='ok')} answered 201), "
                               f"{stats['registrations_approved']} approved ({stats['registered_units']} units exist), "
                               f"{stats['registrations_rejected']} refused, {stats['registrations_pending']} waiting"),
        ("unit info changes", f"{stats['info_changes']} "
                              f"asked, {stats['info_changes_approved']} approved, {stats['info_changes_rejected']} "
                              f"turned down, {stats['info_changes_cancelled']} cancelled, "
                              f"{stats['info_changes_pending']} waiting; the unit is now {stats['unit_now']}"),
        ("person info changes", f"{stats['person_changes']} "
                                f"asked, {stats['person_changes_approved']} approved, "
                                f"{stats['person_changes_rejected']} rejected, {stats['person_changes_withdrawn']} "
                                f"withdrawn, {stats['person_changes_pending']} waiting"),
        ("server clock", f"{server_now().astimezone(SHANGHAI):%Y-%m-%d %H:%M} China time (libfaketime "
                         f"{faked['FAKETIME']} s)" if faked else "real"),
        ("consistency check", f"{stats['instances']} instances, {stats['consistency_problems']} problem(s)"),
        ("acknowledged 2xx", f"{stats['acknowledged']} checked against the database"),
        ("audit verify", f"{(audit.stdout.strip().splitlines() or ['?'])[-1]} (exit {audit.returncode})"),
        ("problems found", len(problems)),
    ]:
        print(f"{label:<22}{value}")
    for problem in problems[:30]:
        print("  problem:", problem)
    print(f"{'time':<22}{time.monotonic() - began:.1f} s\n{'request log':<22}{log_path.relative_to(ROOT)}")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
