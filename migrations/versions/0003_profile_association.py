"""municipality profile: kind and name of the joint administration; catalogue upgrade notice

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:30:00

Existing assessments get an empty administration name and no kind or notice; their
catalogue upgrade (2026.2 -> 2027.1, e.g. type ``amt`` -> ``verwaltungsverband``) is done by
the application when an assessment is opened, because it follows the catalogue's rules.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('association_kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('association_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('upgrade_notice', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('upgrade_notice')
        batch_op.drop_column('association_name')
        batch_op.drop_column('association_kind')
