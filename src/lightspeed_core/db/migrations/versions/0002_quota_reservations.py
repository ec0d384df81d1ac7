"""Quota reservations, request-rate windows, and per-subject quota limit overrides.

``quota_reservation`` holds the tokens set aside for requests in flight (settled or released
after the model call, given back by the scheduler when they expire). ``request_rate`` counts
requests per user and calendar minute. ``quota_limits.limit_override`` remembers a limit set
through the admin API (so a change of ``initial_quota`` in the configuration does not
overwrite it); the reference service ignores the extra column.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quota_reservation",
        sa.Column("reservation_id", sa.String(64), primary_key=True),
        sa.Column("bucket_id", sa.Text(), primary_key=True),
        sa.Column("subject", sa.String(1), primary_key=True),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False, index=True),
    )
    op.create_index("ix_quota_reservation_bucket", "quota_reservation", ["bucket_id", "subject"])
    op.create_table(
        "request_rate",
        sa.Column("subject", sa.Text(), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), primary_key=True),
        sa.Column("requests", sa.Integer(), nullable=False),
    )
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("quota_limits")}
    if "limit_override" not in columns:
        with op.batch_alter_table("quota_limits") as batch:
            batch.add_column(sa.Column("limit_override", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("quota_limits") as batch:
        batch.drop_column("limit_override")
    op.drop_table("request_rate")
    op.drop_index("ix_quota_reservation_bucket", table_name="quota_reservation")
    op.drop_table("quota_reservation")
