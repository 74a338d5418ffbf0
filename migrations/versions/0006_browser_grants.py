"""browser grants: resume tokens leave the session cookie for a server-side reference

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:20:00

No stored row changes. Cookies of earlier versions still carry tokens: the application
moves them into grants on the browser's next request (assessments.access).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('browser_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('sealed_token', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_browser_grants_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_grants')),
    sa.UniqueConstraint('browser_hash', 'assessment_id', name=op.f('uq_browser_grants_browser_hash_assessment_id'))
    )
    with op.batch_alter_table('browser_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browser_grants_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_browser_grants_browser_hash'), ['browser_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_browser_grants_used_at'), ['used_at'], unique=False)


def downgrade():
    # Browsers then need their personal link once more.
    with op.batch_alter_table('browser_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browser_grants_used_at'))
        batch_op.drop_index(batch_op.f('ix_browser_grants_browser_hash'))
        batch_op.drop_index(batch_op.f('ix_browser_grants_assessment_id'))
    op.drop_table('browser_grants')
