"""statistics: consent to anonymised statistics, cached scores, snapshots and their records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:25:00

No assessment has consented before this revision: statistics start empty, and each
municipality decides for itself.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('catalogue_id', sa.String(length=64), nullable=False),
    sa.Column('catalogue_version', sa.String(length=64), nullable=False),
    sa.Column('assessments', sa.Integer(), nullable=False),
    sa.Column('publication', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_snapshots'))
    )
    with op.batch_alter_table('stats_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_snapshots_created_at'), ['created_at'], unique=False)

    op.create_table('snapshot_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('municipality_type', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('size_band', sa.String(length=32), nullable=False),
    sa.Column('catalogue_version', sa.String(length=64), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['stats_snapshots.id'], name=op.f('fk_snapshot_records_snapshot_id_stats_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshot_records'))
    )
    with op.batch_alter_table('snapshot_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snapshot_records_snapshot_id'), ['snapshot_id'], unique=False)

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stats_consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('scores', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('scores_revision', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('scores_revision')
        batch_op.drop_column('scores')
        batch_op.drop_column('stats_consent_at')

    with op.batch_alter_table('snapshot_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snapshot_records_snapshot_id'))

    op.drop_table('snapshot_records')
    with op.batch_alter_table('stats_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_snapshots_created_at'))

    op.drop_table('stats_snapshots')
