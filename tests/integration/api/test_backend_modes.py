"""Server mode (``ogx run`` subprocess), connection loss, degraded mode, startup failure."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.factory import TIKTOKEN_DIR
from lightspeed_core.llm.runconfig.synthesize import build_run_config
from lightspeed_core.llm.startup import BackendStartupError
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("modes")]


@contextlib.contextmanager
def ogx_run(backend_url: str, folder: Path) -> Iterator[str]:
    """``ogx run`` on 127.0.0.1 with a run config pointing at ``backend_url``; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    config = configuration_from_data(stub_config(backend_url))
    run, _ = build_run_config(config, folder, folder / "state")
    port = free_port()
    run["server"] = {"host": "127.0.0.1", "port": port}
    path = folder / "run.yaml"
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


@pytest.fixture(scope="module")
def ogx_server(
    scripted: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An OGX server for the module's tests."""
    with ogx_run(scripted.base_url, tmp_path_factory.mktemp("ogx-server")) as url:
        yield url


def server_config(url: str, **extra: object) -> dict[str, object]:
    return {
        "name": "server mode",
        "service": {"host": "127.0.0.1"},
        "llama_stack": {"url": url, "max_retries": 1, "retry_delay": 1, **extra},
        "user_data_collection": {},
        "inference": {"default_provider": "stub", "default_model": "stub-model"},
    }


async def test_server_mode_query_and_stream(ogx_server: str, tmp_path: Path) -> None:
    async with running_app(server_config(ogx_server), tmp_path) as app:
        assert app.services.llm.mode == "server"
        answer = await app.client.post("/v1/query", json={"query": "Say hello"})
        assert answer.status_code == 200
        assert answer.json()["response"] == "Hello from stub"
        stream = await app.client.post("/v1/streaming_query", json={"query": "Say hello"})
        assert '"turn_complete"' in stream.text
        ready = await app.client.get("/readiness")
        assert ready.status_code == 200
        models = (await app.client.get("/v1/models")).json()["models"]
        assert any(m["identifier"] == "stub/stub-model" for m in models)
        failed = await app.client.post("/v1/query", json={"query": "[[error:429]]"})
        assert failed.status_code == 429


async def test_server_mode_lists_builtin_file_search_tools(ogx_server: str, tmp_path: Path) -> None:
    async with running_app(server_config(ogx_server), tmp_path) as app:
        listing = await app.client.get("/v1/tools")
        assert listing.status_code == 200, listing.text
        builtin = [
            (t["identifier"], t["provider_id"], t["toolgroup_id"])
            for t in listing.json()["tools"]
            if t["server_source"] == "builtin"
        ]
        assert builtin == [
            ("insert_into_memory", "file-search", "builtin::file_search"),
            ("file_search", "file-search", "builtin::file_search"),
        ]


async def test_server_going_away(scripted: BackgroundServer, tmp_path: Path) -> None:
    """Readiness lists the impacts; OGX calls answer the reference's ``Connection error.``."""
    with contextlib.ExitStack() as server:
        url = server.enter_context(ogx_run(scripted.base_url, tmp_path / "ogx"))
        async with running_app(server_config(url), tmp_path / "app") as app:
            assert (await app.client.get("/readiness")).status_code == 200
            server.close()  # stops ``ogx run``
            ready = await app.client.get("/readiness")
            assert ready.status_code == 503
            assert ready.json() == {
                "ready": False,
                "reason": "Cannot connect to backend service",
                "overall_status": "unhealthy",
                "impacts": ["LLM inference unavailable", "RAG functionality unavailable"],
                "providers": [],
            }
            tools = await app.client.get("/v1/tools")
            assert tools.status_code == 503
            assert tools.json()["detail"] == {
                "response": "Unable to connect to OGX",
                "cause": "Connection error.",
            }
            prompts = await app.client.get("/v1/prompts")
            assert prompts.status_code == 503
            assert prompts.json()["detail"]["cause"] == "Connection error."


async def test_unreachable_server_with_degraded_mode(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with running_app(server_config(url, allow_degraded_mode=True), tmp_path) as app:
        ready = await app.client.get("/readiness")
        assert ready.status_code == 200
        assert ready.json()["overall_status"] == "degraded"
        assert ready.json()["impacts"] == [
            "LLM inference unavailable",
            "RAG functionality unavailable",
            "Agent tools unavailable",
        ]
        query = await app.client.post("/v1/query", json={"query": "hi"})
        assert query.status_code == 503
        assert query.json()["detail"]["response"] == "Unable to connect to OGX"
        metrics = (await app.client.get("/metrics")).text
        assert "ls_started_in_degraded_mode 1.0" in metrics


async def test_unreachable_server_without_degraded_mode_fails_startup(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(BackendStartupError, match="allow_degraded_mode"):
        async with running_app(server_config(url), tmp_path):
            pass


async def test_backend_connection_loss_is_503(tmp_path: Path) -> None:
    backend = BackgroundServer().start()
    async with running_app(stub_config(backend.base_url), tmp_path) as app:
        backend.stop()
        response = await app.client.post("/v1/query", json={"query": "hi"})
        assert response.status_code == 503
        assert response.json()["detail"]["response"] == "Unable to connect to OGX"


async def test_server_mode_responses(ogx_server: str, tmp_path: Path) -> None:
    """``/v1/responses`` re-labels ``ogx_client``'s events as it does OGX's in-process ones."""
    async with running_app(server_config(ogx_server), tmp_path) as app:
        body = {"input": "Say hello", "generate_topic_summary": False}
        answer = await app.client.post("/v1/responses", json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["output_text"] == "Hello from stub"
        stream = await app.client.post("/v1/responses", json={**body, "stream": True})
        assert "event: response.output_text.delta" in stream.text
        assert '"output_text": "Hello from stub"' in stream.text
        assert stream.text.endswith("data: [DONE]\n\n")
