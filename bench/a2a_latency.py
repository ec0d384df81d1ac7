"""A2A ``message/send`` versus ``/v1/query``: sequential latency (issue 12: at most 1.5x).

``uv run --no-sync python -m bench.a2a_latency [--n 300]`` starts the scripted backend and
two services (one worker each, SQLite, library mode): A2A state in memory (the default) and
in SQLite (``a2a_state``, what several workers share). After a warm-up it sends ``--n``
sequential requests of each kind, interleaved round by round so machine load hits every
variant alike: ``/v1/query``; A2A ``message/send`` in protocol 0.3 (as the reference's
clients) and 1.0; ``/v1/query`` and the same 0.3 call against the SQLite-state service.
Every call is one model call and a new conversation (no topic summary), like the
``/v1/query`` benchmark. Prints median/p95 and the ratio to the first ``/v1/query``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.baseline import summary
from bench.processes import BIN, free_port, service_config, spawn, stop, wait_http
from lightspeed_core.testing.scripted_backend import BackgroundServer

QUERY = {"query": "Say hello", "generate_topic_summary": False}
CARD = {"name": "bench agent", "skills": []}


def send_v03() -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "message/send",
        "params": {
            "message": {
                "kind": "message",
                "role": "user",
                "messageId": str(uuid.uuid4()),
                "parts": [{"kind": "text", "text": "Say hello"}],
                "metadata": {"generate_topic_summary": False},
            }
        },
    }


def send_v10() -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "SendMessage",
        "params": {
            "message": {
                "role": "ROLE_USER",
                "messageId": str(uuid.uuid4()),
                "parts": [{"text": "Say hello"}],
                "metadata": {"generate_topic_summary": False},
            }
        },
    }


Call = tuple[str, str, Callable[[], dict[str, Any]], dict[str, str]]


def check(name: str, reply: httpx.Response) -> None:
    reply.raise_for_status()
    body = reply.json()
    if name.startswith("/v1/query"):
        return
    task = body.get("result", {})
    task = task.get("task", task)  # 1.0 wraps the task
    if task.get("status", {}).get("state") not in ("completed", "TASK_STATE_COMPLETED"):
        raise RuntimeError(f"{name}: {json.dumps(body)[:500]}")


async def measure(bases: dict[str, str], n: int, warmup: int) -> dict[str, dict[str, float]]:
    calls: list[Call] = [
        ("/v1/query", "/v1/query", lambda: QUERY, {}),
        ("A2A message/send (0.3)", "/a2a", send_v03, {}),
        ("A2A SendMessage (1.0)", "/a2a", send_v10, {"A2A-Version": "1.0"}),
        ("/v1/query, a2a_state SQLite", "/v1/query", lambda: QUERY, {}),
        ("A2A message/send (0.3), a2a_state SQLite", "/a2a", send_v03, {}),
    ]
    clients = {
        "memory": httpx.AsyncClient(base_url=bases["memory"], timeout=60),
        "sqlite": httpx.AsyncClient(base_url=bases["sqlite"], timeout=60),
    }
    samples: dict[str, list[float]] = {name: [] for name, *_ in calls}
    try:
        for round_number in range(warmup + n):
            for name, path, body, headers in calls:
                client = clients["sqlite" if "SQLite" in name else "memory"]
                payload = body()
                start = time.perf_counter()
                reply = await client.post(path, json=payload, headers=headers)
                elapsed = (time.perf_counter() - start) * 1000
                check(name, reply)
                if round_number >= warmup:
                    samples[name].append(elapsed)
    finally:
        for client in clients.values():
            await client.aclose()
    return {name: summary(values) for name, values in samples.items()}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    backend = BackgroundServer().start()
    processes = []
    with tempfile.TemporaryDirectory(prefix="a2a-bench-") as tmp:
        root = Path(tmp)
        bases = {}
        try:
            for name in ("memory", "sqlite"):
                port = free_port()
                folder = root / name
                sections: dict[str, Any] = {"customization": {"agent_card_config": CARD}}
                if name == "sqlite":
                    sections["a2a_state"] = {"sqlite": {"db_path": str(folder / "a2a.db")}}
                path = service_config(
                    folder, backend.base_url, port, name=f"a2a {name}", **sections
                )
                env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
                process = spawn(
                    [str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
                )
                processes.append(process)
                wait_http(f"http://127.0.0.1:{port}/liveness", process)
                bases[name] = f"http://127.0.0.1:{port}"
            results = await measure(bases, args.n, args.warmup)
        finally:
            for process in processes:
                stop(process)
            backend.stop()
    base = results["/v1/query"]["median_ms"]
    for result in results.values():
        result["ratio_to_query"] = round(result["median_ms"] / base, 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
