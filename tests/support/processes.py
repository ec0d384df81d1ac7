"""Start and stop subprocesses for tests: ``ogx run`` and ``lightspeed-core`` itself."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    merged = {**os.environ, **(env or {})}
    with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=merged)


@contextlib.contextmanager
def lightspeed_service(
    config: dict[str, Any], folder: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """``lightspeed-core`` for ``config`` as a process, once all its workers started.

    Yields the base URL; ``folder`` holds the configuration, the log, the data folder and the
    Prometheus multiprocess files. ``env`` adds environment variables.
    """
    workers = int(config["service"].get("workers", 1))
    metrics = folder / "metrics"
    metrics.mkdir(exist_ok=True)
    log = folder / "service.log"
    path = folder / "lightspeed-stack.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    process = spawn(
        [venv_bin("lightspeed-core"), "-c", str(path)],
        log,
        {
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "LIGHTSPEED_CORE_DATA_DIR": str(folder),
            **(env or {}),
        },
    )
    try:
        for _ in range(1200):  # until every worker finished starting (slow on a busy machine)
            if log.read_text().count("Application startup complete") >= workers:
                break
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            time.sleep(0.5)
        base = f"http://127.0.0.1:{config['service']['port']}"
        wait_http(f"{base}/liveness", process)
        yield base
    finally:
        stop(process)
