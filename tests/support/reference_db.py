"""A database as lightspeed-stack (the reference service) leaves it, for takeover tests.

The table definitions are the reference's (contract 7.1 user database, 7.2 conversation
cache, 6 quota), per engine: the user tables as its SQLAlchemy models create them, the
cache and quota tables as its plain-SQL ``CREATE TABLE IF NOT EXISTS`` statements. The rows
are what it writes: the SQLite cache stores ``time()`` floats, PostgreSQL ``timestamp``
values and ``jsonb``; JSON columns of SQLite hold text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from lightspeed_core.db.engine import Database, DatabaseBlock, target_for

USER_TABLES = {
    "sqlite": [
        """CREATE TABLE user_conversation (
            id VARCHAR NOT NULL PRIMARY KEY, user_id VARCHAR NOT NULL,
            last_used_model VARCHAR NOT NULL, last_used_provider VARCHAR NOT NULL,
            created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            last_message_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            last_response_id VARCHAR, message_count INTEGER NOT NULL,
            topic_summary VARCHAR NOT NULL)""",
        "CREATE INDEX ix_user_conversation_user_id ON user_conversation (user_id)",
        """CREATE TABLE user_turn (
            conversation_id VARCHAR NOT NULL, turn_number INTEGER NOT NULL,
            started_at DATETIME NOT NULL, completed_at DATETIME NOT NULL,
            provider VARCHAR NOT NULL, model VARCHAR NOT NULL, response_id VARCHAR,
            PRIMARY KEY (conversation_id, turn_number),
            FOREIGN KEY(conversation_id) REFERENCES user_conversation (id) ON DELETE CASCADE)""",
        "CREATE INDEX ix_user_turn_response_id ON user_turn (response_id)",
        """CREATE TABLE saved_prompt (
            id VARCHAR NOT NULL PRIMARY KEY, user_id VARCHAR NOT NULL, name VARCHAR(255) NOT NULL,
            content TEXT NOT NULL, created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            CONSTRAINT uq_saved_prompt_user_name UNIQUE (user_id, name))""",
        "CREATE INDEX ix_saved_prompt_user_id ON saved_prompt (user_id)",
    ],
    "postgresql": [
        """CREATE TABLE user_conversation (
            id VARCHAR NOT NULL PRIMARY KEY, user_id VARCHAR NOT NULL,
            last_used_model VARCHAR NOT NULL, last_used_provider VARCHAR NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            last_message_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            last_response_id VARCHAR, message_count INTEGER NOT NULL,
            topic_summary VARCHAR NOT NULL)""",
        "CREATE INDEX ix_user_conversation_user_id ON user_conversation (user_id)",
        """CREATE TABLE user_turn (
            conversation_id VARCHAR NOT NULL
                REFERENCES user_conversation (id) ON DELETE CASCADE,
            turn_number INTEGER NOT NULL,
            started_at TIMESTAMP WITH TIME ZONE NOT NULL,
            completed_at TIMESTAMP WITH TIME ZONE NOT NULL,
            provider VARCHAR NOT NULL, model VARCHAR NOT NULL, response_id VARCHAR,
            PRIMARY KEY (conversation_id, turn_number))""",
        "CREATE INDEX ix_user_turn_response_id ON user_turn (response_id)",
        """CREATE TABLE saved_prompt (
            id VARCHAR NOT NULL PRIMARY KEY, user_id VARCHAR NOT NULL, name VARCHAR(255) NOT NULL,
            content TEXT NOT NULL, created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            CONSTRAINT uq_saved_prompt_user_name UNIQUE (user_id, name))""",
        "CREATE INDEX ix_saved_prompt_user_id ON saved_prompt (user_id)",
    ],
}

CACHE_TABLES = {
    "sqlite": [
        """CREATE TABLE IF NOT EXISTS cache (
            user_id text NOT NULL, conversation_id text NOT NULL, created_at int NOT NULL,
            started_at text, completed_at text, query text, response text, provider text,
            model text, referenced_documents text, tool_calls text, tool_results text,
            PRIMARY KEY(user_id, conversation_id, created_at))""",
        "CREATE INDEX IF NOT EXISTS timestamps ON cache (created_at)",
        """CREATE TABLE IF NOT EXISTS conversations (
            user_id text NOT NULL, conversation_id text NOT NULL, topic_summary text,
            last_message_timestamp int NOT NULL, PRIMARY KEY(user_id, conversation_id))""",
        """CREATE TABLE IF NOT EXISTS conversation_summaries (
            user_id text NOT NULL, conversation_id text NOT NULL, created_at int NOT NULL,
            summarized_through_turn int NOT NULL, token_count int NOT NULL,
            model_used text NOT NULL, summary_text text NOT NULL,
            PRIMARY KEY(user_id, conversation_id, created_at))""",
    ],
    "postgresql": [
        """CREATE TABLE IF NOT EXISTS cache (
            user_id text NOT NULL, conversation_id text NOT NULL, created_at timestamp NOT NULL,
            started_at text, completed_at text, query text, response text, provider text,
            model text, referenced_documents jsonb, tool_calls jsonb, tool_results jsonb,
            PRIMARY KEY(user_id, conversation_id, created_at))""",
        "CREATE INDEX IF NOT EXISTS timestamps ON cache (created_at)",
        """CREATE TABLE IF NOT EXISTS conversations (
            user_id text NOT NULL, conversation_id text NOT NULL, topic_summary text,
            last_message_timestamp timestamp NOT NULL, PRIMARY KEY(user_id, conversation_id))""",
        """CREATE TABLE IF NOT EXISTS conversation_summaries (
            user_id text NOT NULL, conversation_id text NOT NULL, created_at timestamp NOT NULL,
            summarized_through_turn int NOT NULL, token_count int NOT NULL,
            model_used text NOT NULL, summary_text text NOT NULL,
            PRIMARY KEY(user_id, conversation_id, created_at))""",
    ],
}

_TZ = {"sqlite": "timestamp", "postgresql": "timestamp with time zone"}
QUOTA_TABLES = [
    """CREATE TABLE IF NOT EXISTS quota_limits (
        id text NOT NULL, subject char(1) NOT NULL, quota_limit int NOT NULL, available int,
        updated_at {tz}, revoked_at {tz}, PRIMARY KEY(id, subject))""",
    """CREATE TABLE IF NOT EXISTS token_usage (
        user_id text NOT NULL, provider text NOT NULL, model text NOT NULL,
        input_tokens int, output_tokens int, updated_at {tz},
        PRIMARY KEY(user_id, provider, model))""",
]

ALICE, BOB = "alice", "bob"
CONV_A = "a" * 48  # the reference keeps OGX ids without their conv_ prefix
CONV_B = "b" * 48
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

TOOL_CALL = {"id": "call-1", "name": "lookup", "args": {"q": "x"}, "type": "tool_call"}
TOOL_RESULT = {
    "id": "call-1",
    "status": "success",
    "content": "42",
    "type": "tool_result",
    "round": 1,
}
DOCUMENT = {"doc_url": "https://docs.example.com/a", "doc_title": "A"}

CAROL = "carol"
CONV_C = "c" * 48  # three turns; the cache was enabled after the first

# Turn n of a conversation starts 60 * (n - 1) s after T0 and completes 5 s later; its cache
# entry has the same started_at / completed_at and is created 0.25 s after completion.
CONVERSATIONS = ((CONV_A, ALICE, 2, "Alice's topic"), (CONV_B, BOB, 1, ""), (CONV_C, CAROL, 3, ""))

# (user, conversation, turn number, query, response, documents, calls, results)
CACHE_ROWS: list[tuple[str, str, int, str, str, list[Any], list[Any], list[Any]]] = [
    (ALICE, CONV_A, 1, "first question", "first answer", [DOCUMENT], [], []),
    (ALICE, CONV_A, 2, "second question", "second answer", [], [TOOL_CALL], [TOOL_RESULT]),
    (BOB, CONV_B, 1, "bob asks", "bob is answered", [], [], []),
    (CAROL, CONV_C, 2, "carol two", "answer two", [], [], []),
    (CAROL, CONV_C, 3, "carol three", "answer three", [], [], []),
]


def started(number: int) -> float:
    """Seconds after T0 when turn ``number`` started."""
    return 60.0 * (number - 1)


def created(number: int) -> float:
    """Seconds after T0 when the cache entry of turn ``number`` was written."""
    return started(number) + 5.25


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds``."""
    return datetime.fromtimestamp(T0.timestamp() + seconds, UTC)


