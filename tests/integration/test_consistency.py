"""`flask check consistency`: the stored views of every instance agree, and tampering with any one is caught.

Each tamper goes straight to the tables with SQL (as a bug, a crash or a person at a
SQL prompt would) and must be reported on the instance it hit, by the check that
owns that view, and nowhere else.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import HourEntry, HumanTask, ProcessEvent, ProcessInstance
from app.services.consistency import all_checks, check_all
from tests.support.people import ENROLMENT_PROFILE
from tests.support.world import T1, T2, T3

YEAR = date.today().year


def _ok(response: Any) -> dict[str, Any]:
    assert 200 <= response.status_code < 300, response.get_json()
    return response.get_json() or {}


@pytest.fixture
def history(api, world, clock) -> dict[str, dict[str, Any]]:
    """One record per path: each value is the API's view of the claim or enrolment."""
    made: dict[str, dict[str, Any]] = {}
    made["approved"] = api.submitted_claim(T1)
    _ok(api.decide("unit_reviewer", made["approved"]["id"], "approve"))
    _ok(api.decide("authority_reviewer", made["approved"]["id"], "approve", hours=12))

    made["rejected"] = api.submitted_claim(T2)
    _ok(api.decide("unit_reviewer", made["rejected"]["id"], "reject", comment="材料不全"))

    made["withdrawn"] = api.submitted_claim(T1, route="training", details={"days": 1}, hours_requested=6)
    _ok(api.as_(T1).post(f"/claims/{made['withdrawn']['id']}/withdraw"))

    made["resubmitted"] = api.submitted_claim(T3)
    claim_id = made["resubmitted"]["id"]
    _ok(api.decide("unit_reviewer_b", claim_id, "approve"))
    _ok(api.decide("authority_reviewer", claim_id, "return", comment="请补充材料"))
    _ok(api.as_(T3).post(f"/claims/{claim_id}/submit"))
    _ok(api.decide("unit_reviewer_b", claim_id, "approve"))
    _ok(api.decide("authority_reviewer", claim_id, "approve"))

    made["pending"] = api.submitted_claim(T2, route="exam", details={"subjects_passed": 1}, hours_requested=8)
    _ok(api.decide("unit_reviewer", made["pending"]["id"], "approve"))  # waits for the authority

    made["deleted"] = api.new_claim(T2)
    assert api.as_(T2).delete(f"/claims/{made['deleted']['id']}").status_code == 204

    # T3 enrols with another unit for next year: rejected, resubmitted, approved.
    made["enrolment"] = _ok(api.as_(T3).post("/enrollments", json={"year": YEAR + 1, "unit_id": world.unit1,
                                                                   **ENROLMENT_PROFILE}))
    enrolment_id = made["enrolment"]["id"]
    _ok(api.decide("unit_reviewer", enrolment_id, "reject", record_type="enrollment", comment="职称不符"))
    _ok(api.as_(T3).post(f"/enrollments/{enrolment_id}/submit"))
    _ok(api.decide("unit_reviewer", enrolment_id, "approve", record_type="enrollment"))

    for name, owner, expected in [("approved", T1, "approved"), ("rejected", T2, "unit_rejected"),
                                  ("withdrawn", T1, "draft"), ("resubmitted", T3, "approved"),
                                  ("pending", T2, "authority_review")]:
        assert api.claim(owner, made[name]["id"])["status"] == expected, name
    assert api.as_(T3).get(f"/enrollments/{enrolment_id}").get_json()["status"] == "approved"

    # T2 is transferred from unit 1 to unit 2: refused, then cancelled, then accepted.
    def transfer() -> dict[str, Any]:
        return _ok(api.as_("unit_reviewer").post("/transfers", json={
            "id_number": T2, "to_unit_id": world.unit2, "reason": "工作调动", "contact_name": "王经理",
            "contact_phone": "0571-88888888"}))
    made["transfer_refused"] = transfer()
    _ok(api.decide("unit_reviewer_b", made["transfer_refused"]["id"], "refuse", record_type="transfer",
                   comment="编制已满"))
    made["transfer_cancelled"] = transfer()
    _ok(api.as_("unit_reviewer").post(f"/transfers/{made['transfer_cancelled']['id']}/cancel", json={}))
    made["transfer"] = transfer()
    _ok(api.decide("unit_reviewer_b", made["transfer"]["id"], "accept", record_type="transfer"))

    # Unit 2 moves under the second city authority; unit 1 asks the same and waits on both parents.
    def parent_change(reviewer: str, unit: int) -> dict[str, Any]:
        return _ok(api.as_(reviewer).post(f"/units/{unit}/parent-change", json={
            "new_parent_id": world.city_b, "reason": "业务划归建设局管理"}))
    made["moved"] = parent_change("unit_reviewer_b", world.unit2)
    for parent in ("authority_reviewer", "authority_reviewer_b"):
        _ok(api.decide(parent, made["moved"]["id"], "approve", record_type="unit_change"))
    made["moving"] = parent_change("unit_reviewer", world.unit1)

    for name, kind, expected in [("transfer_refused", "transfers", "refused"),
                                 ("transfer_cancelled", "transfers", "cancelled"),
                                 ("transfer", "transfers", "accepted"), ("moved", "unit-changes", "approved"),
                                 ("moving", "unit-changes", "pending")]:
        made[name] = _ok(api.as_("unit_reviewer_b" if name == "moved" else "unit_reviewer")
                         .get(f"/{kind}/{made[name]['id']}"))
        assert made[name]["status"] == expected, name

    # 演示交通职业培训学院 files a class: rolled back by HR, resubmitted, filed; another is deleted as a draft.
    from tests.integration.test_provider_prefilings import _decide, _filing, _forwarded, _stamped
    made["filing"] = _forwarded(api)
    filing_id = made["filing"]["id"]
    _ok(_decide(api, "hr_reviewer", filing_id, "rollback", "请补充教材信息"))
    _ok(api.as_("provider_admin").post(f"/filings/{filing_id}/submit"))
    _ok(_decide(api, "supervisor_reviewer", filing_id, "approve"))
    _stamped(api, filing_id)
    _ok(_decide(api, "supervisor_reviewer", filing_id, "forward"))
    _ok(_decide(api, "hr_reviewer", filing_id, "approve"))
    made["filing"] = _ok(api.as_("provider_admin").get(f"/filings/{filing_id}"))
    assert made["filing"]["status"] == "filed"
    made["filing_deleted"] = _filing(api, files=False)
    assert api.as_("provider_admin").delete(f"/filings/{made['filing_deleted']['id']}").status_code == 200

    from tests.integration.test_class_enrollments import decide as decide_enrolment
    from tests.integration.test_class_enrollments import submitted as enrolment_submitted
    from tests.integration.test_provider_classes import decide as decide_class
    from tests.integration.test_provider_classes import make_class
    made["class"] = make_class(api, made["filing"], seat_limit=5)
    class_id = made["class"]["id"]
    _ok(api.as_("provider_admin").post(f"/classes/{class_id}/submit"))
    _ok(decide_class(api, "hr_reviewer", class_id, "approve"))
    made["class"] = _ok(api.as_("provider_admin").post(f"/classes/{class_id}/open"))
    made["class_enrollment"] = enrolment_submitted(api, T1, class_id)
    _ok(decide_enrolment(api, made["class_enrollment"]["id"], "return", "请补充工作单位全称"))

    from tests.integration.test_provider_postfilings import decide as decide_postfiling
    from tests.integration.test_provider_postfilings import submitted as postfiling_submitted
    made["postfiling"] = postfiling_submitted(api)
    _ok(decide_postfiling(api, made["postfiling"]["id"], "approve"))
    made["postfiling"] = _ok(api.as_("provider_admin").get(f"/post-filings/{made['postfiling']['id']}"))

    # Next January, T1 supplements this year's exam route (the approved claim's): filed into this year.
    from tests.integration.test_supplementary import at, reported
    now = clock.now()
    at(api, clock, 1, 10, year=YEAR + 1)
    supplement = reported(api, YEAR)
    for reviewer in ("unit_reviewer", "authority_reviewer", "supervisor_reviewer"):
        _ok(api.decide(reviewer, supplement["id"], "approve", "supplementary"))
    made["supplement"] = _ok(api.as_(T1).get(f"/supplementary/{supplement['id']}"))
    assert made["supplement"]["status"] == "filed"
    clock.freeze(now)
    api.forget_tokens()
    return made


