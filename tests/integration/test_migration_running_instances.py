"""The process plug-in migration on a database with instances in flight.

The database is built at the revision before it, holding what that release wrote: the enrolment
process keyed ``registration`` with its diagram as then deployed, one enrolment waiting for the
unit's review and one sent back to the trainee (a personal step), with their task rows, events
and engine states made by the engine from that diagram. After ``upgrade`` both go on through the
app of today: the unit approves the first, the trainee resubmits the second.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.models import HumanTask, ProcessDefinition, ProcessInstance, TaskCandidate
from app.processes.enrollment import service as enrollments
from app.processes.enrollment.models import Enrollment
from app.services import consistency, runner
from app.services.actors import Actor
from app.services.audit import _digest
from tests.integration.test_migrations import MIGRATIONS, _empty_database
from tests.support.people import resident_id
from workflows import Engine, content_hash

BEFORE = "850f1d6b48b7"  # the last revision before process plug-ins
LEGACY = Path(__file__).resolve().parents[1] / "support" / "legacy" / "registration_v1.bpmn"
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
TRAINEES = {"waiting": resident_id("11010519800101001"), "sent_back": resident_id("11010519810202002")}


def _legacy_instances() -> tuple[str, dict[str, dict]]:
    """What the old release's engine saved: an enrolment waiting for the unit, one sent back."""
    engine = Engine({"approve_enrollment": lambda host, params, data: {}})
    bundle = engine.bundle(LEGACY.read_bytes())
    waiting = engine.start(bundle, {"same_unit": False})
    sent_back = engine.start(bundle, {"same_unit": False})
    review = sent_back.ready_tasks()[0]
    sent_back.complete(review.id, {"decision": "reject"})
    runs = {}
    for name, loaded in (("waiting", waiting), ("sent_back", sent_back)):
        snapshot = loaded.snapshot()
        runs[name] = {"state": snapshot.state, "status": snapshot.status, "label": snapshot.status_label,
                      "ready": snapshot.ready[0], "done": review if name == "sent_back" else None}
    return bundle.process_id, runs


def _insert(conn, table: str, **row) -> int:
    columns = ", ".join(row)
    values = ", ".join(f":{k}" for k in row)
    statement = f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id"  # noqa: S608 - our own names
    return conn.execute(text(statement), row).scalar_one()


def _event(conn, instance_id: int, prev: str | None, **fields) -> str:
    event = {"instance_id": instance_id, "at": NOW, "actor_id": None, "actor_name": "系统", "actor_org_id": None,
             "action": "enroll", "task_spec": None, "decision": None, "comment": None, "data": {}, **fields}
    digest = _digest(prev, SimpleNamespace(**event))
    _insert(conn, "process_event", **{**event, "data": json.dumps(event["data"]), "prev_hash": prev,
                                      "hash": digest, "actor_org_name": None})
    return digest


