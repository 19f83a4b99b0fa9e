"""staff transfers (人员调转)

Revision ID: 3f8a5c2b9d10
Revises: 7c2e41d9a0b3
Create Date: 2026-11-29 18:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "3f8a5c2b9d10"
down_revision = "7c2e41d9a0b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=False),
        sa.Column("to_unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=30), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("status_label", sa.String(length=40), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["filed_by_id"], ["app_user.id"], name=op.f("fk_staff_transfer_filed_by_id_app_user")),
        sa.ForeignKeyConstraint(["from_unit_id"], ["organisation.id"],
                                name=op.f("fk_staff_transfer_from_unit_id_organisation")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_staff_transfer_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["person_id"], ["app_user.id"], name=op.f("fk_staff_transfer_person_id_app_user")),
        sa.ForeignKeyConstraint(["to_unit_id"], ["organisation.id"],
                                name=op.f("fk_staff_transfer_to_unit_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_transfer")),
    )
    with op.batch_alter_table("staff_transfer", schema=None) as batch_op:
        batch_op.create_index("ix_staff_transfer_from_unit", ["from_unit_id", "id"], unique=False)
        batch_op.create_index("ix_staff_transfer_person", ["person_id"], unique=False)
        batch_op.create_index("ix_staff_transfer_to_unit", ["to_unit_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_transfer", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_transfer_to_unit")
        batch_op.drop_index("ix_staff_transfer_person")
        batch_op.drop_index("ix_staff_transfer_from_unit")
    op.drop_table("staff_transfer")
