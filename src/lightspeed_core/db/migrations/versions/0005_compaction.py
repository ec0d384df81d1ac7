"""Conversation compaction: ``conversation_summaries`` and ``compaction_lease``.

``conversation_summaries`` has the reference's name and columns (contract 7.1); a table that
already exists (a database written by lightspeed-stack) is kept as it is.
``compaction_lease`` lets one worker at a time summarise a conversation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    if "conversation_summaries" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "conversation_summaries",
            sa.Column("user_id", sa.String(256), primary_key=True),
            sa.Column("conversation_id", sa.String(64), primary_key=True),
            sa.Column("created_at", TZ, primary_key=True),
            sa.Column("summarized_through_turn", sa.Integer(), nullable=False),
            sa.Column("token_count", sa.Integer(), nullable=False),
            sa.Column("model_used", sa.String(256), nullable=False),
            sa.Column("summary_text", sa.Text(), nullable=False),
        )
    op.create_table(
        "compaction_lease",
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("compaction_lease")
    op.drop_table("conversation_summaries")
