"""the audit trail of assessments: who changed which answer, when

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 11:45:00

Changes before this revision were not recorded; the trail starts empty.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note_changed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_changes_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_changes_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_changes'))
    )
    with op.batch_alter_table('assessment_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_changes_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_changes_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('assessment_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_changes_created_at'))
        batch_op.drop_index(batch_op.f('ix_assessment_changes_assessment_id'))
    op.drop_table('assessment_changes')
