"""Bare OGX and bare backend latencies, measured in their own process.

``python -m bench.baseline --config FILE --n 300`` prints one JSON object:
median/p95 of (a) the scripted backend called directly, (b) OGX's
``responses.create(store=False)`` through the library client with the same run config the
service uses, and the time to first token of each when streaming.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bench.measure import summary
from lightspeed_core.config import load_configuration
from lightspeed_core.llm.factory import prepare_offline_environment
from lightspeed_core.llm.prompts import DEFAULT_SYSTEM_PROMPT
from lightspeed_core.llm.runconfig import synthesize_run_config

Timer = Callable[[], Awaitable[float | None]]


async def timed(fn: Timer, n: int, warmup: int) -> dict[str, float]:
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        first = await fn()
        samples.append(((first or time.perf_counter()) - start) * 1000)
    return summary(samples)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    prepare_offline_environment()
    os.environ["OGX_LOGGING"] = "all=error"
    config = load_configuration(args.config)
    run = synthesize_run_config(config, args.config.parent, Path(os.environ["BENCH_STATE"]))
    backend_url = config.inference.providers[0].extra["base_url"]
    model = f"{config.inference.default_provider}/{config.inference.default_model}"
    chat = {
        "model": config.inference.default_model,
        "messages": [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": "Say hello"},
        ],
    }

    from ogx.core.library_client import AsyncOGXAsLibraryClient

    client = AsyncOGXAsLibraryClient(str(run.path))
    with contextlib.redirect_stdout(io.StringIO()):
        await client.initialize()
    http = httpx.AsyncClient(timeout=30)

    async def backend() -> float | None:
        await http.post(f"{backend_url}/chat/completions", json=chat)
        return None

    async def backend_ttft() -> float | None:
        body = {**chat, "stream": True, "stream_options": {"include_usage": True}}
        first = None
        async with http.stream("POST", f"{backend_url}/chat/completions", json=body) as reply:
            async for line in reply.aiter_lines():
                if first is None and '"content": "' in line and '"content": ""' not in line:
                    first = time.perf_counter()
        return first

    async def ogx() -> float | None:
        await client.responses.create(
            model=model, input="Say hello", instructions=DEFAULT_SYSTEM_PROMPT, store=False
        )
        return None

    async def ogx_ttft() -> float | None:
        stream = await client.responses.create(
            model=model,
            input="Say hello",
            instructions=DEFAULT_SYSTEM_PROMPT,
            store=False,
            stream=True,
        )
        first = None
        async for event in stream:
            if first is None and event.type == "response.output_text.delta":
                first = time.perf_counter()
        return first

    result = {
        "backend": await timed(backend, args.n, args.warmup),
        "backend_ttft": await timed(backend_ttft, args.n, args.warmup),
        "ogx_responses": await timed(ogx, args.n, args.warmup),
        "ogx_ttft": await timed(ogx_ttft, args.n, args.warmup),
    }
    await http.aclose()
    await client.shutdown()
    sys.stdout.write("BASELINE " + json.dumps(result) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
