"""Azure Entra ID end to end: the real app, real OGX (``remote::azure``), a local HTTPS
Entra ID stand-in and a scripted OpenAI-compatible backend that accepts only the current
token. Library mode; server mode (``ogx run``) at the end."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.factory import TIKTOKEN_DIR
from lightspeed_core.llm.runconfig.synthesize import build_run_config
from lightspeed_core.testing.scripted_backend import BackgroundServer, ScriptedBackend
from tests.support.app import running_app
from tests.support.entra import EntraStandIn, entra_stand_in
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("azure")]
MODEL = "gpt-4o-mini"
ENTRA = {"tenant_id": "tenant-1", "client_id": "client-1", "client_secret": "s3cret"}


@pytest.fixture(scope="module")
def azure_backend() -> Iterator[BackgroundServer]:
    """The "Azure OpenAI" endpoint: a scripted backend that checks bearer tokens."""
    server = BackgroundServer(ScriptedBackend([MODEL])).start()
    yield server
    server.stop()


@pytest.fixture
def entra(tmp_path: Path) -> Iterator[tuple[EntraStandIn, str, str]]:
    with entra_stand_in(tmp_path / "entra") as stand_in:
        yield stand_in


def azure_profile(base_url: str) -> dict[str, Any]:
    """An OGX run config with one ``remote::azure`` provider and its model, no key."""
    return {
        "version": 2,
        "distro_name": "azure-test",
        "apis": ["inference", "responses"],
        "providers": {
            "inference": [
                {
                    "provider_id": "azure",
                    "provider_type": "remote::azure",
                    "config": {"base_url": base_url, "api_version": "2024-02-15-preview"},
                }
            ]
        },
        "registered_resources": {
            "models": [
                {
                    "model_id": MODEL,
                    "provider_id": "azure",
                    "provider_model_id": MODEL,
                    "model_type": "llm",
                }
            ]
        },
    }


def azure_config(folder: Path, base_url: str) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "azure-run.yaml").write_text(yaml.safe_dump(azure_profile(base_url)))
    return {
        "name": "azure test",
        "service": {"host": "127.0.0.1"},
        "llama_stack": {"use_as_library_client": True, "config": {"profile": "azure-run.yaml"}},
        "user_data_collection": {},
        "inference": {"default_provider": "azure", "default_model": MODEL},
        "azure_entra_id": ENTRA,
    }


async def test_library_mode_first_use_expiry_refresh_and_failure(
    azure_backend: BackgroundServer,
    entra: tuple[EntraStandIn, str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stand_in, authority, ca_file = entra
    scripted = azure_backend.backend
    config = azure_config(tmp_path, azure_backend.base_url)
    environ = {"AZURE_AUTHORITY_HOST": authority, "SSL_CERT_FILE": ca_file}
    async with running_app(config, tmp_path, env=environ) as app:
        run_yaml = yaml.safe_load((tmp_path / "data" / "ogx" / "run.yaml").read_text())
        assert run_yaml["providers"]["inference"][0]["config"]["model_validation"] is False
        assert (await app.client.get("/readiness")).status_code == 200  # no key needed
        assert stand_in.requests == []  # tokens are fetched on first use, not at start-up
        # first use: a token is fetched and OGX sends it to Azure as the bearer token
        stand_in.expires_in = 30  # stale at once (refreshed 30 s before expiry)
        scripted.require_bearer = "tok1"
        assert await ask(app.client, "first") == (200, "first")
        assert scripted.bearers[-1] == "tok1"
        # expiry: the next request refreshes, and only the new token is accepted
        scripted.require_bearer = "tok2"
        assert await ask(app.client, "second") == (200, "second")
        assert len(stand_in.requests) == 2
        # a failing token endpoint while the token has not really expired: answered, warned
        stand_in.failing = True
        with caplog.at_level(logging.WARNING, logger="lightspeed_core.azure"):
            assert await ask(app.client, "third") == (200, "third")
        assert "Azure Entra ID token refresh failed" in caplog.text
        assert "AADSTS7000215" in caplog.text
        # cached: a long-lived token is fetched once
        stand_in.failing = False
        stand_in.expires_in = 3600
        scripted.require_bearer = "tok3"
        assert await ask(app.client, "fourth") == (200, "fourth")
        stream = await app.client.post("/v1/streaming_query", json={"query": "[[say:fifth]]"})
        assert '"turn_complete"' in stream.text
        assert scripted.bearers[-2:] == ["tok3", "tok3"]
        assert len(stand_in.requests) == 4  # three tokens + one failed attempt


async def test_no_usable_token_is_a_503(
    azure_backend: BackgroundServer, entra: tuple[EntraStandIn, str, str], tmp_path: Path
) -> None:
    stand_in, authority, ca_file = entra
    azure_backend.backend.require_bearer = None
    stand_in.failing = True
    config = azure_config(tmp_path, azure_backend.base_url)
    environ = {"AZURE_AUTHORITY_HOST": authority, "SSL_CERT_FILE": ca_file}
    async with running_app(config, tmp_path, env=environ) as app:
        answer = await app.client.post("/v1/query", json={"query": "hello"})
        assert answer.status_code == 503
        detail = answer.json()["detail"]
        assert detail["response"] == "Unable to obtain an Azure Entra ID token"
        assert "AADSTS7000215" in detail["cause"]


async def ask(client: httpx.AsyncClient, text: str) -> tuple[int, str]:
    answer = await client.post("/v1/query", json={"query": f"[[say:{text}]]"})
    return answer.status_code, answer.json().get("response", answer.text)


@contextlib.contextmanager
def ogx_server_for(config: dict[str, Any], folder: Path) -> Iterator[str]:
    """``ogx run`` with the run config synthesised from ``config``; yields its URL."""
    run, _ = build_run_config(configuration_from_data(config), folder, folder / "state")
    port = free_port()
    run["server"] = {"host": "127.0.0.1", "port": port}
    path = folder / "server-run.yaml"
    path.write_text(yaml.safe_dump(run))
    process = spawn(
        [venv_bin("ogx"), "run", str(path), "--port", str(port), "--insecure"],
        folder / "ogx.log",
        {"OGX_LOGGING": "all=warning", "TIKTOKEN_CACHE_DIR": str(TIKTOKEN_DIR)},
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/health", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


async def test_server_mode_sends_the_token_as_provider_data(
    azure_backend: BackgroundServer, entra: tuple[EntraStandIn, str, str], tmp_path: Path
) -> None:
    stand_in, authority, ca_file = entra
    scripted = azure_backend.backend
    library = azure_config(tmp_path / "ogx", azure_backend.base_url)
    with ogx_server_for(library, tmp_path / "ogx") as url:
        config = {
            **library,
            "llama_stack": {"url": url, "max_retries": 1, "retry_delay": 1},
        }
        environ = {"AZURE_AUTHORITY_HOST": authority, "SSL_CERT_FILE": ca_file}
        async with running_app(config, tmp_path, env=environ) as app:
            assert app.services.llm.mode == "server"
            scripted.require_bearer = "tok1"
            assert await ask(app.client, "served") == (200, "served")
            stream = await app.client.post("/v1/streaming_query", json={"query": "[[say:x]]"})
            assert '"turn_complete"' in stream.text
            assert scripted.bearers[-2:] == ["tok1", "tok1"]
            assert len(stand_in.requests) == 1
