"""unit information change: the name and credit code a unit asks to change to

Revision ID: 6f0c2d8e1a47
Revises: 24988b0c6be7
Create Date: 2026-11-30 08:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6f0c2d8e1a47'
down_revision = '24988b0c6be7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('old_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('new_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('old_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('new_code', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('unit_change', schema=None) as batch_op:
        batch_op.drop_column('new_code')
        batch_op.drop_column('old_code')
        batch_op.drop_column('new_name')
        batch_op.drop_column('old_name')
