"""A throw-away PostgreSQL database per test session (server at 127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

HOST, PORT, USER, ENTRY_DB = "127.0.0.1", 5432, "postgres", "test"


async def create_database() -> str:
    name = f"lsc_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(host=HOST, port=PORT, user=USER, database=ENTRY_DB)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(host=HOST, port=PORT, user=USER, database=ENTRY_DB)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def postgres_block(name: str, namespace: str | None = None) -> dict[str, Any]:
    """A ``postgres:`` configuration block for the database ``name``."""
    block: dict[str, Any] = {
        "host": HOST,
        "port": PORT,
        "db": name,
        "user": USER,
        "password": "unused",
        "ssl_mode": "disable",
    }
    if namespace:
        block["namespace"] = namespace
    return block