def _check(app, batch: int = 500) -> set[tuple[int | None, str]]:
    with app.app_context():
        report = check_all(batch)
        return {(p.instance_id, p.check) for p in report.problems}


def _sql(app, statement: str, **params: Any) -> None:
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _task_id(app, instance_id: int, status: str, spec: str | None = None) -> int:
    with app.app_context():
        query = db.select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == status)
        if spec:
            query = query.where(HumanTask.task_spec == spec)
        return db.session.scalars(query.order_by(HumanTask.id.desc())).first()


def _copy_task_as_open(app, task_id: int, engine_task_id: str | None = None) -> None:
    """An open copy of a task row, with open copies of its candidates."""
    columns = ("instance_id, process_key, task_spec, name, lane, personal, assignee_id, subject_user_id, "
               "subject, record_type, record_id, year, summary, created_at")
    _sql(app, f"INSERT INTO human_task (engine_task_id, status, {columns}) "  # noqa: S608 - constant columns
              f"SELECT {':tid' if engine_task_id else 'engine_task_id'}, 'open', {columns} "
              "FROM human_task WHERE id = :id", id=task_id, tid=engine_task_id)
    _sql(app, "INSERT INTO task_candidate (task_id, role, org_id, user_id, status, process_key) "
              "SELECT (SELECT MAX(id) FROM human_task), role, org_id, user_id, 'open', process_key "
              "FROM task_candidate WHERE task_id = :id", id=task_id)


