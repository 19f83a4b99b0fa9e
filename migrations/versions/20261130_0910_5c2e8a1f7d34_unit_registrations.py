"""unit registrations (用人单位注册)

Revision ID: 5c2e8a1f7d34
Revises: 7c2e5a9d41f3
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5c2e8a1f7d34'
down_revision = '7c2e5a9d41f3'
branch_labels = None
depends_on = None

PENDING_ONLY = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'unit_registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('unit_type', sa.String(length=20), nullable=False),
        sa.Column('industry', sa.String(length=40), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=False),
        sa.Column('applicant_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=True),
        sa.Column('conflict', sa.String(length=200), nullable=True),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('status_label', sa.String(length=60), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['applicant_id'], ['app_user.id'],
                                name=op.f('fk_unit_registration_applicant_id_app_user')),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_unit_registration_instance_id_process_instance')),
        sa.ForeignKeyConstraint(['org_id'], ['organisation.id'],
                                name=op.f('fk_unit_registration_org_id_organisation')),
        sa.ForeignKeyConstraint(['parent_id'], ['organisation.id'],
                                name=op.f('fk_unit_registration_parent_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_registration')),
    )
    with op.batch_alter_table('unit_registration', schema=None) as batch_op:
        batch_op.create_index('ix_unit_registration_parent', ['parent_id', 'id'], unique=False)
        batch_op.create_index('ix_unit_registration_applicant', ['applicant_id', 'id'], unique=False)
        batch_op.create_index('uq_unit_registration_pending_code', ['credit_code'], unique=True,
                              sqlite_where=PENDING_ONLY, postgresql_where=PENDING_ONLY)
        batch_op.create_index('uq_unit_registration_pending_name', ['name'], unique=True,
                              sqlite_where=PENDING_ONLY, postgresql_where=PENDING_ONLY)


def downgrade():
    with op.batch_alter_table('unit_registration', schema=None) as batch_op:
        batch_op.drop_index('uq_unit_registration_pending_name')
        batch_op.drop_index('uq_unit_registration_pending_code')
        batch_op.drop_index('ix_unit_registration_applicant')
        batch_op.drop_index('ix_unit_registration_parent')
    op.drop_table('unit_registration')
