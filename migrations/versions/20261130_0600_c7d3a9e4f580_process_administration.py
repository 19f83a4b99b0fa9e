"""process administration: drafts of diagrams beside published versions, suspended instances and
the last engine error of an instance

Revision ID: c7d3a9e4f580
Revises: b5e1c0a7d912
Create Date: 2026-11-30 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d3a9e4f580'
down_revision = 'b5e1c0a7d912'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('based_on_id', sa.Integer(), nullable=True))
        batch_op.alter_column('version', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('deployed_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.drop_constraint('uq_process_definition_key_hash', type_='unique')
        batch_op.create_foreign_key(batch_op.f('fk_process_definition_created_by_id_app_user'),
                                    'app_user', ['created_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_process_definition_based_on_id_process_definition'),
                                    'process_definition', ['based_on_id'], ['id'])
    op.execute("UPDATE process_definition SET created_at = deployed_at, updated_at = deployed_at, "
               "created_by_id = deployed_by_id")
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index('uq_process_definition_published_hash', ['process_key', 'content_hash'], unique=True,
                              sqlite_where=sa.text("status = 'published'"),
                              postgresql_where=sa.text("status = 'published'"))

    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.create_index('ix_process_instance_definition', ['definition_id', 'completed'], unique=False)


def downgrade():
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_process_instance_definition')
        batch_op.drop_column('error')
        batch_op.drop_column('suspended')
    op.execute("DELETE FROM process_definition WHERE status <> 'published'")
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index('uq_process_definition_published_hash')
        batch_op.drop_constraint(batch_op.f('fk_process_definition_based_on_id_process_definition'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_process_definition_created_by_id_app_user'), type_='foreignkey')
        batch_op.create_unique_constraint('uq_process_definition_key_hash', ['process_key', 'content_hash'])
        batch_op.alter_column('deployed_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('version', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('based_on_id')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('created_at')
        batch_op.drop_column('status')