def test_every_lifecycle_leaves_consistent_views(app, history):
    with app.app_context():
        report = check_all()
    assert report.problems == []
    # six claims, the four demo enrolments, this one, the demo transfer, three transfers, two parent
    # changes, the demo's three filings and these two, the demo's two classes and this one, the
    # demo's three class enrolments and this one, a filed post-training filing, a filed supplement and
    # the demo's five unit declarations and its unit registration
    assert report.checked["state"] == 6 + 4 + 1 + 1 + 3 + 2 + 3 + 2 + 2 + 1 + 3 + 1 + 1 + 1 + 5 + 1
    assert report.checked["declaration_ledger"] == 5
    assert report.checked["ledger"] == 6
    with app.app_context():
        assert set(report.checked) == set(all_checks())
    assert _check(app, batch=2) == set()  # batches that split the walk see the same


def test_the_cli_reports_counts_and_fails_on_a_problem(app, history):
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["check", "consistency"])
    assert clean.exit_code == 0, clean.output
    assert "37 instance(s) checked, 0 problem(s)" in clean.output and "ledger" in clean.output
    _sql(app, "DELETE FROM hour_entry WHERE source = 'claim' AND source_id = :id", id=history["approved"]["id"])
    broken = runner.invoke(args=["check", "consistency", "--batch", "3"])
    assert broken.exit_code == 1
    assert f"instance {history['approved']['instance_id']}: [ledger]" in broken.output
    assert "1 problem(s)" in broken.output


def test_a_filed_supplement_moved_to_another_year_or_route(app, history):
    iid = history["supplement"]["instance_id"]
    _sql(app, "UPDATE hour_entry SET year = year - 1 WHERE source = 'supplementary'")
    assert _check(app) == {(iid, "supplementary_ledger")}
    _sql(app, "UPDATE hour_entry SET year = year + 1, route = 'paper' WHERE source = 'supplementary'")
    assert _check(app) == {(iid, "supplementary_ledger")}


def test_a_supplement_credited_though_not_filed(app, history):
    iid = history["supplement"]["instance_id"]
    _sql(app, "UPDATE supplementary_claim SET status = 'reported' WHERE id = :id", id=history["supplement"]["id"])
    assert (iid, "supplementary_ledger") in _check(app)


