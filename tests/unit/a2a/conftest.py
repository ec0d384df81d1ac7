from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .helpers import close_agents


@pytest.fixture(autouse=True)
async def _close_agents() -> AsyncIterator[None]:
    yield
    await close_agents()
