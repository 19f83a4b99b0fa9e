"""The lifecycles bench/hotpaths.py times, one per process family, each through the same operations
where the process has them: create, submit, inbox, complete, detail (and ``stamp`` for a filing).

Each takes the runner (``runner.call(op, method, path, user, ...)`` is timed and counted,
``runner.plain(...)`` is neither) and the lifecycle's number. Users and organisations are the demo
data's (``app/cli/demo.py``).
"""
from __future__ import annotations

import io
from datetime import date, timedelta

ROUTES = [("training", {"days": 1}), ("exam", {"subjects_passed": 1}), ("degree_course", {"courses_passed": 1})]
TRAINEES = ("330106199003070014", "330106198511220029")
MOVED = "330102199204150031"  # 王强, a trainee of unit 2 the transfers move back and forth
UNITS = ("unit_reviewer_b", "unit_reviewer")  # who acts for unit 2, unit 1 (file, accept)


def claim(runner, i: int) -> None:
    """A credit claim: the trainee creates and submits, the unit then the authority approve (unchanged)."""
    trainee = TRAINEES[i % 2]
    route, details = ROUTES[(i // 2) % 3]
    record = runner.call("create", "POST", "/claims", trainee, json={
        "year": date.today().year, "route": route, "title": "profile", "details": details,
        "hours_requested": 0.1})
    runner.call("submit", "POST", f"/claims/{record['id']}/submit", trainee)
    for reviewer in ("unit_reviewer", "authority_reviewer"):
        items = runner.call("inbox", "GET", "/tasks?per_page=100", reviewer)["items"]
        task = next(t for t in items if t["process"] == "credit_claim" and t["record"]["id"] == record["id"])
        runner.call("complete", "POST", f"/tasks/{task['id']}/complete", reviewer,
                    json={"decision": "approve", "hours": 0.1})
    runner.call("detail", "GET", f"/claims/{record['id']}", trainee)


def _task(runner, reviewer: str, process: str, record_id: int) -> int:
    items = runner.call("inbox", "GET", "/tasks?per_page=100", reviewer)["items"]
    return next(t["id"] for t in items if t["process"] == process and t["record"]["id"] == record_id)


def transfer(runner, i: int) -> None:
    """A staff transfer (人员调转): the person's unit files it (no submit step), the target unit
    accepts; the next lifecycle moves the person back."""
    filer, target = UNITS[i % 2], UNITS[(i + 1) % 2]
    if not runner.units:
        runner.units = {who: runner.plain("GET", "/me", who)["roles"][0]["org_id"] for who in UNITS}
    record = runner.call("create", "POST", "/transfers", filer, json={
        "id_number": MOVED, "to_unit_id": runner.units[target], "reason": "工作调动",
        "contact_name": "王经理", "contact_phone": "0571-88888888"})
    task = _task(runner, target, "staff_transfer", record["id"])
    runner.call("complete", "POST", f"/tasks/{task}/complete", target, json={"decision": "accept"})
    assert runner.call("detail", "GET", f"/transfers/{record['id']}", filer)["status"] == "accepted"


def _upload(runner, filing_id: int, kind: str) -> None:
    from tests.support.files import png

    runner.plain("POST", f"/filings/{filing_id}/files", "provider_admin", content_type="multipart/form-data",
                 data={"file": (io.BytesIO(png()), "scan.png"), "kind": kind})


def prefiling(runner, i: int) -> None:
    """A provider's pre-training filing (培训前备案): the provider creates and submits; the supervisor
    approves; the provider sends the stamped form (``stamp``); the supervisor forwards; the
    provincial HR department approves. Attachments are uploaded untimed; the three named ones are
    not required (``PREFILING_REQUIRED_FILES = []``, as claims need no proof here)."""
    from app.processes.provider_prefiling.demo import payload

    body = payload(f"培训班 {i}", date.today() + timedelta(days=30), 3)
    body["starts_on"], body["ends_on"] = body["starts_on"].isoformat(), body["ends_on"].isoformat()
    record = runner.call("create", "POST", "/filings", "provider_admin", json=body)
    runner.call("submit", "POST", f"/filings/{record['id']}/submit", "provider_admin")
    for reviewer, decision in (("supervisor_reviewer", "approve"), ("supervisor_reviewer", "forward"),
                               ("hr_reviewer", "approve")):
        task = _task(runner, reviewer, "provider_prefiling", record["id"])
        runner.call("complete", "POST", f"/tasks/{task}/complete", reviewer, json={"decision": decision})
        if decision == "approve" and reviewer == "supervisor_reviewer":
            _upload(runner, record["id"], "stamped_form")
            runner.call("stamp", "POST", f"/filings/{record['id']}/submit", "provider_admin")
    assert runner.call("detail", "GET", f"/filings/{record['id']}", "provider_admin")["status"] == "filed"


LIFECYCLES = {"claim": claim, "transfer": transfer, "prefiling": prefiling}
