"""A2A state: ``a2a_task`` (tasks, owners, running requests) and ``a2a_context``.

Every worker and pod reads and writes tasks here, so ``tasks/get`` and ``tasks/cancel``
work wherever they land. The reference service keeps its A2A state in tables of the A2A SDK
(``a2a_tasks``, ``a2a_contexts``) without owners; those are left alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "a2a_task",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(256), nullable=False, index=True),
        sa.Column("context_id", sa.String(256), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(64)),
        sa.Column("task", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "a2a_context",
        sa.Column("user_id", sa.String(256), primary_key=True),
        sa.Column("context_id", sa.String(256), primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("a2a_context")
    op.drop_table("a2a_task")
