"""Take over a lightspeed-stack database: its conversation cache, and turn texts from it.

lightspeed-stack (the reference service) keeps its conversation cache in the tables
``cache`` (one row per turn) and ``conversations`` (listing order, topic summary), written
with plain SQL (contract 7.2); this service keeps the same data in ``cache_entries`` and
``cache_conversations``. When the reference's tables are present, this revision copies
their rows into ours (rows already there are kept: ``ON CONFLICT DO NOTHING``), converting
timestamps (SQLite epoch seconds or PostgreSQL ``timestamp``) and JSON text.

The reference's user database keeps turns without their text (the text lives in its OGX
conversation store); revision 0001 added our content columns to its ``user_turn`` table
with empty defaults. Where the cache of the same database holds the conversation, the
turns' question, answer, tool calls, tool results and referenced documents are filled
from it - a cache entry goes to the turn completed at the same moment (the reference writes
both with one ``completed_at``) - only for turns still empty.

The reference's tables are left as they were (nothing is dropped): lightspeed-stack can be
started on the database again. ``user_conversation``, ``user_turn``, ``saved_prompt``,
``quota_limits`` and ``token_usage`` are shared with the reference and were taken over in
place by revisions 0001-0003. ``conversation_summaries`` (the reference's compaction
cache) is kept: revision 0005 created it only where it was missing, with the reference's
columns, and compaction reads it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

from lightspeed_core.db.takeover import Turn, epoch_seconds, match_entries, moment

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
CACHE_COLUMNS = {"user_id", "conversation_id", "created_at", "query", "response"}
CONVERSATION_COLUMNS = {"user_id", "conversation_id", "last_message_timestamp"}

_meta = sa.MetaData()
CACHE_ENTRIES = sa.Table(
    "cache_entries",
    _meta,
    sa.Column("user_id", sa.String(256)),
    sa.Column("conversation_id", sa.String(64)),
    sa.Column("created_at", sa.BigInteger()),
    sa.Column("started_at", sa.String(64)),
    sa.Column("completed_at", sa.String(64)),
    sa.Column("query", sa.Text()),
    sa.Column("response", sa.Text()),
    sa.Column("provider", sa.String(256)),
    sa.Column("model", sa.String(256)),
    sa.Column("referenced_documents", sa.JSON()),
    sa.Column("tool_calls", sa.JSON()),
    sa.Column("tool_results", sa.JSON()),
)
CACHE_CONVERSATIONS = sa.Table(
    "cache_conversations",
    _meta,
    sa.Column("user_id", sa.String(256)),
    sa.Column("conversation_id", sa.String(64)),
    sa.Column("topic_summary", sa.Text()),
    sa.Column("last_message_timestamp", sa.Float()),
)
USER_CONVERSATION = sa.Table(
    "user_conversation", _meta, sa.Column("id", sa.String(64)), sa.Column("user_id", sa.String())
)
USER_TURN = sa.Table(
    "user_turn",
    _meta,
    sa.Column("conversation_id", sa.String(64)),
    sa.Column("turn_number", sa.Integer()),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("query", sa.Text()),
    sa.Column("response", sa.Text()),
    sa.Column("tool_calls", sa.JSON()),
    sa.Column("tool_results", sa.JSON()),
    sa.Column("referenced_documents", sa.JSON()),
)


def _columns(bind: sa.Connection, table: str) -> set[str]:
    inspector = sa.inspect(bind)
    if table not in inspector.get_table_names():
        return set()
    return {c["name"] for c in inspector.get_columns(table)}


def _insert(bind: sa.Connection, table: sa.Table) -> Any:
    module: Any = postgresql if bind.dialect.name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def json_list(value: Any) -> list[Any]:
    """A JSON column (text on SQLite, jsonb on PostgreSQL) as a list (``None`` → ``[]``)."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def bare_id(conversation_id: str) -> str:
    """The conversation id without OGX's ``conv_`` prefix (as ``user_conversation`` keeps it)."""
    return conversation_id.removeprefix("conv_")


def _select(table: str, columns: set[str], wanted: Sequence[str]) -> sa.Select[Any]:
    """``SELECT`` of ``wanted`` from a reference table; columns it lacks read as NULL."""
    selected: list[Any] = [
        sa.column(name) if name in columns else sa.null().label(name) for name in wanted
    ]
    return sa.select(*selected).select_from(sa.table(table))


def _rows(bind: sa.Connection, statement: sa.Select[Any]) -> Iterator[list[Any]]:
    result = bind.execute(statement)
    while batch := result.fetchmany(BATCH):
        yield list(batch)


