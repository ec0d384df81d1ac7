"""An ``openai.AsyncOpenAI`` client bound to the running app (in process, no network)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from tests.support.app import RunningApp


@pytest.fixture
async def sdk(app: RunningApp) -> AsyncIterator[openai.AsyncOpenAI]:
    """The official OpenAI client with ``base_url`` ``.../v1``, as a user would build it."""
    transport = httpx.ASGITransport(app=app.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield openai.AsyncOpenAI(
            base_url="http://testserver/v1",
            api_key="token",
            http_client=http,  # type: ignore[arg-type]  # openai types it as httpx2's client; httpx's works
            max_retries=0,
        )