def _old_release_rows(url: str) -> dict[str, int]:
    process_id, runs = _legacy_instances()
    assert process_id == "registration"
    ids: dict[str, int] = {}
    engine = create_engine(url)
    with engine.begin() as conn:
        unit = _insert(conn, "organisation", name="迁移测试单位", kind="unit", created_at=NOW)
        reviewer = _insert(conn, "app_user", username="migration_reviewer", password_hash="!",
                           name="迁移审核员", must_change_password=False, is_active=True, created_at=NOW)
        _insert(conn, "role_assignment", user_id=reviewer, org_id=unit, role="reviewer")
        xml = LEGACY.read_bytes()
        definition = _insert(conn, "process_definition", process_key="registration", version=1, name="报名审核",
                             content_hash=content_hash(xml), bpmn_xml=xml.decode("utf-8"), deployed_at=NOW)
        for name, run in runs.items():
            trainee = _insert(conn, "app_user", username=TRAINEES[name], id_number=TRAINEES[name],
                              password_hash="!", name=f"学员{name}", must_change_password=False,
                              is_active=True, created_at=NOW)
            enrolment = _insert(conn, "enrollment", trainee_id=trainee, year=2026, unit_id=unit,
                                identity_type="国有企业", political_status="群众", education="大学本科",
                                title="工程师", specialty="公路工程",
                                status=run["status"], status_label=run["label"], created_at=NOW, updated_at=NOW)
            instance = _insert(conn, "process_instance", definition_id=definition, process_key="registration",
                               record_type="enrollment", record_id=enrolment, state=run["state"],
                               status=run["status"], status_label=run["label"], completed=False, cancelled=False,
                               lock_version=0, created_at=NOW, updated_at=NOW)
            conn.execute(text("UPDATE enrollment SET instance_id = :i WHERE id = :e"), {"i": instance, "e": enrolment})
            summary = json.dumps({"trainee_name": f"学员{name}", "id_number": "1101****", "year": 2026,
                                  "unit_name": "迁移测试单位", "identity_type": "国有企业", "title": "工程师",
                                  "specialty": "公路工程"})
            common = dict(instance_id=instance, process_key="registration", subject_user_id=trainee,
                          record_type="enrollment", record_id=enrolment, year=2026, summary=summary, created_at=NOW)
            head = _event(conn, instance, None, actor_id=trainee, actor_name=f"学员{name}")
            if run["done"] is not None:  # the unit's rejection, done
                _insert(conn, "human_task", engine_task_id=run["done"].id, task_spec="unit_review", name="单位审核报名",
                        lane="unit", candidate_role="reviewer", candidate_org_id=unit, status="completed",
                        completed_at=NOW, completed_by_id=reviewer, decision="reject", **common)
                head = _event(conn, instance, head, actor_id=reviewer, actor_name="迁移审核员", action="unit_review",
                              task_spec="unit_review", decision="reject", comment="请补充")
            ready = run["ready"]
            personal = ready.lane == "trainee"
            _insert(conn, "human_task", engine_task_id=ready.id, task_spec=ready.spec, name=ready.info.name,
                    lane=ready.lane, candidate_role="trainee" if personal else "reviewer",
                    candidate_org_id=None if personal else unit, assignee_id=trainee if personal else None,
                    status="open", **common)
            conn.execute(text("UPDATE process_instance SET last_event_hash = :h WHERE id = :i"),
                         {"h": head, "i": instance})
            ids[name] = enrolment
        ids["unit"], ids["reviewer"] = unit, reviewer
    engine.dispose()
    return ids


def test_running_enrolments_go_on_after_the_migration(tmp_path):
    url, cleanup = _empty_database(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS), revision=BEFORE)
            db.session.remove()
            db.engine.dispose()
        ids = _old_release_rows(url)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            assert db.session.scalar(db.select(ProcessDefinition.process_key)) == "enrollment"
            assert set(db.session.scalars(db.select(ProcessInstance.process_key))) == {"enrollment"}
            assert set(db.session.scalars(db.select(HumanTask.process_key))) == {"enrollment"}
            open_rows = {row.record_id: row for row in db.session.scalars(
                db.select(HumanTask).where(HumanTask.status == "open"))}
            review, revise = open_rows[ids["waiting"]], open_rows[ids["sent_back"]]
            candidates = {c.task_id: c for c in db.session.scalars(db.select(TaskCandidate))}
            assert (candidates[review.id].role, candidates[review.id].org_id) == ("reviewer", ids["unit"])
            assert revise.personal and revise.assignee_id is None
            assert candidates[revise.id].user_id == revise.subject_user_id
            assert review.summary["subject"] == "学员waiting" and review.subject == "学员waiting"
            assert review.summary["title"] == "2026 · 迁移测试单位"
            assert consistency.check_all().ok, consistency.check_all().problems

            # the unit approves the waiting enrolment: the old diagram runs on to its end
            reviewer = Actor.load(ids["reviewer"])
            runner.complete_task(review.id, reviewer, runner.DecisionForm("approve"))
            db.session.commit()
            approved = db.session.get(Enrollment, ids["waiting"])
            assert approved.status == "approved" and approved.approved_at is not None
            # the trainee edits and resubmits the one sent back: a new review for the unit
            trainee = Actor.load(revise.subject_user_id)
            enrollments.update(ids["sent_back"], trainee, {"specialty": "桥梁工程"})
            enrollments.submit(ids["sent_back"], trainee)
            db.session.commit()
            again = db.session.get(Enrollment, ids["sent_back"])
            assert again.status == "unit_review"
            waiting = runner.open_tasks(again.instance_id)
            assert [row.task_spec for row in waiting] == ["unit_review"]
            assert consistency.check_all().ok, consistency.check_all().problems
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
