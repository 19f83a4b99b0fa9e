"""process plug-ins: task candidates, due dates, ledger reversals, attachments, enrolment key

Revision ID: 7c2e41d9a0b3
Revises: 850f1d6b48b7
Create Date: 2026-11-29 17:00:00

What changes for data already there:

* every task row gets its candidates in ``task_candidate`` (the trainee's own steps: the
  person; reviews: the role and organisation) and loses ``candidate_role`` and
  ``candidate_org_id``; an open row's summary takes the shared shape (subject, title, facts);
* the enrolment process is keyed ``enrollment`` (it was ``registration``): definitions,
  instances and task rows move to the new key; the diagrams already deployed keep their XML,
  so running instances go on exactly where they are;
* a ledger entry may now be one of many of its record, or the reversal of another;
* claim proofs move to the shared ``attachment`` table (same storage keys).
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "7c2e41d9a0b3"
down_revision = "850f1d6b48b7"
branch_labels = None
depends_on = None

CREDITS_ONLY = sa.text("reverses_id IS NULL")
# The shared summary of open tasks (frozen here: later code may word things differently).
ROUTE_LABELS = {"exam": "Qualification exams", "seminar": "Advanced seminar",
                "training": "Training and academic events", "research": "Legislation, research and standards",
                "paper": "Papers and books", "degree_course": "In-service degree education"}


def _fact(label, value, translate=False):
    return {"label": label, "value": value, "translate": translate}


def _summary(record_type, old):
    subject = old.get("trainee_name") or ""
    if record_type == "claim":
        reviewed = old.get("hours_reviewed")
        hours = f"{old.get('hours_requested', 0):.1f} / {f'{reviewed:.1f}' if reviewed is not None else '-'}"
        facts = [_fact("Claim route", ROUTE_LABELS.get(old.get("route"), old.get("route") or ""), True),
                 _fact("Requested / reviewed hours", hours), _fact("Unit", old.get("unit_name") or "-")]
        title = old.get("title") or ""
    else:
        facts = [_fact("Professional title", old.get("title") or "", True),
                 _fact("Specialty", old.get("specialty") or ""),
                 _fact("Identity", old.get("identity_type") or "", True)]
        title = f"{old.get('year')} · {old.get('unit_name') or ''}"
    return {"subject": subject, "subject_id_number": old.get("id_number"), "title": title, "facts": facts}


def _convert_tasks(conn):
    task = sa.table("human_task", sa.column("id"), sa.column("record_type"), sa.column("summary", sa.JSON),
                    sa.column("status"), sa.column("candidate_role"), sa.column("candidate_org_id"),
                    sa.column("assignee_id"), sa.column("personal"), sa.column("claimed_at"))
    candidate = sa.table("task_candidate", sa.column("task_id"), sa.column("role"), sa.column("org_id"),
                         sa.column("user_id"), sa.column("status"))
    conn.execute(candidate.insert().from_select(
        ["task_id", "role", "org_id", "user_id", "status"],
        sa.select(task.c.id, sa.null(), sa.null(), task.c.assignee_id, task.c.status)
        .where(task.c.candidate_role == "trainee")))
    conn.execute(candidate.insert().from_select(
        ["task_id", "role", "org_id", "user_id", "status"],
        sa.select(task.c.id, task.c.candidate_role, task.c.candidate_org_id, sa.null(), task.c.status)
        .where(task.c.candidate_role != "trainee")))
    conn.execute(task.update().where(task.c.candidate_role == "trainee")
                 .values(personal=True, assignee_id=None, claimed_at=None))
    conn.execute(sa.text("UPDATE human_task SET subject = COALESCE((SELECT name FROM app_user "
                         "WHERE app_user.id = human_task.subject_user_id), '')"))
    rows = conn.execute(sa.select(task.c.id, task.c.record_type, task.c.summary).where(task.c.status == "open"))
    for row in rows.all():
        old = row.summary if isinstance(row.summary, dict) else json.loads(row.summary or "{}")
        conn.execute(task.update().where(task.c.id == row.id).values(summary=_summary(row.record_type, old)))


def upgrade():
    op.create_table(
        "task_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name=op.f("fk_task_candidate_org_id_organisation")),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_candidate_task_id_human_task"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_task_candidate_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_candidate")),
    )
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.create_index("ix_task_candidate_org", ["org_id", "role", "status", "task_id"], unique=False)
        batch_op.create_index("ix_task_candidate_task", ["task_id"], unique=False)
        batch_op.create_index("ix_task_candidate_user", ["user_id", "status", "task_id"], unique=False)

    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("subject", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    _convert_tasks(conn)
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.alter_column("personal", server_default=None)
        batch_op.alter_column("subject", server_default=None)
        batch_op.drop_index("ix_human_task_inbox")
        batch_op.drop_constraint("fk_human_task_candidate_org_id_organisation", type_="foreignkey")
        batch_op.drop_column("candidate_org_id")
        batch_op.drop_column("candidate_role")

    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=40), type_=sa.String(length=100))
        batch_op.alter_column("status_label", existing_type=sa.String(length=40), type_=sa.String(length=120))

    with op.batch_alter_table("hour_entry", schema=None) as batch_op:
        batch_op.drop_constraint("uq_hour_entry_source", type_="unique")
        batch_op.alter_column("source", existing_type=sa.String(length=20), type_=sa.String(length=30))
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_hour_entry_reverses_id_hour_entry"), "hour_entry",
                                    ["reverses_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_hour_entry_reverses_id"), ["reverses_id"])
        batch_op.create_index("ix_hour_entry_source", ["source", "source_id"], unique=False)
    op.create_index("uq_hour_entry_credit", "hour_entry", ["source", "source_id", "user_id", "category"],
                    unique=True, sqlite_where=CREDITS_ONLY, postgresql_where=CREDITS_ONLY)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=60), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["app_user.id"], name=op.f("fk_attachment_uploaded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attachment_storage_key")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_record", ["record_type", "record_id"], unique=False)
    op.execute("INSERT INTO attachment (id, record_type, record_id, kind, storage_key, filename, description, "
               "content_type, size, sha256, uploaded_by_id, created_at) SELECT id, 'claim', claim_id, '', "
               "storage_key, filename, description, content_type, size, sha256, uploaded_by_id, created_at "
               "FROM claim_file")
    if conn.dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('attachment', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM attachment), 0) + 1, false)")
    with op.batch_alter_table("claim_file", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_file_claim_id")
    op.drop_table("claim_file")

    for table in ("process_definition", "process_instance", "human_task"):
        op.execute(f"UPDATE {table} SET process_key = 'enrollment' WHERE process_key = 'registration'")


def downgrade():
    raise NotImplementedError("the process plug-in migration is one-way: restore a backup to go back")
