"""the event log records what each event is about (process, record) and events of no instance
(publishing, who-may-do-what changes, proof reads) in one administrative hash chain

Revision ID: b5e1c0a7d912
Revises: a00723af7b37
Create Date: 2026-11-30 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1c0a7d912'
down_revision = 'a00723af7b37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=True),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_audit_chain'))
    )
    op.execute("INSERT INTO audit_chain (name, head_hash, length) VALUES ('admin', NULL, 0)")
    with op.batch_alter_table('process_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_key', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('record_type', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=True)
    # What an instance's events are about is the instance's (set once; instances never change it).
    op.execute("""UPDATE process_event SET
        process_key = (SELECT i.process_key FROM process_instance i WHERE i.id = process_event.instance_id),
        record_type = (SELECT i.record_type FROM process_instance i WHERE i.id = process_event.instance_id),
        record_id = (SELECT i.record_id FROM process_instance i WHERE i.id = process_event.instance_id)""")


def downgrade():
    op.execute("DELETE FROM process_event WHERE instance_id IS NULL")
    with op.batch_alter_table('process_event', schema=None) as batch_op:
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('record_id')
        batch_op.drop_column('record_type')
        batch_op.drop_column('process_key')
    op.drop_table('audit_chain')
