"""The real app behind a real uvicorn server in the test's event loop (live streams)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from lightspeed_core.app import create_app
from lightspeed_core.config import configuration_from_data
from lightspeed_core.config.settings import Settings
from lightspeed_core.container import Services


class LiveApp:
    """A served app: its base URL and its services."""

    def __init__(self, app: FastAPI, base_url: str) -> None:
        self.app = app
        self.base_url = base_url

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services


@contextlib.asynccontextmanager
async def serve(data: dict[str, Any], folder: Path, port: int = 0) -> AsyncIterator[LiveApp]:
    """Run ``create_app`` for ``data`` under uvicorn on 127.0.0.1 (``port``; 0: any free)."""
    if "database" not in data:
        data = {**data, "database": {"sqlite": {"db_path": str(folder / "lightspeed.db")}}}
    app = create_app(Settings(configuration_from_data(data, base_dir=folder), folder))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # startup failed: raise its error
            await asyncio.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield LiveApp(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await task


async def events(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """Decode ``data: {...}`` lines of a JSON-mode stream."""
    async for line in lines:
        if line.startswith("data: "):
            yield json.loads(line[6:])


async def start_stream(
    client: httpx.AsyncClient, body: dict[str, Any], params: dict[str, str]
) -> tuple[contextlib.AsyncExitStack, AsyncIterator[dict[str, Any]], dict[str, Any]]:
    """Open a stream and read its ``start`` event; close the returned stack to hang up."""
    stack = contextlib.AsyncExitStack()
    response = await stack.enter_async_context(
        client.stream("POST", "/v1/streaming_query", json=body, params=params)
    )
    assert response.status_code == 200
    stream = events(response.aiter_lines())
    start = await anext(stream)
    assert start["event"] == "start"
    return stack, stream, start["data"]
