"""Saved prompts: ``saved_prompt`` (contract 7.1), one row per user and prompt name.

A ``saved_prompt`` table that already exists (a database written by lightspeed-stack) is
kept as it is.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    if "saved_prompt" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "saved_prompt",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(256), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_prompt_user_id"),
    )


def downgrade() -> None:
    op.drop_table("saved_prompt")
