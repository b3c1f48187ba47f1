"""the weekly cycle runs by itself: step status, delivery claim and attempt time, chat flag

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("office_chat_active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("step_claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="running", nullable=False)
        )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_delivery_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_claim_id"))
        batch_op.drop_column("attempted_at")
        batch_op.drop_column("claim_id")
    with op.batch_alter_table("step_claim", schema=None) as batch_op:
        batch_op.drop_column("status")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("office_chat_active")