def test_a_changed_claim_status(app, history):
    _sql(app, "UPDATE claim SET status = 'approved' WHERE id = :id", id=history["rejected"]["id"])
    iid = history["rejected"]["instance_id"]
    assert _check(app) == {(iid, "record"), (iid, "ledger")}  # approved, yet nothing credited


def test_a_deleted_open_task_row(app, history):
    iid = history["pending"]["instance_id"]
    _sql(app, "DELETE FROM human_task WHERE id = :id", id=_task_id(app, iid, "open"))
    assert _check(app) == {(iid, "tasks")}


def test_an_extra_open_task_row(app, history):
    iid = history["approved"]["instance_id"]  # finished: the engine has nothing ready
    _copy_task_as_open(app, _task_id(app, iid, "completed", "authority_review"), str(uuid.uuid4()))
    assert _check(app) == {(iid, "tasks")}


def test_a_duplicated_open_task_row(app, history):
    iid = history["pending"]["instance_id"]
    _copy_task_as_open(app, _task_id(app, iid, "open"))  # same engine task twice in the inbox
    assert _check(app) == {(iid, "tasks")}


def test_a_deleted_ledger_entry(app, history):
    _sql(app, "DELETE FROM hour_entry WHERE source = 'claim' AND source_id = :id", id=history["resubmitted"]["id"])
    assert _check(app) == {(history["resubmitted"]["instance_id"], "ledger")}


def test_a_ledger_entry_with_other_hours(app, history):
    _sql(app, "UPDATE hour_entry SET hours = 36 WHERE source = 'claim' AND source_id = :id",
         id=history["approved"]["id"])
    assert _check(app) == {(history["approved"]["instance_id"], "ledger")}


def test_a_ledger_entry_for_a_claim_that_does_not_exist(app, history, world):
    _sql(app, "INSERT INTO hour_entry (user_id, year, category, source, source_id, hours, created_at) "
              "VALUES (:user, :year, 'professional', 'claim', 999999, 1, :at)",
         user=world.user[T1], year=YEAR, at=date.today())
    assert _check(app) == {(None, "orphans")}


def test_a_ledger_entry_from_a_source_nobody_credits(app, history, world):
    _sql(app, "INSERT INTO hour_entry (user_id, year, category, source, source_id, hours, created_at) "
              "VALUES (:user, :year, 'professional', 'lottery', 1, 90, :at)",
         user=world.user[T1], year=YEAR, at=date.today())
    assert _check(app) == {(None, "ledger_sources")}


def test_a_reversal_that_does_not_mirror_its_credit(app, history, world):
    with app.app_context():
        from app.services import ledger
        from app.services.consistency import check_all as check

        user = world.user[T1]
        ledger.credit(user_id=user, year=YEAR, category="public_general", source="course", source_id=424242,
                      hours=Decimal("1.5"))
        db.session.flush()
        reversal = ledger.reverse("course", 424242)[0]
        reversal.hours = Decimal("-1.0")  # takes back less than was credited
        db.session.flush()
        assert (None, "ledger_sources") in {(p.instance_id, p.check) for p in check().problems}
        db.session.rollback()


def test_a_changed_instance_status(app, history):
    iid = history["pending"]["instance_id"]
    _sql(app, "UPDATE process_instance SET status = 'approved' WHERE id = :id", id=iid)
    assert _check(app) == {(iid, "status"), (iid, "record")}


def test_the_state_of_another_instance(app, history):
    iid, other = history["pending"]["instance_id"], history["withdrawn"]["instance_id"]
    _sql(app, "UPDATE process_instance SET state = (SELECT state FROM process_instance WHERE id = :other) "
              "WHERE id = :id", id=iid, other=other)
    assert _check(app) == {(iid, "status"), (iid, "tasks")}  # it says draft, with another task ready


def test_an_engine_state_that_does_not_load(app, history):
    iid = history["withdrawn"]["instance_id"]
    _sql(app, "UPDATE process_instance SET state = '{\"tasks\": {}}' WHERE id = :id", id=iid)
    assert _check(app) == {(iid, "state")}


