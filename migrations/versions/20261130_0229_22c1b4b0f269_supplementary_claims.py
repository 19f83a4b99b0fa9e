"""supplementary claims for last year (学时增补) and their entries

Revision ID: 22c1b4b0f269
Revises: f70874fab621
Create Date: 2026-11-30 02:29:25

"""
import sqlalchemy as sa
from alembic import op

revision = "22c1b4b0f269"
down_revision = "f70874fab621"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "supplementary_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("consent", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("status_label", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("hours_total", sa.Numeric(precision=6, scale=1), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_supplementary_claim_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["office_id"], ["organisation.id"],
                                name=op.f("fk_supplementary_claim_office_id_organisation")),
        sa.ForeignKeyConstraint(["province_id"], ["organisation.id"],
                                name=op.f("fk_supplementary_claim_province_id_organisation")),
        sa.ForeignKeyConstraint(["trainee_id"], ["app_user.id"], name=op.f("fk_supplementary_claim_trainee_id_app_user")),
        sa.ForeignKeyConstraint(["unit_id"], ["organisation.id"], name=op.f("fk_supplementary_claim_unit_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplementary_claim")),
    )
    op.create_index("ix_supplementary_claim_trainee_year", "supplementary_claim", ["trainee_id", "year"])
    op.create_table(
        "supplementary_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=1), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["supplementary_claim.id"],
                                name=op.f("fk_supplementary_entry_claim_id_supplementary_claim")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplementary_entry")),
    )
    op.create_index(op.f("ix_supplementary_entry_claim_id"), "supplementary_entry", ["claim_id"])


def downgrade():
    op.drop_index(op.f("ix_supplementary_entry_claim_id"), table_name="supplementary_entry")
    op.drop_table("supplementary_entry")
    op.drop_index("ix_supplementary_claim_trainee_year", table_name="supplementary_claim")
    op.drop_table("supplementary_claim")