def _entry(row: Any) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "conversation_id": bare_id(row.conversation_id),
        "created_at": round(epoch_seconds(row.created_at) * 1_000_000),
        "started_at": row.started_at or "",
        "completed_at": row.completed_at or "",
        "query": row.query or "",
        "response": row.response or "",
        "provider": row.provider,
        "model": row.model,
        "referenced_documents": json_list(row.referenced_documents),
        "tool_calls": json_list(row.tool_calls),
        "tool_results": json_list(row.tool_results),
    }


def _copy_cache(bind: sa.Connection, columns: set[str]) -> None:
    statement = _select("cache", columns, [c.name for c in CACHE_ENTRIES.columns])
    insert = _insert(bind, CACHE_ENTRIES)
    for batch in _rows(bind, statement):
        bind.execute(insert, [_entry(row) for row in batch])


def _copy_conversations(bind: sa.Connection, columns: set[str]) -> None:
    statement = _select("conversations", columns, [c.name for c in CACHE_CONVERSATIONS.columns])
    insert = _insert(bind, CACHE_CONVERSATIONS)
    for batch in _rows(bind, statement):
        bind.execute(
            insert,
            [
                {
                    "user_id": row.user_id,
                    "conversation_id": bare_id(row.conversation_id),
                    "topic_summary": row.topic_summary or "",
                    "last_message_timestamp": epoch_seconds(row.last_message_timestamp),
                }
                for row in batch
            ],
        )


def _empty_turns(bind: sa.Connection) -> dict[tuple[str, str], list[Turn]]:
    """Every turn of the conversations that have a turn without text."""
    empty = sa.and_(USER_TURN.c.query == "", USER_TURN.c.response == "")
    statement = (
        sa.select(
            USER_CONVERSATION.c.user_id,
            USER_TURN.c.conversation_id,
            USER_TURN.c.turn_number,
            USER_TURN.c.completed_at,
            sa.case((empty, True), else_=False).label("empty"),
        )
        .join(USER_CONVERSATION, USER_CONVERSATION.c.id == USER_TURN.c.conversation_id)
        .order_by(USER_TURN.c.conversation_id, USER_TURN.c.turn_number)
    )
    turns: dict[tuple[str, str], list[Turn]] = {}
    for row in bind.execute(statement):
        turns.setdefault((row.user_id, row.conversation_id), []).append(
            (row.turn_number, bool(row.empty), moment(row.completed_at))
        )
    return {key: value for key, value in turns.items() if any(t[1] for t in value)}


def _fill_turns(bind: sa.Connection) -> None:
    """Give turns without text the question, answer and extras of the matching cache entry."""
    turns = _empty_turns(bind)
    update = (
        sa.update(USER_TURN)
        .where(
            USER_TURN.c.conversation_id == sa.bindparam("cid"),
            USER_TURN.c.turn_number == sa.bindparam("number"),
            USER_TURN.c.query == "",
            USER_TURN.c.response == "",
        )
        .values(
            query=sa.bindparam("q"),
            response=sa.bindparam("r"),
            tool_calls=sa.bindparam("calls", type_=sa.JSON()),
            tool_results=sa.bindparam("results", type_=sa.JSON()),
            referenced_documents=sa.bindparam("documents", type_=sa.JSON()),
        )
    )
    entries = sa.select(CACHE_ENTRIES).order_by(
        CACHE_ENTRIES.c.user_id, CACHE_ENTRIES.c.conversation_id, CACHE_ENTRIES.c.created_at
    )
    keys = list(turns)
    for start in range(0, len(keys), BATCH):  # one query per BATCH conversations
        group = keys[start : start + BATCH]
        found: dict[tuple[str, str], list[Any]] = {}
        wanted = CACHE_ENTRIES.c.conversation_id.in_({cid for _, cid in group})
        for row in bind.execute(entries.where(wanted)).fetchall():
            found.setdefault((row.user_id, row.conversation_id), []).append(row)
        values = [
            {
                "cid": key[1],
                "number": number,
                "q": row.query,
                "r": row.response,
                "calls": row.tool_calls or [],
                "results": row.tool_results or [],
                "documents": row.referenced_documents or [],
            }
            for key in group
            for number, row in match_entries(turns[key], found.get(key, []))
        ]
        if values:
            bind.execute(update, values)


def upgrade() -> None:
    bind = op.get_bind()
    cache = _columns(bind, "cache")
    if cache >= CACHE_COLUMNS:
        _copy_cache(bind, cache)
    conversations = _columns(bind, "conversations")
    if conversations >= CONVERSATION_COLUMNS:
        _copy_conversations(bind, conversations)
    if _columns(bind, "user_turn") and cache >= CACHE_COLUMNS:
        _fill_turns(bind)


def downgrade() -> None:
    """Nothing to undo: the reference's tables were only read."""