def test_a_completed_task_row_with_another_decision(app, history):
    iid = history["rejected"]["instance_id"]
    _sql(app, "UPDATE human_task SET decision = 'approve' WHERE id = :id", id=_task_id(app, iid, "completed"))
    assert _check(app) == {(iid, "task_events")}


def test_an_edited_event(app, history):
    iid = history["resubmitted"]["instance_id"]
    with app.app_context():
        event_id = db.session.scalars(db.select(ProcessEvent.id).where(ProcessEvent.instance_id == iid)).first()
    _sql(app, "UPDATE process_event SET comment = 'forged' WHERE id = :id", id=event_id)
    assert _check(app) == {(iid, "chain")}


def test_a_deleted_claim_without_its_deletion_time(app, history):
    """Deleting a draft is a BPMN event: the instance ends "deleted" and the claim says when."""
    iid = history["deleted"]["instance_id"]
    with app.app_context():
        instance = db.session.get(ProcessInstance, iid)
        assert (instance.status, instance.completed, instance.cancelled) == ("deleted", True, False)
    _sql(app, "UPDATE claim SET deleted_at = NULL WHERE id = :id", id=history["deleted"]["id"])
    assert _check(app) == {(iid, "record")}


def test_a_filed_post_filing_that_lost_a_certificate(app, history):
    _sql(app, "DELETE FROM certificate WHERE id = (SELECT MIN(id) FROM certificate WHERE source = 'postfiling')")
    assert _check(app) == {(history["postfiling"]["instance_id"], "credits")}


def test_a_post_filing_credited_twice(app, history):
    _sql(app, "INSERT INTO hour_entry (user_id, year, category, source, source_id, hours, created_at) "
              "SELECT user_id, year, 'public_general', source, source_id, hours, created_at FROM hour_entry "
              "WHERE source = 'postfiling' AND source_id = :id LIMIT 1", id=history["postfiling"]["id"])
    assert _check(app) == {(history["postfiling"]["instance_id"], "credits")}


def test_a_class_seat_counter_out_of_step_with_its_enrolments(app, history):
    _sql(app, "UPDATE provider_class SET seats_taken = seats_taken + 1 WHERE id = :id", id=history["class"]["id"])
    assert _check(app) == {(None, "seats")}


def test_an_enrolment_that_lost_its_seat(app, history):
    _sql(app, "UPDATE class_enrollment SET holds_seat = :no WHERE id = :id", no=False,
         id=history["class_enrollment"]["id"])
    assert _check(app) == {(history["class_enrollment"]["instance_id"], "record"), (None, "seats")}


def test_an_open_class_never_opened(app, history):
    _sql(app, "UPDATE provider_class SET opened_at = NULL WHERE id = :id", id=history["class"]["id"])
    assert _check(app) == {(history["class"]["instance_id"], "record")}


def test_a_task_candidate_out_of_step_with_its_task(app, history):
    iid = history["pending"]["instance_id"]
    _sql(app, "UPDATE task_candidate SET status = 'completed' WHERE task_id = :id", id=_task_id(app, iid, "open"))
    assert _check(app) == {(iid, "candidates")}


def test_a_task_candidate_of_another_process(app, history):
    iid = history["pending"]["instance_id"]
    _sql(app, "UPDATE task_candidate SET process_key = 'enrollment' WHERE task_id = :id", id=_task_id(app, iid, "open"))
    assert _check(app) == {(iid, "candidates")}


def test_a_task_without_candidates(app, history):
    iid = history["pending"]["instance_id"]
    _sql(app, "DELETE FROM task_candidate WHERE task_id = :id", id=_task_id(app, iid, "open"))
    assert _check(app) == {(iid, "candidates")}


def test_an_enrolment_approved_without_a_date(app, history):
    _sql(app, "UPDATE enrollment SET approved_at = NULL WHERE id = :id", id=history["enrolment"]["id"])
    assert _check(app) == {(history["enrolment"]["instance_id"], "record")}


