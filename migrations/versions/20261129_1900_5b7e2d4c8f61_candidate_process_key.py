"""task candidates carry their task's process key

The inbox counts open tasks per process from ``task_candidate`` alone: the key is the last
column of both candidate indexes, after ``task_id``, so those indexes still give a branch's
tasks in id order and also count them per process without reading a task row.

Revision ID: 5b7e2d4c8f61
Revises: a1d94e7f2c55
Create Date: 2026-11-29 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "5b7e2d4c8f61"
down_revision = "a1d94e7f2c55"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_key", sa.String(length=60), nullable=True))
    op.execute("UPDATE task_candidate SET process_key = "
               "(SELECT human_task.process_key FROM human_task WHERE human_task.id = task_candidate.task_id)")
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.alter_column("process_key", existing_type=sa.String(length=60), nullable=False)
        batch_op.drop_index("ix_task_candidate_org")
        batch_op.drop_index("ix_task_candidate_user")
        batch_op.create_index("ix_task_candidate_org", ["org_id", "role", "status", "task_id", "process_key"],
                              unique=False)
        batch_op.create_index("ix_task_candidate_user", ["user_id", "status", "task_id", "process_key"], unique=False)


def downgrade():
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_org")
        batch_op.drop_index("ix_task_candidate_user")
        batch_op.create_index("ix_task_candidate_org", ["org_id", "role", "status", "task_id"], unique=False)
        batch_op.create_index("ix_task_candidate_user", ["user_id", "status", "task_id"], unique=False)
        batch_op.drop_column("process_key")
