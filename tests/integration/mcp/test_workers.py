"""The dynamic MCP registry with ``service.workers: 2``: registered on one worker, used by both."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, quiet
from tests.support.app import stub_config, write_config
from tests.support.mcp_server import ServerOptions
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workers")]

Entry = tuple[str, float, float, int]  # key, value, timestamp, position
read_entries: Callable[[str], Iterable[Entry]] = MmapedDict.read_all_values_from_file


def _queries_per_worker(metrics_dir: Path) -> list[float]:
    """``/v1/query`` answers counted by each worker process (one file per pid)."""
    counts = []
    for path in sorted(metrics_dir.glob("counter_*.db")):
        total = 0.0
        for key, value, _timestamp, _pos in read_entries(str(path)):
            name, _, labels, *_ = json.loads(key)
            if name == "ls_rest_api_calls" and labels.get("path") == "/v1/query":
                total += value
        counts.append(total)
    return counts


async def _all_use_the_tool(client: httpx.AsyncClient) -> bool:
    replies = await asyncio.gather(
        *(
            client.post("/v1/query", json=quiet('[[tool:w_add {"a": 1, "b": 2}]]'))
            for _ in range(20)
        )
    )
    assert all(r.status_code == 200 for r in replies)
    return all([t["content"] for t in r.json()["tool_results"]] == ["3"] for r in replies)


async def test_registration_is_seen_by_every_worker(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={"port": port, "workers": 2},
        database={"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}},
    )
    path = write_config(config, tmp_path)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    log = tmp_path / "service.log"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "LIGHTSPEED_CORE_DATA_DIR": str(tmp_path)}
    with mcp_servers(ServerOptions(tokens=None, prefix="w_")) as [server]:
        process = spawn([venv_bin("lightspeed-core"), "-c", str(path)], log, env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/liveness", process)
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                for _ in range(120):  # until both workers finished starting
                    if log.read_text().count("Application startup complete") >= 2:
                        break
                    await asyncio.sleep(0.5)
                registration = {"name": "shared", "url": server.url}
                created = await client.post("/v1/mcp-servers", json=registration)
                assert created.status_code == 201, created.text
                for _ in range(20):  # the other worker's registry cache lasts about a second
                    if await _all_use_the_tool(client):
                        break
                    await asyncio.sleep(0.5)
                else:
                    pytest.fail("a worker never used the registered MCP server")
                assert await _all_use_the_tool(client)
                listed = (await client.get("/v1/mcp-servers")).json()["servers"]
                assert [s["name"] for s in listed] == ["shared"]
            per_worker = _queries_per_worker(metrics_dir)
            assert len(per_worker) == 2
            assert all(count > 0 for count in per_worker), per_worker
        finally:
            stop(process)
