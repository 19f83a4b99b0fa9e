"""The inbox costs the same SQL statements whatever the number of processes waiting in it (exact counts)."""
from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event

from app.extensions import db
from tests.support.people import ENROLMENT_PROFILE, NEW_TRAINEE_ID, make_trainee
from tests.support.world import T1, T2, T3


@contextmanager
def statements(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _page(app, web, path: str) -> int:
    client = web("unit_reviewer")
    client.get(path)  # warm: the session, the role, the diagram specs
    with statements(app) as seen:
        response = client.get(path)
    assert response.status_code == 200
    return len(seen)


def _api(app, api, path: str) -> int:
    reviewer = api.as_("unit_reviewer")
    reviewer.get(path)
    with statements(app) as seen:
        response = reviewer.get(path)
    assert response.status_code == 200
    return len(seen)


def _one_process(api) -> None:
    for trainee in (T1, T2, T1):
        api.submitted_claim(trainee)


def _three_processes(api, app, world) -> None:
    _one_process(api)
    make_trainee(app)  # an enrolment waiting for unit 1
    enrolment = {"year": date.today().year, "unit_id": world.unit1, **ENROLMENT_PROFILE}
    assert api.as_(NEW_TRAINEE_ID).post("/enrollments", json=enrolment).status_code == 201
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={  # a transfer to unit 1
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"})
    assert transfer.status_code == 201


def test_the_inbox_page_costs_the_same_for_one_process_or_three(api, app, web, world):
    _one_process(api)
    one = _page(app, web, "/inbox")
    _three_processes(api, app, world)
    three = _page(app, web, "/inbox")
    assert one == three
    assert three <= 8, three  # session and user, the page with its count, the counts per process, the steps


def test_the_task_list_costs_the_same_for_one_process_or_three(api, app, world):
    _one_process(api)
    one = _api(app, api, "/tasks")
    _three_processes(api, app, world)
    assert _api(app, api, "/tasks") == one


def test_the_counts_per_process_are_one_statement(api, app, world):
    from app.services import inbox
    from app.services.actors import Actor

    _three_processes(api, app, world)
    with app.app_context():
        actor = Actor.load(world.user["unit_reviewer"])
        with statements(app) as seen:
            counts = inbox.waiting_counts(actor, personal=False)
        assert len(seen) == 1
        assert counts["credit_claim"] == 3 and counts["enrollment"] == 1 and counts["staff_transfer"] == 1
        assert counts["unit_parent_change"] == 0


# What each step of a credit claim's lifecycle costs in SQL statements (bench/hotpaths.py's operations),
# ``BEGIN`` left out (SQLite sends it as a statement, PostgreSQL does not). Lower a pin when a change
# saves a statement; never raise one without saying why in docs/performance.md.
LIFECYCLE_STATEMENTS = {"create": 13, "submit": 21, "inbox": 2, "unit review": 12, "authority review": 11,
                        "detail": 5}
# PostgreSQL also locks the person's row before the ledger's cap is checked (FOR NO KEY UPDATE);
# SQLite's writers are already serialised by BEGIN IMMEDIATE.
PERSON_LOCKED = ("submit", "unit review", "authority review")


def test_each_step_of_a_claims_lifecycle_costs_its_pinned_statements(api, app):
    costs: dict[str, int] = {}

    def measured(step: str, call):
        call()  # warm: compiled statements, diagram specs (the second call is what a steady server pays)
        with statements(app) as seen:
            response = call()
        assert response.status_code < 300, response.get_json()
        costs[step] = sum(1 for sql in seen if not sql.lstrip().upper().startswith("BEGIN"))
        return response.get_json()

    trainee, unit, authority = api.as_(T1), api.as_("unit_reviewer"), api.as_("authority_reviewer")
    body = {"year": date.today().year, "route": "exam", "title": "【省级】资格证书考试",
            "details": {"subjects_passed": 1}, "hours_requested": 8}
    claims = [api.new_claim(T1, **body)]
    claims.append(measured("create", lambda: trainee.post("/claims", json=body)))
    for claim in claims:
        api.with_proof(T1, claim["id"])
    submitted = iter(claims)
    measured("submit", lambda: trainee.post(f"/claims/{next(submitted)['id']}/submit"))
    measured("inbox", lambda: unit.get("/tasks?per_page=100"))
    for step, reviewer, name, decision in (("unit review", unit, "unit_reviewer", {"decision": "approve"}),
                                           ("authority review", authority, "authority_reviewer",
                                            {"decision": "approve", "hours": 8})):
        tasks = iter([api.task_for(name, claim["id"])["id"] for claim in claims])
        measured(step, lambda reviewer=reviewer, tasks=tasks, decision=decision:
                 reviewer.post(f"/tasks/{next(tasks)}/complete", json=decision))
    assert measured("detail", lambda: trainee.get(f"/claims/{claims[1]['id']}"))["status"] == "approved"
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert costs == {step: n + (postgresql and step in PERSON_LOCKED) for step, n in LIFECYCLE_STATEMENTS.items()}


def _cost(app, call) -> tuple[int, dict]:
    """One call's SQL statements, ``BEGIN`` left out (as above), and its JSON."""
    with statements(app) as seen:
        response = call()
    assert response.status_code < 300, response.get_json()
    return sum(1 for sql in seen if not sql.lstrip().upper().startswith("BEGIN")), response.get_json()


# A staff transfer (人员调转): the person's unit files it (no submit step), the target unit accepts.
# Every step starts with the token's user and roles (1).
TRANSFER_STATEMENTS = {
    # the person, their unit, the target unit, no transfer pending, no enrolment waiting (5); the
    # transfer, the definition, the instance, its event, the instance and the transfer updated, the target
    # unit (its task's lane), the task and its candidate (9); the view: the last decision, files, the
    # waiting steps with their candidates' organisations (one statement), the log (4)
    "create": 19,
    "inbox": 2,  # the page of tasks
    # lock the instance (UPDATE … RETURNING), the task, the transfer (3); move the person: roles read,
    # the old unit's dropped, the new one looked up and added, roles read again, the audit chain bumped
    # and its head set, the account event (8); this year's enrolment read and moved (2); the enrolment's
    # instance locked, the step's two events, the transfer's instance and task closed, the enrolment's
    # chain head, the transfer and the candidates updated (8)
    "accept": 22,
    "detail": 6,  # the transfer; the last decision, files, waiting steps (none), the log
}
# The same on PostgreSQL: the step's two events (the transfer's, the moved enrolment's) go in as one
# plain INSERT each (through the ORM, PostgreSQL had batched them into one statement).
TRANSFER_PG_EXTRA: dict[str, int] = {}


def test_each_step_of_a_transfers_lifecycle_costs_its_pinned_statements(api, app, world):
    costs: dict[str, int] = {}
    units = {world.unit1: api.as_("unit_reviewer"), world.unit2: api.as_("unit_reviewer_b")}
    body = {"id_number": T3, "reason": "工作调动", "contact_name": "王经理", "contact_phone": "0571-88888888"}

    def lifecycle(from_unit: int, to_unit: int, measure: bool) -> dict:
        filer, target = units[from_unit], units[to_unit]

        def step(name: str, call):
            n, result = _cost(app, call)
            if measure:
                costs[name] = n
            return result

        transfer = step("create", lambda: filer.post("/transfers", json={**body, "to_unit_id": to_unit}))
        items = step("inbox", lambda: target.get("/tasks?per_page=100"))["items"]
        task = next(t for t in items if t["record"] == {"type": "transfer", "id": transfer["id"]})
        step("accept", lambda: target.post(f"/tasks/{task['id']}/complete", json={"decision": "accept"}))
        return step("detail", lambda: filer.get(f"/transfers/{transfer['id']}"))

    # warm (compiled statements, diagram specs): the same path there and back, then measured
    lifecycle(world.unit2, world.unit1, measure=False)
    lifecycle(world.unit1, world.unit2, measure=False)
    assert lifecycle(world.unit2, world.unit1, measure=True)["status"] == "accepted"
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert costs == {step: n + (TRANSFER_PG_EXTRA.get(step, 0) if postgresql else 0)
                     for step, n in TRANSFER_STATEMENTS.items()}


# A provider's pre-training filing (培训前备案): the provider creates and submits it, the supervisor
# approves, the provider sends the stamped form (the same submit call), the supervisor forwards, the
# provincial HR department approves.
# Every step starts with the token's user and roles (1); each decision then locks the instance
# (UPDATE … RETURNING), reads its task and the filing, closes the task, writes the event, updates the
# instance, the filing and the candidates (8); a decision that opens a step adds its task and candidate.
# The same on PostgreSQL (one event per step).
PREFILING_STATEMENTS = {
    # the provider, the filing, the definition, the instance, its task, its event, the instance and the
    # filing updated, the task's candidate (9); the view: the supervisor, the last decision, files,
    # the waiting steps with their candidates' organisations (one statement), the log (5)
    "create": 15,
    # the filing (get_visible), the lock, the task, the filing again, its attachments' kinds (for the
    # required files), then the decision's writes and the supervisor's task and candidate (12); the view (4)
    "submit": 17,
    "inbox": 2,  # the page of tasks
    "supervisor approval": 11,  # a decision opening the provider's stamp step (1 + 8 + 2)
    "stamped form": 16,  # as submit, without the attachments' kinds (the stamped file is on the filing)
    "supervisor forward": 12,  # a decision, plus the provider's HR department looked up (1 + 8 + 1 + 2)
    "hr approval": 9,  # the last decision: it opens no step, the instance ends (1 + 8)
    "detail": 6,  # the filing; the last decision, files, waiting steps (none), the log
}
PREFILING_PG_EXTRA: dict[str, int] = {}


def test_each_step_of_a_prefilings_lifecycle_costs_its_pinned_statements(api, app):
    from app.clock import today
    from app.processes.provider_prefiling.demo import payload
    from tests.support.files import png

    costs: dict[str, int] = {}
    provider = api.as_("provider_admin")

    def measured(step: str, call):
        call()  # warm, as for claims: the first of two filings at each step
        costs[step], result = _cost(app, call)
        return result

    def upload(filing_id: int, kind: str) -> None:
        response = provider.post(f"/filings/{filing_id}/files", content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(png()), "scan.png"), "kind": kind})
        assert response.status_code == 201, response.get_json()

    body = payload("测试培训班", today() + timedelta(days=30), 3)
    body["starts_on"], body["ends_on"] = body["starts_on"].isoformat(), body["ends_on"].isoformat()
    first = provider.post("/filings", json=body)
    assert first.status_code == 201, first.get_json()
    filings = [first.get_json()]
    filings.append(measured("create", lambda: provider.post("/filings", json=body)))
    for filing in filings:
        for kind in ("plan", "notice", "invitation"):
            upload(filing["id"], kind)
    ids = [filing["id"] for filing in filings]

    def each(step: str, call, over: list[int] = ids) -> None:
        pending = iter(over)
        measured(step, lambda: call(next(pending)))

    supervisor, hr = api.as_("supervisor_reviewer"), api.as_("hr_reviewer")

    def decide(step: str, reviewer, name: str, decision: str) -> None:
        tasks = [api.task_for(name, filing_id, "prefiling")["id"] for filing_id in ids]  # found unmeasured
        each(step, lambda task: reviewer.post(f"/tasks/{task}/complete", json={"decision": decision}), tasks)

    each("submit", lambda filing_id: provider.post(f"/filings/{filing_id}/submit"))
    measured("inbox", lambda: supervisor.get("/tasks?per_page=100"))
    decide("supervisor approval", supervisor, "supervisor_reviewer", "approve")
    for filing_id in ids:
        upload(filing_id, "stamped_form")
    each("stamped form", lambda filing_id: provider.post(f"/filings/{filing_id}/submit"))
    decide("supervisor forward", supervisor, "supervisor_reviewer", "forward")
    decide("hr approval", hr, "hr_reviewer", "approve")
    assert measured("detail", lambda: provider.get(f"/filings/{ids[1]}"))["status"] == "filed"
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert costs == {step: n + (PREFILING_PG_EXTRA.get(step, 0) if postgresql else 0)
                     for step, n in PREFILING_STATEMENTS.items()}
