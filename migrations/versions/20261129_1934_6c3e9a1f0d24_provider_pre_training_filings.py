"""provider pre-training filings (培训前备案); a prefecture provider's HR department (organisation.hr_id)

Revision ID: 6c3e9a1f0d24
Revises: 5b7e2d4c8f61
Create Date: 2026-11-29 19:34:58

"""
import sqlalchemy as sa
from alembic import op

revision = "6c3e9a1f0d24"
down_revision = "5b7e2d4c8f61"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_prefiling',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('hr_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('filing_date', sa.Date(), nullable=True),
    sa.Column('location', sa.String(length=50), nullable=False),
    sa.Column('class_name', sa.String(length=50), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('venue', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('total_hours', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('fee', sa.String(length=300), nullable=False),
    sa.Column('courses', sa.JSON(), nullable=False),
    sa.Column('teachers', sa.JSON(), nullable=False),
    sa.Column('textbooks', sa.JSON(), nullable=False),
    sa.Column('office_phone', sa.String(length=20), nullable=False),
    sa.Column('fax', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=50), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('post_code', sa.String(length=50), nullable=False),
    sa.Column('head_name', sa.String(length=50), nullable=False),
    sa.Column('head_title', sa.String(length=50), nullable=False),
    sa.Column('head_mobile', sa.String(length=11), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_title', sa.String(length=50), nullable=False),
    sa.Column('contact_mobile', sa.String(length=11), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('stamped_file_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('status_label', sa.String(length=40), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_provider_prefiling_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['hr_id'], ['organisation.id'], name=op.f('fk_provider_prefiling_hr_id_organisation')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_provider_prefiling_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisation.id'], name=op.f('fk_provider_prefiling_provider_id_organisation')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['organisation.id'], name=op.f('fk_provider_prefiling_supervisor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_prefiling'))
    )
    with op.batch_alter_table('provider_prefiling', schema=None) as batch_op:
        batch_op.create_index('ix_provider_prefiling_hr', ['hr_id', 'id'], unique=False)
        batch_op.create_index('ix_provider_prefiling_provider', ['provider_id', 'id'], unique=False)
        batch_op.create_index('ix_provider_prefiling_supervisor', ['supervisor_id', 'id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hr_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisation_hr_id_organisation'), 'organisation', ['hr_id'], ['id'])



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_hr_id_organisation'), type_='foreignkey')
        batch_op.drop_column('hr_id')

    with op.batch_alter_table('provider_prefiling', schema=None) as batch_op:
        batch_op.drop_index('ix_provider_prefiling_supervisor')
        batch_op.drop_index('ix_provider_prefiling_provider')
        batch_op.drop_index('ix_provider_prefiling_hr')

    op.drop_table('provider_prefiling')
