"""course administration: categories can be disabled (停用), and an append-only log of what
course administrators changed

Revision ID: 4d7b1e9c2a63
Revises: 22c1b4b0f269
Create Date: 2026-11-30 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '4d7b1e9c2a63'
down_revision = "22c1b4b0f269"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False))

    op.create_table('course_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_course_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['category_id'], ['course_category.id'], name=op.f('fk_course_event_category_id_course_category')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_event_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_event'))
    )
    with op.batch_alter_table('course_event', schema=None) as batch_op:
        batch_op.create_index('ix_course_event_category', ['category_id', 'id'], unique=False)
        batch_op.create_index('ix_course_event_course', ['course_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('course_event', schema=None) as batch_op:
        batch_op.drop_index('ix_course_event_course')
        batch_op.drop_index('ix_course_event_category')

    op.drop_table('course_event')
    with op.batch_alter_table('course_category', schema=None) as batch_op:
        batch_op.drop_column('active')
