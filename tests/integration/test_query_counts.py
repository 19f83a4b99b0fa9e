"""The inbox costs the same SQL statements whatever the number of processes waiting in it (exact counts)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

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