def _stamp(dialect: str, moment: datetime) -> Any:
    if dialect == "postgresql":
        return moment
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy and sqlite3 write it


ALL_PARTS = frozenset({"user", "cache", "quota"})


def create_reference_database(connection: Connection, parts: frozenset[str] = ALL_PARTS) -> None:
    """Create the reference's tables and fill them as it would have.

    ``parts``: ``user`` (7.1), ``cache`` (7.2), ``quota`` (6) - a deployment may keep the
    conversation cache in a database of its own.
    """
    dialect = connection.dialect.name
    if "user" in parts:
        for statement in USER_TABLES[dialect]:
            connection.execute(text(statement))
        _fill_user(connection, dialect)
    if "cache" in parts:
        for statement in CACHE_TABLES[dialect]:
            connection.execute(text(statement))
        _fill_cache(connection, dialect, lambda seconds: _stamp(dialect, at(seconds)))
    if "quota" in parts:
        for statement in QUOTA_TABLES:
            connection.execute(text(statement.format(tz=_TZ[dialect])))
        _fill_quota(connection, dialect, lambda seconds: _stamp(dialect, at(seconds)))


def _fill_user(connection: Connection, dialect: str) -> None:
    def when(seconds: float) -> Any:
        return _stamp(dialect, at(seconds))

    for cid, user, turns, topic in CONVERSATIONS:
        connection.execute(
            text(
                "INSERT INTO user_conversation (id, user_id, last_used_model, "
                "last_used_provider, created_at, last_message_at, last_response_id, "
                "message_count, topic_summary) VALUES (:id, :user, 'gpt-4o-mini', 'openai', "
                ":created, :last, :response, :count, :topic)"
            ),
            {
                "id": cid,
                "user": user,
                "created": when(0),
                "last": when(60 * turns),
                "response": f"resp_{cid[:6]}",
                "count": turns,
                "topic": topic,
            },
        )
        for number in range(1, turns + 1):
            connection.execute(
                text(
                    "INSERT INTO user_turn (conversation_id, turn_number, started_at, "
                    "completed_at, provider, model, response_id) VALUES "
                    "(:cid, :n, :start, :end, 'openai', 'gpt-4o-mini', :rid)"
                ),
                {
                    "cid": cid,
                    "n": number,
                    "start": when(started(number)),
                    "end": when(started(number) + 5),
                    "rid": f"resp_{cid[:6]}_{number}",
                },
            )
    connection.execute(
        text(
            "INSERT INTO saved_prompt (id, user_id, name, content, created_at, updated_at) "
            "VALUES ('0b8f6a1e-2c1d-4a3b-9c8d-000000000001', :u, 'triage', 'Triage: {x}', "
            ":t, :t)"
        ),
        {"u": ALICE, "t": when(0)},
    )


