"""the audit search's indexes on the event log (one per filter, each ending in (at, id)) and the
integrity checkpoints of its hash chains (what each verification found, each chain's verified head)

Revision ID: b569ecc0b61c
Revises: c7d3a9e4f580
Create Date: 2026-11-30 05:40:33.847918

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b569ecc0b61c'
down_revision = 'c7d3a9e4f580'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_process_event_at', ['at', 'id']),
    ('ix_process_event_actor', ['actor_id', 'at', 'id']),
    ('ix_process_event_action', ['action', 'at', 'id']),
    ('ix_process_event_process', ['process_key', 'at', 'id']),
    ('ix_process_event_record', ['record_type', 'record_id', 'at', 'id']),
    ('ix_process_event_org', ['actor_org_id', 'at', 'id']),
]


def upgrade():
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('base_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('by_name', sa.String(length=60), nullable=False),
    sa.Column('first_event_id', sa.Integer(), nullable=True),
    sa.Column('last_event_id', sa.Integer(), nullable=True),
    sa.Column('last_event_hash', sa.String(length=64), nullable=True),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('events_checked', sa.Integer(), nullable=False),
    sa.Column('chains_checked', sa.Integer(), nullable=False),
    sa.Column('events_total', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['base_id'], ['audit_checkpoint.id'], name=op.f('fk_audit_checkpoint_base_id_audit_checkpoint')),
    sa.ForeignKeyConstraint(['by_id'], ['app_user.id'], name=op.f('fk_audit_checkpoint_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    op.create_table('audit_chain_mark',
    sa.Column('chain', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['audit_checkpoint.id'], name=op.f('fk_audit_chain_mark_checkpoint_id_audit_checkpoint')),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chain_mark'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # A large log: build the indexes without blocking the writers (outside a transaction).
        with op.get_context().autocommit_block():
            for name, columns in INDEXES:
                op.create_index(name, 'process_event', columns, unique=False, postgresql_concurrently=True,
                                if_not_exists=True)
    else:
        with op.batch_alter_table('process_event', schema=None) as batch_op:
            for name, columns in INDEXES:
                batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('process_event', schema=None) as batch_op:
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)

    op.drop_table('audit_chain_mark')
    op.drop_table('audit_checkpoint')
