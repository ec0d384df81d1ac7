"""What each part of the production-shaped configuration costs ``/v1/query`` (issue 15).

``uv run --no-sync python -m bench.production_parts [--seconds 8] [--rounds 2] [--n 60]``
starts one service (workers 1) per variant of ``bench/profiles/production``, each with one
part taken away, and measures them interleaved: sequential median (rotating request by
request) and, for c16 closed-loop load, req/s and the service's CPU time per request, the
deferred work it finishes after the run included (steady on a shared machine, unlike
req/s). Variants:

* ``full``: the profile as it is, body ``{"query": "Say hello"}``;
* ``no topic summary``: the same service, body with ``generate_topic_summary: false`` (a new
  conversation's topic is a second model call, deferred off the request path);
* ``no transcripts/feedback``: ``user_data_collection`` off;
* ``no conversation cache``: no ``conversation_cache``;
* ``lean OGX profile``: ``baseline: empty`` instead of the full run.yaml (OGX with inference and
  responses only; transcripts, cache and topics as in ``full``).

The differences to ``full`` are what each part costs. Prints JSON; ``--output`` keeps it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench import measure
from bench.measure import Call, interleaved
from bench.processes import (
    cpu_seconds,
    free_port,
    scripted_backend,
    settle,
    start_service,
    stopping,
)
from bench.profiles import write_profile

FULL = {"query": "Say hello"}
NO_TOPIC = {"query": "Say hello", "generate_topic_summary": False}
Edit = Callable[[dict[str, Any]], None]


def _no_collection(config: dict[str, Any]) -> None:
    config["user_data_collection"] = {"feedback_enabled": False, "transcripts_enabled": False}


def _no_cache(config: dict[str, Any]) -> None:
    config.pop("conversation_cache", None)


def _lean(config: dict[str, Any]) -> None:
    stack = config["llama_stack"]
    stack.pop("library_client_config_path")
    stack["config"] = {"baseline": "empty"}
    run = yaml.safe_load((Path(config["_folder"]) / "run.yaml").read_text())
    backend = run["providers"]["inference"][0]["config"]["base_url"]
    config["inference"]["providers"] = [
        {
            "type": "openai",
            "id": "openai",
            "api_key_env": "BENCH_STUB_KEY",
            "extra": {"base_url": backend},
        }
    ]


VARIANTS: dict[str, tuple[Edit | None, dict[str, Any]]] = {
    "full": (None, FULL),
    "no topic summary": (None, NO_TOPIC),
    "no transcripts/feedback": (_no_collection, FULL),
    "no conversation cache": (_no_cache, FULL),
    "lean OGX profile": (_lean, FULL),
}


def write(folder: Path, backend: str, port: int, edit: Edit | None) -> Path:
    path = write_profile("production", folder, backend=backend, port=port)
    if edit is not None:
        config = yaml.safe_load(path.read_text())
        config["_folder"] = str(folder)
        edit(config)
        config.pop("_folder")
        path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    env = {"LIGHTSPEED_STACK_LOG_LEVEL": "WARNING", "OGX_LOGGING": "all=error"}
    loads = [round(os.getloadavg()[0], 2)]
    with (
        tempfile.TemporaryDirectory(prefix="production-parts-") as tmp,
        scripted_backend(Path(tmp) / "stub") as backend,
        stopping() as processes,
    ):
        root = Path(tmp)
        services: dict[str, tuple[str, int]] = {}
        for index, (name, (edit, _)) in enumerate(VARIANTS.items()):
            if name == "no topic summary":
                services[name] = services["full"]  # same service, other body
                continue
            port = free_port()
            folder = root / f"v{index}"
            path = write(folder, backend, port, edit)
            print(f"start {name}", file=sys.stderr)
            process, base = start_service(path, folder, port, env, "/readiness")
            processes.append(process)
            services[name] = (base, process.pid)
        calls = {name: Call(services[name][0], body) for name, (_, body) in VARIANTS.items()}
        print("sequential", file=sys.stderr)
        results: dict[str, Any] = {"sequential": await interleaved(calls, args.n, args.warmup)}
        loads.append(round(os.getloadavg()[0], 2))
        load: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):
            for name, (_, body) in VARIANTS.items():
                base, pid = services[name]
                print(f"c16 {name}", file=sys.stderr)
                before = cpu_seconds(pid)
                run = await measure.load(f"{base}/v1/query", body, 16, args.seconds)
                run["settle_s"] = await asyncio.to_thread(settle, pid)
                run["cpu_ms_per_request"] = round(
                    (cpu_seconds(pid) - before) * 1000 / max(1, run["requests"]), 2
                )
                load[name].append(run)
        loads.append(round(os.getloadavg()[0], 2))
    full_seq = results["sequential"]["full"]["median_ms"]
    summary: dict[str, Any] = {}
    for name, runs in load.items():
        rps = sum(r["rps"] for r in runs) / len(runs)
        cpu = sum(r["cpu_ms_per_request"] for r in runs) / len(runs)
        summary[name] = {
            "sequential_median_ms": results["sequential"][name]["median_ms"],
            "c16_rps": round(rps, 1),
            "c16_cpu_ms_per_request": round(cpu, 2),
            "c16_errors": sum(r["errors"] for r in runs),
        }
    base = summary["full"]
    for row in summary.values():
        row["sequential_saved_ms"] = round(full_seq - row["sequential_median_ms"], 2)
        row["cpu_saved_ms"] = round(
            base["c16_cpu_ms_per_request"] - row["c16_cpu_ms_per_request"], 2
        )
    results |= {"summary": summary, "load": load, "load_average_1m": loads}
    text = json.dumps(results, indent=2)
    if args.output:
        args.output.write_text(text + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
