"""Server mode's service cost per ``/v1/query``: this tree against an earlier one (issue 15).

``uv run --no-sync python -m bench.server_mode [--before main] [--rounds 6] [--n 60]``
starts the scripted backend, one ``ogx run`` and two server-mode services against it (one
worker each, SQLite): ``after`` runs this tree's code, ``before`` the ``src`` of git
revision ``--before`` (extracted to a temporary folder and put first on ``PYTHONPATH``).
Round by round, alternating which goes first, each service answers ``--n`` sequential
``/v1/query`` calls; the service's CPU (``/proc``, the process and its children) over those
calls and the calls' median latency are recorded. Prints per-variant medians over rounds
and the after/before ratios, with the load average.

``--profile FILE``: instead, run only this tree's service under cProfile for ``--rounds`` x
``--n`` sequential queries, stop it and print its 25 most expensive functions (own time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import yaml

from bench import measure
from bench.processes import (
    BIN,
    ROOT,
    cpu_seconds,
    free_port,
    scripted_backend,
    service_config,
    spawn,
    stop,
    wait_http,
)
from bench.run import QUERY
from bench.startup import load_average
from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.factory import TIKTOKEN_DIR
from lightspeed_core.llm.runconfig.synthesize import build_run_config

QUIET = {"LIGHTSPEED_STACK_LOG_LEVEL": "WARNING", "OGX_LOGGING": "all=error"}


def extract_src(revision: str, folder: Path) -> Path:
    """``src`` of ``revision`` extracted under ``folder``; returns the ``src`` path.

    ``revision`` may also name a folder holding a ``src`` tree (used as it is)."""
    if (Path(revision) / "src").is_dir():
        return Path(revision) / "src"
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


@contextmanager
def ogx_server(folder: Path, backend: str) -> Iterator[str]:
    """``ogx run`` with the run config a library-mode service would synthesise."""
    library = service_config(folder, backend, free_port(), name="ogx")
    configuration = configuration_from_data(yaml.safe_load(library.read_text()))
    run, _ = build_run_config(configuration, folder, folder / "state")
    port = free_port()
    run["server"] = {"host": "127.0.0.1", "port": port}
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(run))
    env = {"TIKTOKEN_CACHE_DIR": str(TIKTOKEN_DIR), "BENCH_STUB_KEY": "x", **QUIET}
    process = spawn([str(BIN / "ogx"), "run", str(path), "--insecure"], folder / "ogx.log", env)
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/health", process, timeout=300)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def start_service(
    folder: Path, backend: str, ogx_url: str, src: Path | None, profile: Path | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """A one-worker server-mode service; ``src`` (if given) first on its ``PYTHONPATH``;
    run under cProfile writing ``profile`` when given."""
    port = free_port()
    path = service_config(folder, backend, port, name="server-mode")
    data = yaml.safe_load(path.read_text())
    data["llama_stack"] = {"url": ogx_url, "max_retries": 1, "retry_delay": 1}
    data["inference"] = {"default_provider": "stub", "default_model": "stub-model"}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x", **QUIET}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    argv = [str(BIN / "lightspeed-core"), "-c", str(path)]
    if profile is not None:
        code = (
            "import cProfile, sys; from lightspeed_core.main import main; "
            f"cProfile.run('main(sys.argv[1:])', {str(profile)!r})"
        )
        argv = [sys.executable, "-c", code, "-c", str(path)]
    process = spawn(argv, folder / "service.log", env)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/readiness", process, timeout=300)
    return base, process


def one_round(base: str, pid: int, n: int) -> dict[str, float]:
    """``n`` sequential queries: median latency and the service's CPU ms per query."""
    before = cpu_seconds(pid)
    result = asyncio.run(measure.sequential(base, QUERY, n, warmup=0))
    spent = cpu_seconds(pid) - before
    return {"median_ms": result["median_ms"], "cpu_ms": round(spent * 1000 / n, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--before", default="main", help="git revision (or folder with src/) to compare with"
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--profile", type=Path, help="profile this tree's service instead")
    args = parser.parse_args()
    rows: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="server-mode-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        old_src = extract_src(args.before, folder / "before-tree")
        backend = stack.enter_context(scripted_backend(folder / "stub"))
        ogx_url = stack.enter_context(ogx_server(folder / "ogx", backend))
        if args.profile is not None:
            profile_service(folder, backend, ogx_url, args.profile.resolve(), args)
            return
        services: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
        for name, src in (("before", old_src), ("after", None)):
            services[name] = start_service(folder / name, backend, ogx_url, src)
            stack.callback(stop, services[name][1])
        for base, process in services.values():
            one_round(base, process.pid, 20)  # warm-up
        for number in range(args.rounds):
            order = ["before", "after"] if number % 2 == 0 else ["after", "before"]
            for name in order:
                base, process = services[name]
                rows[name].append(one_round(base, process.pid, args.n))
            loads.append(load_average())
    print(json.dumps(report(rows, loads), indent=2))


def profile_service(
    folder: Path, backend: str, ogx_url: str, profile: Path, args: argparse.Namespace
) -> None:
    base, process = start_service(folder / "profiled", backend, ogx_url, None, profile)
    try:
        one_round(base, process.pid, 20)
        for _ in range(args.rounds):
            print(one_round(base, process.pid, args.n))
    finally:
        stop(process)
    pstats.Stats(str(profile)).sort_stats("tottime").print_stats(25)


def report(rows: dict[str, list[dict[str, float]]], loads: list[float]) -> dict[str, Any]:
    medians = {
        name: {key: statistics.median(row[key] for row in runs) for key in ("median_ms", "cpu_ms")}
        for name, runs in rows.items()
    }
    return {
        "rounds": rows,
        "median_of_rounds": medians,
        "after_over_before": {
            key: round(medians["after"][key] / medians["before"][key], 3)
            for key in ("median_ms", "cpu_ms")
        },
        "after_minus_before_ms": {
            key: round(medians["after"][key] - medians["before"][key], 2)
            for key in ("median_ms", "cpu_ms")
        },
        "load_average": loads,
    }


if __name__ == "__main__":
    main()
