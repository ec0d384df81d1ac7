"""``/metrics`` with two workers: process and Python metrics of both, whichever answers."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import stub_config
from tests.support.processes import free_port, lightspeed_service

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workers")]


def value(text: str, sample: str) -> float:
    line = next(x for x in text.splitlines() if x.startswith(sample + " "))
    return float(line.rsplit(" ", 1)[1])


async def test_two_workers_report_both_processes(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    config = stub_config(
        scripted.base_url,
        service={"port": free_port(), "workers": 2},
        database={"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}},
    )
    with lightspeed_service(config, tmp_path) as base:
        log = (tmp_path / "service.log").read_text()
        workers = set(re.findall(r"Started server process \[(\d+)\]", log))
        scrapes = []
        for _ in range(8):  # fresh connections: the kernel spreads them over the workers
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                answer = await client.get("/metrics")
                assert answer.status_code == 200
                scrapes.append(answer.text)
    for text in scrapes:
        pids = set(re.findall(r'process_resident_memory_bytes\{pid="(\d+)"\}', text))
        assert pids == workers, (pids, workers)
        for pid in pids:
            assert value(text, f'process_resident_memory_bytes{{pid="{pid}"}}') > 10_000_000
            assert value(text, f'process_cpu_seconds_total{{pid="{pid}"}}') > 0
            assert value(text, f'process_open_fds{{pid="{pid}"}}') > 0
        assert value(text, 'python_gc_collections_total{generation="0"}') > 0
        assert "python_gc_objects_collected_total" in text
        assert re.search(r'python_info\{implementation="CPython",major="3",minor="12"', text)
        assert text.count("# TYPE process_resident_memory_bytes") == 1