def _fill_cache(connection: Connection, dialect: str, when: Any) -> None:
    def stamp(seconds: float) -> Any:
        return (
            T0.timestamp() + seconds if dialect == "sqlite" else when(seconds).replace(tzinfo=None)
        )

    def as_json(value: list[Any]) -> Any:
        return json.dumps(value)

    json_values = {
        "sqlite": ":d, :calls, :results",
        "postgresql": "CAST(:d AS jsonb), CAST(:calls AS jsonb), CAST(:results AS jsonb)",
    }
    insert = text(
        "INSERT INTO cache (user_id, conversation_id, created_at, started_at, completed_at, "
        "query, response, provider, model, referenced_documents, tool_calls, tool_results) "
        "VALUES (:u, :c, :t, :s, :e, :q, :r, 'openai', 'gpt-4o-mini', " + json_values[dialect] + ")"
    )
    for user, cid, number, query, response, documents, calls, results in CACHE_ROWS:
        connection.execute(
            insert,
            {
                "u": user,
                "c": cid,
                "t": stamp(created(number)),
                "s": at(started(number)).strftime("%Y-%m-%dT%H:%M:%SZ"),  # as the reference
                "e": at(started(number) + 5).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "q": query,
                "r": response,
                "d": as_json(documents),
                "calls": as_json(calls),
                "results": as_json(results),
            },
        )
    for user, cid, topic, seconds in (
        (ALICE, CONV_A, "Alice's topic", created(2)),
        (BOB, CONV_B, None, created(1)),
        (CAROL, CONV_C, None, created(3)),
    ):
        connection.execute(
            text(
                "INSERT INTO conversations (user_id, conversation_id, topic_summary, "
                "last_message_timestamp) VALUES (:u, :c, :topic, :t)"
            ),
            {"u": user, "c": cid, "topic": topic, "t": stamp(seconds)},
        )


def _fill_quota(connection: Connection, dialect: str, when: Any) -> None:
    for subject_id, subject, limit, available in ((ALICE, "u", 1000, 640), ("", "c", 50000, 48000)):
        connection.execute(
            text(
                "INSERT INTO quota_limits (id, subject, quota_limit, available, updated_at, "
                "revoked_at) VALUES (:id, :s, :limit, :available, :t, :t)"
            ),
            {"id": subject_id, "s": subject, "limit": limit, "available": available, "t": when(0)},
        )
    connection.execute(
        text(
            "INSERT INTO token_usage (user_id, provider, model, input_tokens, output_tokens, "
            "updated_at) VALUES (:u, 'openai', 'gpt-4o-mini', 300, 60, :t)"
        ),
        {"u": ALICE, "t": when(0)},
    )


async def create_reference(block: DatabaseBlock, parts: frozenset[str] = ALL_PARTS) -> None:
    """Create and fill the reference's tables in the database of ``block`` (a fresh one)."""
    database = Database(target_for(block))
    try:
        schema = database.target.schema
        if database.dialect == "postgresql" and schema != "public":
            await database.run_write(
                lambda c: c.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            )
        await database.run_write(create_reference_database, parts)
    finally:
        await database.dispose()
