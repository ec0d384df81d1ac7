"""Run the real application (real OGX in library mode) for integration tests."""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI

from lightspeed_core.app import create_app
from lightspeed_core.config import configuration_from_data
from lightspeed_core.config.defaults import DATA_DIR_ENV
from lightspeed_core.config.settings import Environment, Settings
from lightspeed_core.container import Services

STUB_KEY_ENV = "LIGHTSPEED_TEST_STUB_KEY"


def stub_config(base_url: str, **overrides: Any) -> dict[str, Any]:
    """A library-mode configuration whose only LLM is the scripted backend."""
    config: dict[str, Any] = {
        "name": "Lightspeed Core test",
        "service": {"host": "127.0.0.1", "port": 8080},
        "llama_stack": {"use_as_library_client": True, "config": {"baseline": "empty"}},
        "user_data_collection": {},
        "inference": {
            "default_provider": "stub",
            "default_model": "stub-model",
            "providers": [
                {
                    "type": "openai",
                    "id": "stub",
                    "api_key_env": STUB_KEY_ENV,
                    "extra": {"base_url": base_url},
                }
            ],
        },
    }
    return deep_update(config, overrides)


def deep_update(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict update returning a new dict (``None`` values delete keys)."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_update(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def write_config(data: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lightspeed-stack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class RunningApp:
    """An app whose lifespan has run, with an httpx client bound to it."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services


@contextlib.asynccontextmanager
async def running_app(
    data: dict[str, Any], folder: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[RunningApp]:
    """Start ``create_app`` for ``data`` (config dict) and yield a client to it.

    Without a ``database`` block the app gets its own SQLite file in ``folder``; ``env``
    adds environment variables the service sees (``OTEL_*`` …), not the process.
    """
    if "database" not in data:
        data = {**data, "database": {"sqlite": {"db_path": str(folder / "lightspeed.db")}}}
    config = configuration_from_data(data, base_dir=folder)
    # OGX keeps a persistent registry under the data folder: each app gets its own, so one
    # test's models and stores never leak into another's (the run config bakes the paths in).
    variables = {**os.environ, **(env or {}), DATA_DIR_ENV: str(folder / "data")}
    app = create_app(Settings(config, folder, Environment.read(variables)))
    previous = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(folder / "data")
    try:
        context = app.router.lifespan_context(app)
        await context.__aenter__()
    finally:
        if previous is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = previous
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield RunningApp(app, client)
    except BaseException as exc:
        await context.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    else:
        await context.__aexit__(None, None, None)
