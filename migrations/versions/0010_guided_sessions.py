"""guided sessions: respondents' personal links, agreements, session notes, advisor measures

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:04:06

Respondents recorded before this revision get a public id (and no personal link yet).
"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('advisor_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('measure_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), server_default='', nullable=False),
    sa.Column('text', sa.Text(), server_default='', nullable=False),
    sa.Column('phase', sa.Integer(), nullable=True),
    sa.Column('effort', sa.String(length=1), nullable=True),
    sa.Column('responsible', sa.String(length=200), server_default='', nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('add', 'adjust', 'remove')", name=op.f('ck_advisor_measures_action_known')),
    sa.CheckConstraint('phase IS NULL OR phase BETWEEN 1 AND 3', name=op.f('ck_advisor_measures_phase_range')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_advisor_measures_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_advisor_measures_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisor_measures'))
    )
    with op.batch_alter_table('advisor_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advisor_measures_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('rationale', sa.Text(), server_default='', nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreed_by_id', sa.Integer(), nullable=True),
    sa.Column('spread_low', sa.Integer(), nullable=True),
    sa.Column('spread_high', sa.Integer(), nullable=True),
    sa.Column('respondents', sa.Integer(), nullable=True),
    sa.Column('divergent', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('note_shared', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IS NULL OR method IN ('agreed', 'median')", name=op.f('ck_agreements_method_known')),
    sa.ForeignKeyConstraint(['agreed_by_id'], ['users.id'], name=op.f('fk_agreements_agreed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_agreements_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('assessment_id', 'question_id', name=op.f('uq_agreements_assessment_id_question_id'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('guided_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('current_question_id', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('notes_shared', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_guided_sessions_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guided_sessions'))
    )
    with op.batch_alter_table('guided_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guided_sessions_assessment_id'), ['assessment_id'], unique=True)

    op.create_table('respondent_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('sealed_token', sa.LargeBinary(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_respondent_grants_respondent_id_respondents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_grants')),
    sa.UniqueConstraint('browser_hash', 'respondent_id', name=op.f('uq_respondent_grants_browser_hash_respondent_id'))
    )
    with op.batch_alter_table('respondent_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_grants_browser_hash'), ['browser_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondent_grants_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondent_grants_used_at'), ['used_at'], unique=False)

    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('named_in_report', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('token_created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_respondents_public_id'), ['public_id'])

    connection = op.get_bind()
    respondents = sa.table('respondents', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    for (respondent_id,) in connection.execute(sa.select(respondents.c.id)).all():
        connection.execute(
            respondents.update().where(respondents.c.id == respondent_id).values(public_id=uuid.uuid4().hex)
        )
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_respondents_token_hash'), ['token_hash'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=200), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('organisation')

    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_respondents_token_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_respondents_public_id'), type_='unique')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('token_created_at')
        batch_op.drop_column('token_hash')
        batch_op.drop_column('named_in_report')
        batch_op.drop_column('public_id')

    with op.batch_alter_table('respondent_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_grants_used_at'))
        batch_op.drop_index(batch_op.f('ix_respondent_grants_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_respondent_grants_browser_hash'))

    op.drop_table('respondent_grants')
    with op.batch_alter_table('guided_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guided_sessions_assessment_id'))

    op.drop_table('guided_sessions')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_assessment_id'))

    op.drop_table('agreements')
    with op.batch_alter_table('advisor_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advisor_measures_assessment_id'))

    op.drop_table('advisor_measures')
