"""speed: indexes for the bounded open-problem and open-decision reads

Revision ID: 0008
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_problem_resolved_in", "problem", ["workspace_id", "resolved_period_id"], unique=False
    )
    op.create_index("ix_decision_closed", "decision", ["workspace_id", "closed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_decision_closed", table_name="decision")
    op.drop_index("ix_problem_resolved_in", table_name="problem")
