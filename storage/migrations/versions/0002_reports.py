"""reports: the published (numbered) weekly bulletins; indexes by period for reading a week

Revision ID: 0002
Revises: 0004 (chained after main's head when main was merged in)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


INDEXES = (
    ("ix_submission_period", "submission", "period_id"),
    ("ix_exemption_period", "exemption", "period_id"),
    ("ix_problem_opened_period", "problem", "opened_period_id"),
    ("ix_problem_resolved_period", "problem", "resolved_period_id"),
)


def upgrade() -> None:
    op.create_table(
        "published_bulletin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["person.id"],
            name=op.f("fk_published_bulletin_published_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_published_bulletin_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_bulletin")),
        sa.UniqueConstraint(
            "workspace_id", "year", "number", name=op.f("uq_published_bulletin_workspace_id")
        ),
        sa.UniqueConstraint("workspace_id", "period_key", name="uq_published_bulletin_period"),
    )
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("published_bulletin")
