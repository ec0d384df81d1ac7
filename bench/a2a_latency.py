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

import asyncio
import json
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.measure import Call, add_ratio, interleaved, interleaved_arguments
from bench.processes import service_config, start_variants, stopping
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


def check(name: str) -> Callable[[httpx.Response], None]:
    def verify(reply: httpx.Response) -> None:
        reply.raise_for_status()
        if name.startswith("/v1/query"):
            return
        body = reply.json()
        task = body.get("result", {})
        task = task.get("task", task)  # 1.0 wraps the task
        if task.get("status", {}).get("state") not in ("completed", "TASK_STATE_COMPLETED"):
            raise RuntimeError(f"{name}: {json.dumps(body)[:500]}")

    return verify


def calls(bases: dict[str, str]) -> dict[str, Call]:
    kinds: list[tuple[str, str, Callable[[], dict[str, Any]], dict[str, str]]] = [
        ("/v1/query", "/v1/query", lambda: QUERY, {}),
        ("A2A message/send (0.3)", "/a2a", send_v03, {}),
        ("A2A SendMessage (1.0)", "/a2a", send_v10, {"A2A-Version": "1.0"}),
        ("/v1/query, a2a_state SQLite", "/v1/query", lambda: QUERY, {}),
        ("A2A message/send (0.3), a2a_state SQLite", "/a2a", send_v03, {}),
    ]
    return {
        name: Call(
            bases["sqlite" if "SQLite" in name else "memory"], body, path, headers, check(name)
        )
        for name, path, body, headers in kinds
    }


async def main() -> None:
    args = interleaved_arguments(__doc__, 300, 30)
    backend = BackgroundServer().start()
    with tempfile.TemporaryDirectory(prefix="a2a-bench-") as tmp, stopping() as processes:
        root = Path(tmp)
        try:

            def write(folder: Path, port: int, name: str) -> Path:
                sections: dict[str, Any] = {"customization": {"agent_card_config": CARD}}
                if name == "sqlite":
                    sections["a2a_state"] = {"sqlite": {"db_path": str(folder / "a2a.db")}}
                return service_config(
                    folder, backend.base_url, port, name=f"a2a {name}", **sections
                )

            bases = start_variants(processes, root, write, {"memory": "memory", "sqlite": "sqlite"})
            results = await interleaved(calls(bases), args.n, args.warmup)
        finally:
            backend.stop()
    add_ratio(results, "/v1/query", "ratio_to_query")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
