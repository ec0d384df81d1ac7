"""CPU and memory of groups of processes, read from ``/proc``, and the per-core arithmetic.

A *group* is what one role costs: the service (a uvicorn parent and its workers), the
load balancer, the OGX server, the scripted backend, PostgreSQL's backends serving our
database. :class:`CpuWindow` reads each group's user + system CPU at the start and the end
of a load run; :func:`window_summary` turns that into cores used, CPU per request and
requests per core-second (the scaling measure: on a shared 2-core machine throughput
depends on what else runs, CPU per request does not). The parsing and arithmetic are pure
functions (unit-tested in ``tests/unit/bench``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.processes import children_of, cpu_seconds

MAPPING_HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def children(pid: int) -> list[int]:
    """Child processes of ``pid``, started by any of its threads."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def query_count(metrics: str, path: str = "/v1/query", *, failed: bool = False) -> float:
    """Answers of ``path`` in a Prometheus text page (``ls_rest_api_calls_total``): all of
    them, or with ``failed`` those whose status was not 200."""
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("ls_rest_api_calls_total{") and f'path="{path}"' in line:
            if failed and 'status_code="200"' in line:
                continue
            total += float(line.rsplit(" ", 1)[1])
    return total


def worker_pids(pid: int) -> list[int]:
    """The service's workers: uvicorn's children, or the process itself when it has none."""
    return children(pid) or [pid]


def parse_switches(text: str) -> tuple[int, int]:
    """(voluntary, involuntary) context switches from a ``/proc/<pid>/task/<tid>/status``."""
    counts = {"voluntary_ctxt_switches": 0, "nonvoluntary_ctxt_switches": 0}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in counts:
            counts[name] = int(value)
    return counts["voluntary_ctxt_switches"], counts["nonvoluntary_ctxt_switches"]


def context_switches(pid: int) -> tuple[int, int]:
    """(voluntary, involuntary) context switches of the live threads of ``pid`` and of its
    live descendants (a uvicorn parent's workers).

    Involuntary ones are preemptions: on a saturated machine they say how often a process
    lost its core while it had work (and came back to a cold cache).
    """
    voluntary = involuntary = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            v, i = parse_switches((task / "status").read_text())
        except OSError:
            continue
        voluntary, involuntary = voluntary + v, involuntary + i
    for child in children_of(pid):
        v, i = context_switches(child)
        voluntary, involuntary = voluntary + v, involuntary + i
    return voluntary, involuntary


def group_cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU of every process in ``pids`` and their live descendants."""
    return sum(cpu_seconds(pid) for pid in pids)


def parse_smaps_rollup(text: str) -> dict[str, int]:
    """``/proc/<pid>/smaps_rollup`` → {field: kB} (``Rss``, ``Pss``, ``Anonymous`` …)."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            values[parts[0].rstrip(":")] = int(parts[1])
    return values


