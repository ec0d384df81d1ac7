"""Initial schema: conversations and turns, conversation cache, shared settings, stream
registry, MCP server registry, quota limits and token usage.

Tolerant of a database created by lightspeed-stack: existing ``user_conversation``,
``user_turn``, ``quota_limits`` and ``token_usage`` tables are kept and only the columns
this service adds are created.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


TURN_CONTENT: list[tuple[str, Any, str]] = [
    ("query", sa.Text(), "''"),
    ("response", sa.Text(), "''"),
    ("tool_calls", sa.JSON(), "'[]'"),
    ("tool_results", sa.JSON(), "'[]'"),
    ("referenced_documents", sa.JSON(), "'[]'"),
    ("attachments", sa.JSON(), "'[]'"),
    ("input_tokens", sa.Integer(), "0"),
    ("output_tokens", sa.Integer(), "0"),
    ("interrupted", sa.Boolean(), "false"),
]


def upgrade() -> None:
    existing = _tables()
    if "user_conversation" not in existing:
        op.create_table(
            "user_conversation",
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("user_id", sa.String(256), nullable=False, index=True),
            sa.Column("last_used_model", sa.String(256)),
            sa.Column("last_used_provider", sa.String(256)),
            sa.Column("created_at", TZ, nullable=False),
            sa.Column("last_message_at", TZ, nullable=False),
            sa.Column("last_response_id", sa.String(256)),
            sa.Column("message_count", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("topic_summary", sa.Text(), nullable=False, server_default=""),
        )
    if "user_turn" not in existing:
        op.create_table(
            "user_turn",
            sa.Column(
                "conversation_id",
                sa.String(64),
                sa.ForeignKey("user_conversation.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("turn_number", sa.Integer(), primary_key=True),
            sa.Column("started_at", TZ, nullable=False),
            sa.Column("completed_at", TZ, nullable=False),
            sa.Column("provider", sa.String(256)),
            sa.Column("model", sa.String(256)),
            sa.Column("response_id", sa.String(256), index=True),
            *(
                sa.Column(name, kind, nullable=False, server_default=sa.text(default))
                for name, kind, default in TURN_CONTENT
            ),
        )
    else:
        present = _columns("user_turn")
        with op.batch_alter_table("user_turn") as batch:
            for name, kind, default in TURN_CONTENT:
                if name not in present:
                    batch.add_column(
                        sa.Column(name, kind, nullable=False, server_default=sa.text(default))
                    )
    op.create_table(
        "cache_entries",
        sa.Column("user_id", sa.String(256), primary_key=True),
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.BigInteger(), primary_key=True),
        sa.Column("started_at", sa.String(64), nullable=False),
        sa.Column("completed_at", sa.String(64), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(256)),
        sa.Column("model", sa.String(256)),
        sa.Column("referenced_documents", sa.JSON(), nullable=False),
        sa.Column("tool_calls", sa.JSON(), nullable=False),
        sa.Column("tool_results", sa.JSON(), nullable=False),
    )
    op.create_table(
        "cache_conversations",
        sa.Column("user_id", sa.String(256), primary_key=True),
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("topic_summary", sa.Text(), nullable=False, server_default=""),
        sa.Column("last_message_timestamp", sa.Float(), nullable=False, index=True),
    )
    op.create_table(
        "service_setting",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(256)),
    )
    op.create_table(
        "stream_request",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("started_at", TZ, nullable=False, index=True),
        sa.Column("completed_at", TZ),
        sa.Column("interrupt_requested", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "mcp_server",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(256), nullable=False),
        sa.Column("authorization_headers", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("timeout", sa.Integer()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(256)),
    )
    if "quota_limits" not in existing:
        op.create_table(
            "quota_limits",
            sa.Column("id", sa.Text(), primary_key=True),
            sa.Column("subject", sa.String(1), primary_key=True),
            sa.Column("quota_limit", sa.Integer(), nullable=False),
            sa.Column("available", sa.Integer()),
            sa.Column("updated_at", TZ),
            sa.Column("revoked_at", TZ),
        )
    if "token_usage" not in existing:
        op.create_table(
            "token_usage",
            sa.Column("user_id", sa.Text(), primary_key=True),
            sa.Column("provider", sa.Text(), primary_key=True),
            sa.Column("model", sa.Text(), primary_key=True),
            sa.Column("input_tokens", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("output_tokens", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("updated_at", TZ),
        )


def downgrade() -> None:
    for table in (
        "mcp_server",
        "stream_request",
        "service_setting",
        "cache_conversations",
        "cache_entries",
        "user_turn",
        "user_conversation",
    ):
        op.drop_table(table)
