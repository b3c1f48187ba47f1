"""office choice: the office a person of several offices works in, and pending questions

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person", sa.Column("office_id", sa.Integer(), nullable=True))
    op.create_table(
        "office_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_office_question_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_question")),
        sqlite_autoincrement=True,  # an old button's id never names a newer question
    )
    op.create_index(
        op.f("ix_office_question_person_id"), "office_question", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_office_question_person_id"), table_name="office_question")
    op.drop_table("office_question")
    op.drop_column("person", "office_id")
