"""What the OpenAI SDK fast paths (``llm/openai_sdk.py``) save per request and per token.

``uv run --no-sync python -m bench.openai_sdk_paths [--n 60] [--tokens 3,200]`` starts the
real application in this process on the production profile (OGX in library mode, the
scripted backend in its own process) and sends sequential ``/v1/query`` requests (no topic
summary) whose answers stream ``--tokens`` chunks, alternating request by request between
the fast paths and the SDK's own code (the wrapped functions swapped in and out), so the
machine's load hits both alike. Prints the median wall time and the process's CPU per
request of each, and the CPU per streamed token.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from bench.processes import scripted_backend
from bench.profile_production import production_app
from lightspeed_core.llm.factory import prepare_offline_environment
from lightspeed_core.log import setup_logging

COMPLETIONS = "openai.resources.chat.completions.completions"


def installed() -> tuple[Any, Any]:
    """The fast paths the application installed: (transform, chunk builder)."""
    from openai import AsyncOpenAI

    module: Any = importlib.import_module(COMPLETIONS)
    return module.async_maybe_transform, AsyncOpenAI._process_response_data


def swap(fast_paths: tuple[Any, Any], fast: bool) -> None:
    """Put the fast paths (or the SDK's own functions they wrap) in place."""
    from openai import AsyncOpenAI

    transform, process = fast_paths
    module: Any = importlib.import_module(COMPLETIONS)
    module.async_maybe_transform = transform if fast else transform.__wrapped__
    AsyncOpenAI._process_response_data = process if fast else process.__wrapped__  # type: ignore[method-assign]


async def run(args: argparse.Namespace, folder: Path, backend: str) -> dict[str, Any]:
    results: dict[str, Any] = {"load_average_1m": [round(os.getloadavg()[0], 2)]}
    async with production_app(folder, backend) as (_app, client):
        fast_paths = installed()
        for tokens in (int(t) for t in args.tokens.split(",")):
            query = f"[[tokens:{tokens}]] Say hello" if tokens != 3 else "Say hello"
            body = {"query": query, "generate_topic_summary": False}
            wall: dict[str, list[float]] = {"fast": [], "sdk": []}
            cpu: dict[str, float] = {"fast": 0.0, "sdk": 0.0}
            for index in range(args.warmup + args.n):
                for label in ("fast", "sdk"):
                    swap(fast_paths, label == "fast")
                    started, spent = time.perf_counter(), time.process_time()
                    (await client.post("/v1/query", json=body)).raise_for_status()
                    if index >= args.warmup:
                        wall[label].append((time.perf_counter() - started) * 1000)
                        cpu[label] += (time.process_time() - spent) * 1000
            swap(fast_paths, True)
            row = {
                label: {
                    "median_ms": round(statistics.median(wall[label]), 2),
                    "cpu_ms_per_request": round(cpu[label] / args.n, 2),
                }
                for label in ("fast", "sdk")
            }
            saved = row["sdk"]["cpu_ms_per_request"] - row["fast"]["cpu_ms_per_request"]
            row["cpu_saved_ms_per_request"] = round(saved, 2)
            results[f"{tokens} tokens"] = row
    results["load_average_1m"].append(round(os.getloadavg()[0], 2))
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="requests per variant and size")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--tokens", default="3,200", help="streamed chunks per answer")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    prepare_offline_environment()
    os.environ["OGX_LOGGING"] = "all=error"
    setup_logging("WARNING")
    with (
        tempfile.TemporaryDirectory(prefix="openai-sdk-paths-") as tmp,
        scripted_backend(Path(tmp) / "stub") as backend,
    ):
        results = await run(args, Path(tmp), backend)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