def test_a_claim_that_lost_its_instance(app, history):
    claim_id = history["withdrawn"]["id"]
    _sql(app, "UPDATE claim SET instance_id = NULL WHERE id = :id", id=claim_id)
    assert _check(app) == {(history["withdrawn"]["instance_id"], "record"), (None, "orphans")}


def test_a_transfer_whose_status_was_changed(app, history):
    _sql(app, "UPDATE staff_transfer SET status = 'pending' WHERE id = :id", id=history["transfer"]["id"])
    assert _check(app) == {(history["transfer"]["instance_id"], "record")}


def test_a_refused_transfer_that_says_the_person_moved(app, history):
    _sql(app, "UPDATE staff_transfer SET moved_at = created_at WHERE id = :id", id=history["transfer_refused"]["id"])
    assert _check(app) == {(history["transfer_refused"]["instance_id"], "record")}


def test_an_approved_parent_change_that_did_not_move_the_unit(app, history, world):
    _sql(app, "UPDATE organisation SET parent_id = :city WHERE id = :id", city=world.city, id=world.unit2)
    assert _check(app) == {(history["moved"]["instance_id"], "record")}


def test_a_parent_review_task_row_lost_while_the_other_waits(app, history):
    iid = history["moving"]["instance_id"]
    _sql(app, "DELETE FROM human_task WHERE id = :id", id=_task_id(app, iid, "open", "new_parent_review"))
    assert _check(app) == {(iid, "tasks")}


def test_nothing_is_left_in_the_session(app, history):
    """The walk expunges each batch: it must not leave the caller's session holding rows."""
    with app.app_context():
        check_all(batch=3)
        assert not any(isinstance(o, HourEntry | HumanTask) for o in db.session)


def _declaration(app, status: str) -> tuple[int, int]:
    """A demo declaration in ``status``: (its id, its instance id)."""
    with app.app_context():
        row = db.session.execute(text("SELECT id, instance_id FROM declaration WHERE status = :s ORDER BY id"),
                                 {"s": status}).first()
        return row.id, row.instance_id


def test_an_approved_declaration_missing_from_the_ledger(app, history):
    declaration, iid = _declaration(app, "approved")
    _sql(app, "DELETE FROM hour_entry WHERE source = 'declaration' AND source_id = :id", id=declaration)
    assert _check(app) == {(iid, "declaration_ledger")}


def test_an_approved_declaration_credited_under_another_subject(app, history):
    declaration, iid = _declaration(app, "verified")
    _sql(app, "UPDATE hour_entry SET category = 'public_general' WHERE source = 'declaration' AND source_id = :id",
         id=declaration)
    assert _check(app) == {(iid, "declaration_ledger")}


def test_a_revoked_declaration_whose_reversal_is_gone(app, history):
    declaration, iid = _declaration(app, "revoked")
    _sql(app, "DELETE FROM hour_entry WHERE source = 'declaration' AND source_id = :id AND reverses_id IS NOT NULL",
         id=declaration)
    assert _check(app) == {(iid, "declaration_ledger")}


def test_a_revoked_declaration_whose_history_is_gone(app, history):
    declaration, iid = _declaration(app, "revoked")
    _sql(app, "DELETE FROM hour_entry WHERE source = 'declaration' AND source_id = :id", id=declaration)
    assert _check(app) == {(iid, "declaration_ledger")}  # nets to zero, but the credit and reversal are gone


def test_a_refused_declaration_that_credits_hours(app, history):
    declaration, iid = _declaration(app, "refused")
    _sql(app, "INSERT INTO hour_entry (user_id, year, category, source, source_id, hours, created_at) "
              "SELECT person_id, year, subject, 'declaration', id, hours, created_at FROM declaration WHERE id = :id",
         id=declaration)
    assert _check(app) == {(iid, "declaration_ledger")}


def test_ledger_rows_of_no_declaration_are_orphans(app, history):
    _sql(app, "INSERT INTO hour_entry (user_id, year, category, source, source_id, hours, created_at) "
              "SELECT person_id, year, subject, 'declaration', 999999, 8, created_at FROM declaration LIMIT 1")
    assert _check(app) == {(None, "orphans")}
