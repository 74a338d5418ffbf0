"""repeat assessments: a follow-up names its earlier round; the measure board between rounds

Existing assessments are first rounds (no predecessor) and have an empty board: every
measure open, as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "measure_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "started", "done", name="progressstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_measure_progress_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_progress")),
        sa.UniqueConstraint(
            "assessment_id", "measure_id", name=op.f("uq_measure_progress_assessment_id_measure_id")
        ),
    )
    with op.batch_alter_table("measure_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_progress_assessment_id"), ["assessment_id"], unique=False
        )

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("predecessor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("predecessor_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_assessments_predecessor_id"), ["predecessor_id"], unique=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_assessments_predecessor_id_assessments"),
            "assessments",
            ["predecessor_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assessments_predecessor_id_assessments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_assessments_predecessor_id"))
        batch_op.drop_column("predecessor_hash")
        batch_op.drop_column("predecessor_id")

    with op.batch_alter_table("measure_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_progress_assessment_id"))

    op.drop_table("measure_progress")
