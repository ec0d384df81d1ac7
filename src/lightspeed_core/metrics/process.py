"""Process and Python metrics (``process_*``, ``python_gc_*``, ``python_info``).

One process: prometheus-client's own collectors on the service's registry. Several workers
(multiprocess mode) need care, because those collectors describe only the process that
answers the scrape:

* ``process_*``: :class:`WorkerProcessCollector` reads ``/proc/<pid>`` of every live worker
  (the pids whose metric files are in ``PROMETHEUS_MULTIPROC_DIR``, children of the same
  supervisor) at scrape time; each series carries a ``pid`` label, as multiprocess gauges
  of mode ``all`` do.
* ``python_gc_*``: each worker copies its ``gc.get_stats()`` into multiprocess counters
  (:class:`GcCounters`: every few seconds and before it renders a scrape), so the scrape
  reports the sum over all workers, dead ones included, like every counter. A ``gc``
  callback would be fresher but may run while the thread holds prometheus-client's
  (non-reentrant) multiprocess lock.
* ``python_info``: the same in every worker; the scraped one reports it.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.metrics_core import Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

_PID_IN_FILE = re.compile(r"_(\d+)\.db$")


def _parent_of(pid: int, proc: Path) -> int | None:
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 else None


def live_worker_pids(directory: str, proc: Path = Path("/proc")) -> list[int]:
    """This process and the live processes with metric files here that share its parent."""
    own, parent = os.getpid(), os.getppid()
    pids = {own}
    for name in os.listdir(directory):
        match = _PID_IN_FILE.search(name)
        if match:
            pids.add(int(match.group(1)))
    return sorted(
        pid for pid in pids if pid == own or (parent > 1 and _parent_of(pid, proc) == parent)
    )


def _constant(pid: int) -> Callable[[], int]:
    return lambda: pid


class WorkerProcessCollector(Collector):
    """``process_*`` of every live worker, each series labelled with its ``pid``."""

    def __init__(self, directory: str, proc: Path = Path("/proc")) -> None:
        self.directory = directory
        self.proc = proc

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for pid in live_worker_pids(self.directory, self.proc):
            reader = ProcessCollector(pid=_constant(pid), proc=str(self.proc), registry=None)
            for family in reader.collect():
                merged = families.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    merged.add_sample(sample.name, {**sample.labels, "pid": str(pid)}, sample.value)
        yield from families.values()


class GcCounters:
    """This process's ``gc.get_stats()`` as (multiprocess) counters."""

    def __init__(self, registry: CollectorRegistry) -> None:
        label = ["generation"]
        self._counters = {
            "collected": Counter(
                "python_gc_objects_collected",
                "Objects collected during gc",
                label,
                registry=registry,
            ),
            "uncollectable": Counter(
                "python_gc_objects_uncollectable",
                "Uncollectable objects found during GC",
                label,
                registry=registry,
            ),
            "collections": Counter(
                "python_gc_collections",
                "Number of times this generation was collected",
                label,
                registry=registry,
            ),
        }
        self._synced: dict[tuple[str, int], int] = {}

    def sync(self, stats: Iterable[dict[str, int]] | None = None) -> None:
        """Add what the collector did since the last call."""
        for generation, stat in enumerate(gc.get_stats() if stats is None else stats):
            for key, counter in self._counters.items():
                value = stat.get(key, 0)
                delta = value - self._synced.get((key, generation), 0)
                if delta > 0:
                    counter.labels(str(generation)).inc(delta)
                    self._synced[key, generation] = value
