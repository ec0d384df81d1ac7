"""Where start-up time goes: imports by package, each start-up step, a profile of OGX's start.

Run in a child process (``python -m bench.startup_phases --child``) against a scripted
backend, one worker's start in-process: ``import lightspeed_core.app``, settings and
``create_app``, then the lifespan with each factory of ``lightspeed_core.app`` timed. Under
``-X importtime`` the import times are added up per top-level package (self time, so each
module is counted once). A second child profiles the backend's ``start()`` (cProfile) with
the imports already done. ``python -m bench.startup_phases`` prints the JSON.
"""

from __future__ import annotations

import asyncio
import cProfile
import functools
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.processes import ROOT, free_port, service_config, spawn, stop, wait_http

_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_summary(stderr: str, top: int = 12) -> dict[str, Any]:
    """Self time per top-level package and the total, in seconds, from ``-X importtime``."""
    by_package: Counter[str] = Counter()
    total = 0
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match is None:
            continue
        own = int(match.group(1))
        by_package[match.group(4).split(".")[0]] += own
        total += own
    return {
        "total_s": round(total / 1e6, 2),
        "by_package_s": {k: round(v / 1e6, 2) for k, v in by_package.most_common(top)},
    }


Steps = dict[str, list[float]]


def _add(steps: Steps, name: str, wall: float, cpu: float) -> None:
    """Add one step's wall and CPU (this process) seconds."""
    before = steps.get(name, [0.0, 0.0])
    steps[name] = [before[0] + time.perf_counter() - wall, before[1] + time.process_time() - cpu]


def _timed(steps: Steps, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return await fn(*args, **kwargs)
        finally:
            _add(steps, name, wall, cpu)

    @functools.wraps(fn)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(steps, name, wall, cpu)

    return wrapper if asyncio.iscoroutinefunction(fn) else sync_wrapper


async def _lifespan(app: Any) -> None:
    async with app.router.lifespan_context(app):
        pass


def child(config: Path, profile: bool) -> dict[str, Any]:
    """One start in this process; the times of its steps."""
    steps: Steps = {"python start-up (before the first line)": [0.0, time.process_time()]}
    wall, cpu = time.perf_counter(), time.process_time()
    import lightspeed_core.app as app_module

    _add(steps, "import lightspeed_core.app", wall, cpu)
    from lightspeed_core.db.pool import DatabasePool

    for name in dir(app_module):
        if name.startswith(("build_", "start_", "_record")) and name != "build_services":
            setattr(app_module, name, _timed(steps, name, getattr(app_module, name)))
    DatabasePool.get = _timed(steps, "databases (open + migrate)", DatabasePool.get)  # type: ignore[method-assign]
    wall, cpu = time.perf_counter(), time.process_time()
    app = app_module.create_app(app_module.load_settings(config))
    _add(steps, "settings + create_app", wall, cpu)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        # imports first, so that the profile shows OGX's own start-up work
        from ogx.core.library_client import AsyncOGXAsLibraryClient  # noqa: F401
        from ogx.core.stack import Stack  # noqa: F401

        from lightspeed_core.llm import library

        original = library.LibraryBackend.start

        async def start(self: Any) -> None:
            profiler.enable()
            try:
                await original(self)
            finally:
                profiler.disable()

        library.LibraryBackend.start = start  # type: ignore[method-assign]
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(_lifespan(app))
    _add(steps, "lifespan (start + stop)", wall, cpu)
    result: dict[str, Any] = {
        "steps_wall_cpu_s": {k: [round(v[0], 3), round(v[1], 3)] for k, v in steps.items()},
        "process_cpu_s": round(time.process_time(), 2),
    }
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        result["profile"] = out.getvalue()
    return result


def _run_child(config: Path, folder: Path, profile: bool) -> tuple[dict[str, Any], str]:
    env = {
        **os.environ,
        "BENCH_STUB_KEY": "x",
        "LIGHTSPEED_CORE_DATA_DIR": str(folder / "data"),
        "LIGHTSPEED_STACK_LOG_LEVEL": "WARNING",
        "OGX_LOGGING": "all=error",
    }
    argv = [sys.executable, "-X", "importtime", "-m", "bench.startup_phases", "--child"]
    argv += [str(config)] + (["--profile"] if profile else [])
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    line = next((x for x in done.stdout.splitlines() if x.startswith("PHASES ")), None)
    if line is None:
        raise RuntimeError(f"phases child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(line.removeprefix("PHASES "))
    result["process_wall_s"] = round(wall, 2)
    return result, done.stderr


def measure_phases() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lightspeed-phases-") as tmp:
        folder = Path(tmp)
        port = free_port()
        stub = spawn(
            [sys.executable, "-m", "lightspeed_core.testing.scripted_backend", "--port", str(port)],
            folder / "stub.log",
        )
        try:
            backend = f"http://127.0.0.1:{port}/v1"
            wait_http(f"{backend}/models", stub)
            config = service_config(folder, backend, free_port(), name="phases")
            _run_child(config, folder / "warm", profile=False)  # warm caches
            steps, stderr = _run_child(config, folder / "steps", profile=False)
            steps["imports"] = import_summary(stderr)
            profiled, _ = _run_child(config, folder / "profile", profile=True)
            steps["ogx_start_profile"] = profiled["profile"]
            return steps
        finally:
            stop(stub)


def main() -> None:
    if "--child" in sys.argv:
        config = Path(sys.argv[sys.argv.index("--child") + 1])
        result = child(config, profile="--profile" in sys.argv)
        print("PHASES " + json.dumps(result))
        return
    print(json.dumps(measure_phases(), indent=2))


if __name__ == "__main__":
    main()
