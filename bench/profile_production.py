"""Where a production-shaped ``/v1/query`` spends its time: the app in process, profiled.

``uv run --no-sync python -m bench.profile_production [--n 300] [--html out.html]`` writes
the production profile (``bench/profiles/production``) into a temporary folder, starts the
real application in this process (OGX in library mode, scripted backend in its own process),
sends ``--warmup`` then ``--n`` sequential ``/v1/query`` requests through the ASGI transport
and, separately, as many bare ``responses.create(store=False)`` calls on the same OGX, under
pyinstrument (a sampling profiler: ``uv pip install pyinstrument``; not a project dependency).
Prints the wall time per request of each and the profile's tree (``--save`` to keep it).
Also ``--cprofile``: deterministic call counts (calls per request) instead of samples.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib
import os
import pstats
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from bench.processes import scripted_backend
from bench.profiles import write_profile
from lightspeed_core.app import create_app
from lightspeed_core.config import load_configuration
from lightspeed_core.config.defaults import DATA_DIR_ENV
from lightspeed_core.config.settings import Environment, Settings
from lightspeed_core.llm.factory import prepare_offline_environment
from lightspeed_core.llm.prompts import DEFAULT_SYSTEM_PROMPT
from lightspeed_core.log import setup_logging

BODY = {"query": "Say hello"}


@contextlib.asynccontextmanager
async def production_app(
    folder: Path, backend: str
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The real application on the production profile, started in this process, and a client."""
    config_path = write_profile("production", folder, backend=backend)
    os.environ[DATA_DIR_ENV] = str(folder / "data")
    settings = Settings(load_configuration(config_path), folder, Environment.read(os.environ))
    app = create_app(settings)
    context = app.router.lifespan_context(app)
    await context.__aenter__()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield app, client
    finally:
        await context.__aexit__(None, None, None)


async def drive(args: argparse.Namespace, folder: Path, backend: str) -> None:
    async with production_app(folder, backend) as (app, client):
        llm: Any = app.state.services.llm
        while hasattr(llm, "inner"):  # the caching wrapper(s) around the backend
            llm = llm.inner
        ogx = llm.client()  # OGX's library client over the app's own running stack
        model = "openai/stub-model"

        async def query() -> None:
            (await client.post("/v1/query", json=BODY)).raise_for_status()

        async def bare() -> None:
            await ogx.responses.create(
                model=model, input="Say hello", instructions=DEFAULT_SYSTEM_PROMPT, store=False
            )

        for call in (query, bare):
            for _ in range(args.warmup):
                await call()
        for name, call in (("/v1/query", query), ("bare OGX responses.create", bare)):
            profiler = start_profiler(args)
            started = time.perf_counter()
            for _ in range(args.n):
                await call()
            elapsed = (time.perf_counter() - started) / args.n * 1000
            print(f"\n=== {name}: {elapsed:.2f} ms per request (profiled)", flush=True)
            stop_profiler(profiler, args, name)


def start_profiler(args: argparse.Namespace) -> Any:
    if args.cprofile:
        profile = cProfile.Profile(time.process_time)  # CPU: other processes' load is not ours
        profile.enable()
        return profile
    pyinstrument: Any = importlib.import_module("pyinstrument")  # not a project dependency
    profiler = pyinstrument.Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    return profiler


def stop_profiler(profiler: Any, args: argparse.Namespace, name: str) -> None:
    slug = "query" if name.startswith("/") else "bare"
    if args.cprofile:
        profiler.disable()
        if args.save:
            profiler.dump_stats(f"{args.save}-{slug}.pstats")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(args.top)
        return
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    if args.save:
        Path(f"{args.save}-{slug}.html").write_text(profiler.output_html())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--save", help="also write <prefix>-query and <prefix>-bare (.html, or .pstats)"
    )
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead")
    parser.add_argument("--top", type=int, default=60, help="rows of the cProfile listing")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    prepare_offline_environment()
    os.environ["OGX_LOGGING"] = "all=error"
    setup_logging("INFO")  # as the service runs by default (quiet HTTP client loggers)
    with (
        tempfile.TemporaryDirectory(prefix="production-profile-") as tmp,
        scripted_backend(Path(tmp) / "stub") as backend,
    ):
        await drive(args, Path(tmp), backend)


if __name__ == "__main__":
    asyncio.run(main())
