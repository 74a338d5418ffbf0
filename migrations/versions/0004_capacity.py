"""roadmap capacity per assessment (person-days a year), editable on the priorities page

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:50:00

Existing assessments get no value: their capacity stays the one of their staff band.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_days_per_year', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_assessments_capacity_days_per_year_range'), 'capacity_days_per_year BETWEEN 1 AND 100000'
        )


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assessments_capacity_days_per_year_range'), type_='check')
        batch_op.drop_column('capacity_days_per_year')