def parse_mappings(text: str, suffix: str) -> dict[str, int]:
    """Sum of ``/proc/<pid>/smaps`` fields (kB) over the mappings of files ending in ``suffix``."""
    totals: dict[str, int] = {}
    current = False
    for line in text.splitlines():
        if MAPPING_HEADER.match(line):
            fields = line.split()
            current = len(fields) >= 6 and fields[-1].endswith(suffix)
            continue
        parts = line.split()
        if current and len(parts) == 3 and parts[2] == "kB":
            key = parts[0].rstrip(":")
            totals[key] = totals.get(key, 0) + int(parts[1])
    return totals


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and anonymous memory of one process in MiB (0 when it is gone)."""
    try:
        rollup = parse_smaps_rollup(Path(f"/proc/{pid}/smaps_rollup").read_text())
    except OSError:
        return {"rss": 0.0, "pss": 0.0, "anonymous": 0.0}
    return {
        "rss": round(rollup.get("Rss", 0) / 1024, 1),
        "pss": round(rollup.get("Pss", 0) / 1024, 1),
        "anonymous": round(rollup.get("Anonymous", 0) / 1024, 1),
    }


def file_mapping_mb(pid: int, suffix: str) -> dict[str, float]:
    """RSS, PSS and shared/private pages of the mappings of one file type, in MiB."""
    try:
        totals = parse_mappings(Path(f"/proc/{pid}/smaps").read_text(), suffix)
    except OSError:
        totals = {}
    keys = ("Rss", "Pss", "Shared_Clean", "Private_Clean", "Private_Dirty")
    return {key.lower(): round(totals.get(key, 0) / 1024, 1) for key in keys}


@dataclass
class CpuWindow:
    """CPU seconds of named groups of processes between :meth:`start` and :meth:`stop`.

    A group is a callable returning its current pids, so processes that appear during the
    window (a new database connection) are counted from when they are first seen.
    """

    groups: Mapping[str, Callable[[], list[int]]]
    _start: dict[str, dict[int, float]] = field(default_factory=dict)
    _began: float = 0.0
    _switches: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    # {group: (voluntary, involuntary)} context switches in the window, set by stop()
    switched: dict[str, tuple[int, int]] = field(default_factory=dict)

    def _read_switches(self) -> dict[str, dict[int, tuple[int, int]]]:
        return {
            name: {pid: context_switches(pid) for pid in pids()}
            for name, pids in self.groups.items()
        }

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()
        }

    def start(self) -> None:
        self._switches = self._read_switches()
        self._start = self._read()
        self._began = time.monotonic()

    def stop(self) -> tuple[float, dict[str, float]]:
        """(wall seconds, {group: CPU seconds used in the window})."""
        wall = time.monotonic() - self._began
        end = self._read()
        switches = self._read_switches()
        self.switched = {
            name: (
                sum(v - self._switches[name].get(pid, (0, 0))[0] for pid, (v, _) in now.items()),
                sum(i - self._switches[name].get(pid, (0, 0))[1] for pid, (_, i) in now.items()),
            )
            for name, now in switches.items()
        }
        used = {
            name: sum(
                seconds - self._start.get(name, {}).get(pid, 0.0)
                for pid, seconds in end[name].items()
            )
            for name in self.groups
        }
        return wall, {name: round(max(value, 0.0), 3) for name, value in used.items()}


def window_summary(
    requests: int, wall_s: float, cpu_s: Mapping[str, float], *, service: Iterable[str]
) -> dict[str, Any]:
    """Cores used and CPU per request of each group; requests per core-second of ``service``.

    ``service`` names the groups that make up the service (the service processes, and in
    server mode the OGX server): their CPU is the "core used" of the scaling goal.
    """
    if wall_s <= 0:
        raise ValueError("the window has no duration")
    service_cpu = sum(cpu_s[name] for name in service)
    per_request = {
        name: round(seconds * 1000 / requests, 3) if requests else None
        for name, seconds in cpu_s.items()
    }
    return {
        "cores": {name: round(seconds / wall_s, 3) for name, seconds in cpu_s.items()},
        "cpu_ms_per_request": per_request,
        "service_cores": round(service_cpu / wall_s, 3),
        "service_cpu_ms_per_request": (
            round(service_cpu * 1000 / requests, 3) if requests else None
        ),
        "rps_per_core": round(requests / service_cpu, 1) if service_cpu > 0 else None,
    }


def per_core_ratios(
    per_core: Mapping[str, float | None], reference: str
) -> dict[str, float | None]:
    """Each variant's requests per core-second as a ratio of ``reference``'s (1.0 = as good)."""
    base = per_core.get(reference)
    if not base:
        return dict.fromkeys(per_core)
    return {
        name: None if value is None else round(value / base, 3) for name, value in per_core.items()
    }


def within(ratio: float | None, tolerance: float = 0.15) -> bool:
    """The scaling goal: per-core throughput no more than ``tolerance`` below the reference."""
    return ratio is not None and ratio >= 1 - tolerance
