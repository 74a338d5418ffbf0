"""reports rendered in the background: a render state per cached report

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:40:00

Every stored PDF becomes a finished ("ready") report; its creation time is kept as both
the time it was asked for and the time it was finished.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_cache', schema=None) as batch_op:
        batch_op.alter_column('created_at', new_column_name='requested_at', existing_type=sa.DateTime(timezone=True),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='ready'))
        batch_op.add_column(sa.Column('error', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('render_ms', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_report_cache_status'), "status IN ('queued', 'running', 'ready', 'failed')"
        )
    op.execute("UPDATE report_cache SET started_at = requested_at, finished_at = requested_at")
    with op.batch_alter_table('report_cache', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), server_default=None)


def downgrade():
    # Reports not (yet) rendered have nothing to keep; they are made again on request.
    op.execute("DELETE FROM report_cache WHERE status <> 'ready'")
    with op.batch_alter_table('report_cache', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_report_cache_status'), type_='check')
        batch_op.alter_column('render_ms', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('finished_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('error')
        batch_op.drop_column('status')
        batch_op.alter_column('requested_at', new_column_name='created_at',
                              existing_type=sa.DateTime(timezone=True), existing_nullable=False)
