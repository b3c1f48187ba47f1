"""roll-ups: good practices, score adjustments, published assessments; when a group joined

Revision ID: 0006
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "good_practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_good_practice_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["task_group.id"],
            name=op.f("fk_good_practice_group_id_task_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["period.id"],
            name=op.f("fk_good_practice_period_id_period"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["submission_revision.id"],
            name=op.f("fk_good_practice_revision_id_submission_revision"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["person.id"],
            name=op.f("fk_good_practice_withdrawn_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_good_practice_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_practice")),
    )
    op.create_index("ix_good_practice_workspace", "good_practice", ["workspace_id", "status"])

    op.create_table(
        "score_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("window_key", sa.String(length=24), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["task_group.id"],
            name=op.f("fk_score_adjustment_group_id_task_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_score_adjustment_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["person.id"],
            name=op.f("fk_score_adjustment_withdrawn_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_score_adjustment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_adjustment")),
    )
    op.create_index(
        "ix_score_adjustment_window", "score_adjustment", ["workspace_id", "window_key"]
    )

    op.create_table(
        "published_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("window_key", sa.String(length=24), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["person.id"],
            name=op.f("fk_published_assessment_published_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_published_assessment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_assessment")),
        sa.UniqueConstraint(
            "workspace_id", "window_key", name=op.f("uq_published_assessment_workspace_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("published_assessment")
    op.drop_index("ix_score_adjustment_window", table_name="score_adjustment")
    op.drop_table("score_adjustment")
    op.drop_index("ix_good_practice_workspace", table_name="good_practice")
    op.drop_table("good_practice")
    with op.batch_alter_table("task_group", schema=None) as batch_op:
        batch_op.drop_column("created_at")
