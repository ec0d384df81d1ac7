"""Shared fixtures: the scripted LLM backend, an isolated data dir, the running app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import STUB_KEY_ENV, RunningApp, running_app, stub_config

os.environ.setdefault(STUB_KEY_ENV, "scripted-key")
os.environ.setdefault("OGX_LOGGING", "all=error")


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test session keeps OGX state and databases in its own folder."""
    folder = tmp_path_factory.mktemp("lightspeed-data")
    previous = os.environ.get("LIGHTSPEED_CORE_DATA_DIR")
    os.environ["LIGHTSPEED_CORE_DATA_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("LIGHTSPEED_CORE_DATA_DIR", None)
    else:
        os.environ["LIGHTSPEED_CORE_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def scripted() -> Iterator[BackgroundServer]:
    """The scripted OpenAI-compatible backend on 127.0.0.1 (one per test session)."""
    server = BackgroundServer().start()
    yield server
    server.stop()


@pytest.fixture
def clear_requests(scripted: BackgroundServer) -> BackgroundServer:
    scripted.backend.requests.clear()
    return scripted


@pytest.fixture(scope="session")
async def app(
    scripted: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningApp]:
    """The service in library mode against the scripted backend (shared by a session)."""
    folder = tmp_path_factory.mktemp("app")
    async with running_app(stub_config(scripted.base_url), folder) as running:
        yield running


@pytest.fixture
def client(app: RunningApp) -> httpx.AsyncClient:
    return app.client
