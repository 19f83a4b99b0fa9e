"""unit changes (更换上级部门)

Revision ID: a1d94e7f2c55
Revises: 3f8a5c2b9d10
Create Date: 2026-11-29 18:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a1d94e7f2c55"
down_revision = "3f8a5c2b9d10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unit_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("old_parent_id", sa.Integer(), nullable=True),
        sa.Column("new_parent_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("status_label", sa.String(length=60), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_unit_change_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["new_parent_id"], ["organisation.id"],
                                name=op.f("fk_unit_change_new_parent_id_organisation")),
        sa.ForeignKeyConstraint(["old_parent_id"], ["organisation.id"],
                                name=op.f("fk_unit_change_old_parent_id_organisation")),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name=op.f("fk_unit_change_org_id_organisation")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["app_user.id"],
                                name=op.f("fk_unit_change_requested_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_change")),
    )
    with op.batch_alter_table("unit_change", schema=None) as batch_op:
        batch_op.create_index("ix_unit_change_new_parent", ["new_parent_id", "id"], unique=False)
        batch_op.create_index("ix_unit_change_old_parent", ["old_parent_id", "id"], unique=False)
        batch_op.create_index("ix_unit_change_org", ["org_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("unit_change", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_change_org")
        batch_op.drop_index("ix_unit_change_old_parent")
        batch_op.drop_index("ix_unit_change_new_parent")
    op.drop_table("unit_change")
