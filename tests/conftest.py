"""Shared fixtures: the scripted LLM backend, an isolated data dir, the running app."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import STUB_KEY_ENV, RunningApp, running_app, stub_config
from tests.support.postgres import create_database, drop_database, postgres_block

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


@pytest.fixture(scope="session")
async def postgres_db() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this test session; dropped afterwards."""
    name = await create_database()
    yield name
    await drop_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def database_block(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, dict[str, object]]:
    """A ``database`` configuration for each engine (PostgreSQL: own schema per test)."""
    if request.param == "sqlite":
        return {"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}}
    name: str = request.getfixturevalue("postgres_db")
    return {"postgres": postgres_block(name, namespace=f"t_{uuid.uuid4().hex[:10]}")}
