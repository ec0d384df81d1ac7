"""Taking over a lightspeed-stack database: helpers, and turn texts from another database.

Revision 0005 (``migrations/versions/0005_reference_takeover.py``) copies the reference's
cache tables into ours and fills the turns' text from the cache when both live in one
database; it uses the pure helpers here. When ``conversation_cache`` names another
database than ``database`` (the reference's ``/tmp/lightspeed-stack.db`` beside a separate
cache file, say), :func:`fill_turns_from_cache` does the same across the two, once: a
``service_setting`` row in the main database records that it ran for that cache.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, select, update

from lightspeed_core.db.dialect import insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import CacheEntry, ServiceSetting, UserConversation, UserTurn

log = logging.getLogger(__name__)

SAME_MOMENT = 1.0  # seconds between a turn's completed_at and its cache entry's
BATCH = 500
MARKER = "takeover.turns_from_cache."

Turn = tuple[int, bool, float | None]  # number, still without text, completed_at (epoch)


def epoch_seconds(value: Any) -> float:
    """A reference timestamp as epoch seconds.

    SQLite rows hold ``time()`` floats, PostgreSQL ones ``timestamp`` values (naive ones
    are UTC), text columns ISO strings (``...Z`` included).
    """
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        return epoch_seconds(datetime.fromisoformat(text))


def moment(value: Any) -> float | None:
    """:func:`epoch_seconds`, or ``None`` for an empty or unreadable value."""
    try:
        return epoch_seconds(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def match_entries(turns: list[Turn], entries: list[Any]) -> list[tuple[int, Any]]:
    """``(turn number, cache entry)`` for the turns still without text.

    The reference writes a turn's row and its cache entry with the same ``completed_at``: an
    entry goes to the turn completed at the same moment (within a second). Without usable
    timestamps, and only when both lists have the same length, the n-th entry goes to the
    n-th turn. A turn without a matching entry (the cache was enabled later) stays empty.
    """
    moments = [moment(entry.completed_at) for entry in entries]
    if all(t[2] is not None for t in turns) and all(m is not None for m in moments):
        pairs, used = [], set()
        for number, empty, completed in turns:
            for index, when in enumerate(moments):
                close = abs((when or 0.0) - (completed or 0.0)) <= SAME_MOMENT
                if index not in used and close:
                    used.add(index)
                    if empty:
                        pairs.append((number, entries[index]))
                    break
        return pairs
    if len(turns) != len(entries):
        return []
    return [(t[0], entry) for t, entry in zip(turns, entries, strict=True) if t[1]]


def _empty_turns(connection: Connection) -> dict[tuple[str, str], list[Turn]]:
    empty = and_(UserTurn.query == "", UserTurn.response == "")
    statement = (
        select(
            UserConversation.user_id,
            UserTurn.conversation_id,
            UserTurn.turn_number,
            UserTurn.completed_at,
            case((empty, True), else_=False).label("empty"),
        )
        .join(UserConversation, UserConversation.id == UserTurn.conversation_id)
        .order_by(UserTurn.conversation_id, UserTurn.turn_number)
    )
    turns: dict[tuple[str, str], list[Turn]] = {}
    for row in connection.execute(statement):
        turns.setdefault((row.user_id, row.conversation_id), []).append(
            (row.turn_number, bool(row.empty), moment(row.completed_at))
        )
    return {key: value for key, value in turns.items() if any(t[1] for t in value)}


def _entries(connection: Connection, ids: list[str]) -> dict[tuple[str, str], list[Any]]:
    statement = (
        select(CacheEntry)
        .where(CacheEntry.conversation_id.in_(ids))
        .order_by(CacheEntry.user_id, CacheEntry.conversation_id, CacheEntry.created_at)
    )
    found: dict[tuple[str, str], list[Any]] = {}
    for row in connection.execute(statement).all():
        found.setdefault((row.user_id, row.conversation_id), []).append(row)
    return found


_FILL = (
    update(UserTurn)
    .where(
        UserTurn.conversation_id == bindparam("cid"),
        UserTurn.turn_number == bindparam("number"),
        UserTurn.query == "",
        UserTurn.response == "",
    )
    .values(
        query=bindparam("q"),
        response=bindparam("r"),
        tool_calls=bindparam("calls"),
        tool_results=bindparam("results"),
        referenced_documents=bindparam("documents"),
    )
)


def _fill(connection: Connection, values: list[dict[str, Any]]) -> int:
    connection.execute(_FILL, values)
    return len(values)


async def fill_turns_from_cache(main: Database, cache: Database) -> int:
    """Fill turns without text from the cache in another database, once; turns filled."""
    key = MARKER + hashlib.sha256(cache.target.key.encode()).hexdigest()[:32]
    marker = select(ServiceSetting.key).where(ServiceSetting.key == key)
    if await main.run(lambda c: c.execute(marker).first() is not None):
        return 0
    turns = await main.run(_empty_turns)
    keys = list(turns)
    filled = 0
    for start in range(0, len(keys), BATCH):
        group = keys[start : start + BATCH]
        found = await cache.run(_entries, sorted({cid for _, cid in group}))
        values = [
            {
                "cid": conversation,
                "number": number,
                "q": row.query,
                "r": row.response,
                "calls": list(row.tool_calls or []),
                "results": list(row.tool_results or []),
                "documents": list(row.referenced_documents or []),
            }
            for conversation_key in group
            for conversation in (conversation_key[1],)
            for number, row in match_entries(
                turns[conversation_key], found.get(conversation_key, [])
            )
        ]
        if values:
            filled += await main.run_write(_fill, values)
    done = insert_for(main.dialect)(ServiceSetting).values(
        key=key, value={"filled": filled}, updated_at=datetime.now(UTC), updated_by="takeover"
    )
    await main.run_write(lambda c: c.execute(done.on_conflict_do_nothing()))
    if filled:
        log.info("filled %d turn(s) with their text from the conversation cache", filled)
    return filled
