"""Helpers for tests of the vector-store proxy endpoints."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


async def ingested(client: httpx.AsyncClient, store: str, file_id: str) -> dict[str, Any]:
    """The vector-store file once OGX has finished ingesting it (or failed to)."""
    for _ in range(600):
        body: dict[str, Any] = (
            await client.get(f"/v1/vector-stores/{store}/files/{file_id}")
        ).json()
        if body["status"] != "in_progress":
            return body
        await asyncio.sleep(0.1)
    raise AssertionError("ingestion did not finish")
