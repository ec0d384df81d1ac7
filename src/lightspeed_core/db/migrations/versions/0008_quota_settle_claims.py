"""Settle claims: ``quota_settle_claim``.

A quota settle marks the reservation it charged, in the same transaction, so that writing
it again (after an attempt whose outcome was unknown) charges nothing: ``quota/claims.py``. The next batch deletes the marks of the one before; the
scheduler deletes marks left for a day.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_settle_claim",
        sa.Column("reservation_id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_index("ix_quota_settle_claim_created_at", "quota_settle_claim")
    op.drop_table("quota_settle_claim")
