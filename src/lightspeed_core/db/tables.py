"""The schema of every database the service writes (one definition for SQLite and PostgreSQL).

All tables are created in each configured database by the same migration chain, so the main
database, a separate conversation-cache database and a separate quota database share one
code path. ``quota_limits`` and ``token_usage`` keep the reference's names and columns, so an
existing quota database keeps working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
TZ = DateTime(timezone=True)


class Base(DeclarativeBase):
    """Declarative base with a naming convention (stable constraint names in migrations)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class UserConversation(Base):
    """A conversation and its owner (reference table ``user_conversation``)."""

    __tablename__ = "user_conversation"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256), index=True)
    last_used_model: Mapped[str | None] = mapped_column(String(256))
    last_used_provider: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(TZ)
    last_message_at: Mapped[datetime] = mapped_column(TZ)
    last_response_id: Mapped[str | None] = mapped_column(String(256))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    topic_summary: Mapped[str] = mapped_column(Text, default="")


class UserTurn(Base):
    """One question and answer of a conversation: the history is ours, kept here."""

    __tablename__ = "user_turn"
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("user_conversation.id", ondelete="CASCADE"), primary_key=True
    )
    turn_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(TZ)
    completed_at: Mapped[datetime] = mapped_column(TZ)
    provider: Mapped[str | None] = mapped_column(String(256))
    model: Mapped[str | None] = mapped_column(String(256))
    response_id: Mapped[str | None] = mapped_column(String(256), index=True)
    query: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")
    tool_calls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tool_results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    referenced_documents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)


class DeletedConversation(Base):
    """A tombstone: a turn that finishes after its conversation was deleted is discarded."""

    __tablename__ = "deleted_conversation"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(TZ, index=True)


class CacheEntry(Base):
    """A turn in the conversation cache (the v2 API's store when it is SQL-backed)."""

    __tablename__ = "cache_entries"
    user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch microseconds
    started_at: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(256))
    model: Mapped[str | None] = mapped_column(String(256))
    referenced_documents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tool_calls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tool_results: Mapped[list[Any]] = mapped_column(JSON, default=list)


class CacheConversation(Base):
    """A conversation in the conversation cache (listing order and topic summary)."""

    __tablename__ = "cache_conversations"
    user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic_summary: Mapped[str] = mapped_column(Text, default="")
    last_message_timestamp: Mapped[float] = mapped_column(Float, index=True)  # as migrated


class ServiceSetting(Base):
    """Runtime settings shared by every worker and pod (e.g. the feedback toggle)."""

    __tablename__ = "service_setting"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(TZ)
    updated_by: Mapped[str | None] = mapped_column(String(256))


class StreamRequest(Base):
    """A running (or finished) streaming request, so any worker can interrupt it."""

    __tablename__ = "stream_request"
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256))
    conversation_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(TZ, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(TZ)
    interrupt_requested: Mapped[bool] = mapped_column(Boolean, default=False)


class McpServer(Base):
    """An MCP server registered through the API (shared by every worker and pod)."""

    __tablename__ = "mcp_server"
    name: Mapped[str] = mapped_column(String(256), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    provider_id: Mapped[str] = mapped_column(String(256))
    authorization_headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    headers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    timeout: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZ)
    created_by: Mapped[str | None] = mapped_column(String(256))


class SavedPrompt(Base):
    """A user's saved prompt (reference table ``saved_prompt``; names unique per user)."""

    __tablename__ = "saved_prompt"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID
    user_id: Mapped[str] = mapped_column(String(256), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)


class QuotaLimit(Base):
    """A quota bucket (reference table ``quota_limits``; subject ``u`` user, ``c`` cluster)."""

    __tablename__ = "quota_limits"
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    subject: Mapped[str] = mapped_column(String(1), primary_key=True)
    quota_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    available: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(TZ)
    revoked_at: Mapped[datetime | None] = mapped_column(TZ)
    limit_override: Mapped[int | None] = mapped_column(Integer)  # set by the admin API


class TokenUsage(Base):
    """Cumulative tokens per user, provider and model (reference table ``token_usage``)."""

    __tablename__ = "token_usage"
    user_id: Mapped[str] = mapped_column(Text, primary_key=True)
    provider: Mapped[str] = mapped_column(Text, primary_key=True)
    model: Mapped[str] = mapped_column(Text, primary_key=True)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(TZ)


class QuotaReservation(Base):
    """Tokens held for a request in flight, per quota bucket, until settled or expired."""

    __tablename__ = "quota_reservation"
    __table_args__ = (Index("ix_quota_reservation_bucket", "bucket_id", "subject"),)
    reservation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket_id: Mapped[str] = mapped_column(Text, primary_key=True)
    subject: Mapped[str] = mapped_column(String(1), primary_key=True)
    tokens: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZ)
    expires_at: Mapped[datetime] = mapped_column(TZ, index=True)


class QuotaSettleClaim(Base):
    """A settle's mark that it charged its reservation (``quota/claims.py``)."""

    __tablename__ = "quota_settle_claim"
    reservation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(TZ, index=True)


class RequestRate(Base):
    """Requests one subject made in one calendar minute (request-rate limiting)."""

    __tablename__ = "request_rate"
    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch minute
    requests: Mapped[int] = mapped_column(Integer)


class A2ATask(Base):
    """An A2A task: its owner, state, the running request (for cancel) and the task itself."""

    __tablename__ = "a2a_task"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256), index=True)
    context_id: Mapped[str] = mapped_column(String(256))
    state: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))  # the pipeline run, if any
    task: Mapped[dict[str, Any]] = mapped_column(JSON)  # the A2A Task (protocol 1.0 JSON)
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)


class A2AContext(Base):
    """A user's A2A ``contextId`` and the conversation it continues."""

    __tablename__ = "a2a_context"
    user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    context_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZ)


class ConversationSummary(Base):
    """A compaction summary of a conversation's older turns (reference ``conversation_summaries``).

    Summaries are additive chunks: each covers the turns after the previous one, through
    ``summarized_through_turn``; folding replaces them all by one.
    """

    __tablename__ = "conversation_summaries"
    user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(TZ, primary_key=True)
    summarized_through_turn: Mapped[int] = mapped_column(Integer)
    token_count: Mapped[int] = mapped_column(Integer)
    model_used: Mapped[str] = mapped_column(String(256))
    summary_text: Mapped[str] = mapped_column(Text)


class CompactionLease(Base):
    """Who is compacting a conversation now (one worker at a time, across processes)."""

    __tablename__ = "compaction_lease"
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(TZ)
