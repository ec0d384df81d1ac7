"""Process and Python metrics: one process, and the pieces of the multiprocess mode."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from lightspeed_core.metrics.process import GcCounters, WorkerProcessCollector, live_worker_pids
from lightspeed_core.metrics.registry import Metrics


def test_one_process_exposes_the_default_collectors() -> None:
    text = Metrics().render()[0].decode()
    for name in (
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        "process_open_fds ",
        "process_start_time_seconds ",
        'python_gc_objects_collected_total{generation="0"}',
        'python_gc_collections_total{generation="2"}',
        "python_info{",
    ):
        assert name in text, name


def test_two_instances_do_not_clash() -> None:
    assert b"process_cpu_seconds_total" in Metrics().render()[0]
    assert b"process_cpu_seconds_total" in Metrics().render()[0]


def fake_proc(folder: Path, pid: int, parent: int, comm: str = "python") -> None:
    (folder / str(pid)).mkdir(parents=True)
    (folder / str(pid) / "stat").write_text(f"{pid} ({comm}) S {parent} 1 1 0 -1\n")


def test_live_workers_are_the_children_of_our_parent(tmp_path: Path) -> None:
    metrics, proc = tmp_path / "metrics", tmp_path / "proc"
    metrics.mkdir()
    own = os.getpid()
    sibling, stranger, dead = 4_000_001, 4_000_002, 4_000_003
    fake_proc(proc, own, os.getppid())
    fake_proc(proc, sibling, os.getppid(), comm="odd ) name")
    fake_proc(proc, stranger, 1)
    for pid in (own, sibling, stranger, dead):
        (metrics / f"counter_{pid}.db").write_bytes(b"")
    (metrics / "gauge_max_not-a-pid.db").write_bytes(b"")
    assert live_worker_pids(str(metrics), proc) == sorted([own, sibling])


def test_worker_process_series_carry_the_pid(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    registry.register(WorkerProcessCollector(str(tmp_path)))
    text = generate_latest(registry).decode()
    assert f'process_resident_memory_bytes{{pid="{os.getpid()}"}}' in text
    assert f'process_cpu_seconds_total{{pid="{os.getpid()}"}}' in text


def test_gc_counters_add_what_happened_since_the_last_sync() -> None:
    registry = CollectorRegistry()
    counters = GcCounters(registry)
    counters.sync([{"collections": 5, "collected": 50, "uncollectable": 0}])
    counters.sync([{"collections": 7, "collected": 80, "uncollectable": 1}])
    value = registry.get_sample_value
    assert value("python_gc_collections_total", {"generation": "0"}) == 7
    assert value("python_gc_objects_collected_total", {"generation": "0"}) == 80
    assert value("python_gc_objects_uncollectable_total", {"generation": "0"}) == 1
