"""advisors' invite codes; when a municipality handed its assessment to an advisor

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 11:35:00

No stored row changes: no advisor has a code yet, no assessment was handed over.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invite_code', sa.String(length=9), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_invite_code'), ['invite_code'])
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('handed_over_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_invite_code'), type_='unique')
        batch_op.drop_column('invite_code')
