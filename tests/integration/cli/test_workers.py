"""``lightspeed-core`` as a process: several uvicorn workers serving one port."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import stub_config, write_config
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workers")]


async def test_two_workers_both_serve(scripted: BackgroundServer, tmp_path: Path) -> None:
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={"port": port, "workers": 2},
        database={"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}},  # not the shared default
    )
    path = write_config(config, tmp_path)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    log = tmp_path / "service.log"
    process = spawn(
        [venv_bin("lightspeed-core"), "-c", str(path)],
        log,
        {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "LIGHTSPEED_CORE_DATA_DIR": str(tmp_path)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/liveness", process)
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for _ in range(60):  # until both workers finished starting
                if log.read_text().count("Application startup complete") >= 2:
                    break
                await asyncio.sleep(0.5)
            replies = await asyncio.gather(
                *(client.post("/v1/query", json={"query": "[[delay:0.2]] hi"}) for _ in range(40))
            )
            assert all(r.status_code == 200 for r in replies)
            metrics = (await client.get("/metrics")).text
        pids = set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))
        assert len(pids) >= 2
        writers = {p.name for p in metrics_dir.glob("counter_*.db")}
        assert len(writers) == 2, writers  # both worker processes counted requests
        line = 'ls_rest_api_calls_total{path="/v1/query",status_code="200"}'
        total = next(float(x.rsplit(" ", 1)[1]) for x in metrics.splitlines() if x.startswith(line))
        assert total == 40  # /metrics on one worker reports the sum over both
    finally:
        stop(process)


async def test_metrics_are_summed_when_the_cli_makes_the_metrics_folder(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    """No PROMETHEUS_MULTIPROC_DIR given: the CLI creates one and every worker writes there."""
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={"port": port, "workers": 2},
        database={"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}},
    )
    path = write_config(config, tmp_path)
    log = tmp_path / "service.log"
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(tmp_path)}  # and no PROMETHEUS_MULTIPROC_DIR
    process = spawn([venv_bin("lightspeed-core"), "-c", str(path)], log, env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/liveness", process)
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for _ in range(60):
                if log.read_text().count("Application startup complete") >= 2:
                    break
                await asyncio.sleep(0.5)
            replies = await asyncio.gather(
                *(client.post("/v1/query", json={"query": "[[delay:0.2]] hi"}) for _ in range(20))
            )
            assert all(r.status_code == 200 for r in replies)
            metrics = (await client.get("/metrics")).text
        line = 'ls_rest_api_calls_total{path="/v1/query",status_code="200"}'
        totals = [float(x.rsplit(" ", 1)[1]) for x in metrics.splitlines() if x.startswith(line)]
        assert totals == [20]  # both workers' answers, whichever worker was asked
    finally:
        stop(process)


async def test_four_workers_start_from_one_prepared_parent_and_all_serve(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    """The parent prepares shared state once and forks the workers: all four start and serve."""
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={"port": port, "workers": 4},
        database={"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}},
    )
    path = write_config(config, tmp_path)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    log = tmp_path / "service.log"
    process = spawn(
        [venv_bin("lightspeed-core"), "-c", str(path)],
        log,
        {
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "LIGHTSPEED_CORE_DATA_DIR": str(tmp_path),
            "LIGHTSPEED_STACK_LOG_LEVEL": "INFO",
        },
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/liveness", process)
        for _ in range(600):  # until every worker finished starting (no timing asserted)
            if log.read_text().count("Application startup complete") >= 4:
                break
            await asyncio.sleep(0.5)
        text = log.read_text()
        assert text.count("Application startup complete") == 4
        assert "workers are forked" in text  # the parent prepared the state and forked
        assert len(set(re.findall(r"Started server process \[(\d+)\]", text))) == 4
        assert "Child process" not in text  # no worker died or was restarted
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            assert (await client.get("/readiness")).status_code == 200
            replies = await asyncio.gather(
                *(client.post("/v1/query", json={"query": "[[delay:0.2]] hi"}) for _ in range(40))
            )
            assert all(r.status_code == 200 for r in replies)
            assert (await client.get("/v1/providers")).status_code == 200
        markers = list((tmp_path / "ogx").glob(".ogx-initialised-*"))
        assert len(markers) == 1  # OGX's stores were created once, before the workers
    finally:
        stop(process)
