"""Tombstones of deleted conversations: ``deleted_conversation``.

A turn still being answered when its conversation is deleted must not bring the
conversation back; appending a turn checks this table (rows are kept for a day).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_conversation",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_deleted_conversation_deleted_at", "deleted_conversation", ["deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_deleted_conversation_deleted_at", "deleted_conversation")
    op.drop_table("deleted_conversation")
