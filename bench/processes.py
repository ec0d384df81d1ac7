"""Start/stop the processes a benchmark needs and read their memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        return subprocess.Popen(
            argv, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}) before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise TimeoutError(url)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_rss_mb(pid: int) -> list[float]:
    """RSS of the service's worker processes (the process itself when it has no children).

    uvicorn's multi-worker parent is a small supervisor; its children are the workers. OGX's
    own helper processes (if any) are counted with the worker that started them.
    """
    children = _children(pid)
    if not children:
        return [rss_mb(pid)]
    totals = []
    for child in children:
        totals.append(rss_mb(child) + sum(rss_mb(g) for g in _children(child)))
    return totals


def service_config(
    folder: Path, backend: str, port: int, *, name: str, workers: int = 1, **sections: Any
) -> Path:
    """Write the benchmark service configuration: library mode against the scripted backend.

    ``sections`` are added at the top level (``rag=...``, ``quota_handlers=...``,
    ``mcp_servers=...``). The key of the backend is read from ``BENCH_STUB_KEY``.
    """
    data: dict[str, Any] = {
        "name": name,
        "service": {"host": "127.0.0.1", "port": port, "workers": workers, "access_log": False},
        "llama_stack": {"use_as_library_client": True, "config": {"baseline": "empty"}},
        "user_data_collection": {},
        "database": {"sqlite": {"db_path": str(folder / f"{name.replace(' ', '-')}.db")}},
        "inference": {
            "default_provider": "stub",
            "default_model": "stub-model",
            "providers": [
                {
                    "type": "openai",
                    "id": "stub",
                    "api_key_env": "BENCH_STUB_KEY",
                    "extra": {"base_url": backend},
                }
            ],
        },
        **sections,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace(' ', '-')}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
