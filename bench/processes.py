"""Start/stop the processes a benchmark needs and read their memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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


def start_service(
    config: Path,
    folder: Path,
    port: int,
    env: dict[str, str] | None = None,
    ready: str = "/liveness",
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``lightspeed-core -c config`` (data in ``folder``) and wait until ``ready`` answers.

    Returns the process and its base URL; the process is stopped if it never gets ready.
    """
    folder.mkdir(parents=True, exist_ok=True)
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x", **(env or {})}
    process = spawn([str(BIN / "lightspeed-core"), "-c", str(config)], folder / "service.log", env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}{ready}", process)
    except BaseException:
        stop(process)
        raise
    return process, base


@contextmanager
def stopping() -> Iterator[list[subprocess.Popen[bytes]]]:
    """A list to put started processes in; every one is stopped on leaving the block."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for process in reversed(processes):
            stop(process)


def start_variants[Variant](
    processes: list[subprocess.Popen[bytes]],
    root: Path,
    write: Callable[[Path, int, Variant], Path],
    variants: Mapping[str, Variant],
) -> dict[str, str]:
    """One service per variant (config by ``write(folder, port, variant)``), in ``root/v<i>``.

    The processes go into ``processes`` (see :func:`stopping`); returns name -> base URL.
    """
    bases = {}
    for index, (name, variant) in enumerate(variants.items()):
        port = free_port()
        folder = root / f"v{index}"
        process, bases[name] = start_service(write(folder, port, variant), folder, port)
        processes.append(process)
    return bases


@contextmanager
def scripted_backend(folder: Path) -> Iterator[str]:
    """The scripted backend in its own process (as under load); yields its ``/v1`` URL."""
    port = free_port()
    argv = [sys.executable, "-m", "lightspeed_core.testing.scripted_backend", "--port", str(port)]
    folder.mkdir(parents=True, exist_ok=True)
    process = spawn(argv, folder / "stub.log")
    try:
        url = f"http://127.0.0.1:{port}/v1"
        wait_http(f"{url}/models", process)
        yield url
    finally:
        stop(process)


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its live descendants so far, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total + sum(cpu_seconds(child) for child in children_of(pid))


def settle(pid: int, idle: float = 0.05, step: float = 0.5, limit: float = 30.0) -> float:
    """Wait until ``pid`` (and descendants) use under ``idle`` of a core; returns seconds waited.

    After a load run the service may still be doing deferred work (topic summaries, batched
    writes): waiting for it charges that CPU to the run that caused it, not to the next one.
    """
    started = time.monotonic()
    before = cpu_seconds(pid)
    while time.monotonic() - started < limit:
        time.sleep(step)
        now = cpu_seconds(pid)
        if now - before < idle * step:
            break
        before = now
    return round(time.monotonic() - started, 1)


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def worker_rss_mb(pid: int) -> list[float]:
    """RSS of the service's worker processes (the process itself when it has no workers).

    This service forks its workers: the children with the parent's command line are the
    workers (the parent is a supervisor). Other children - multiprocessing's resource tracker,
    OGX's spawned job workers - are counted with the process that started them.
    """
    children = children_of(pid)
    workers = [child for child in children if _cmdline(child) == _cmdline(pid)]
    if not workers:
        return [rss_mb(pid) + sum(rss_mb(child) for child in children)]
    return [rss_mb(w) + sum(rss_mb(g) for g in children_of(w)) for w in workers]


def service_data(
    folder: Path, backend: str, port: int, *, name: str, workers: int = 1, **sections: Any
) -> dict[str, Any]:
    """The benchmark service configuration: library mode against the scripted backend.

    ``sections`` are added at the top level (``rag=...``, ``quota_handlers=...``,
    ``mcp_servers=...``). The key of the backend is read from ``BENCH_STUB_KEY``.
    """
    return {
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


def service_config(
    folder: Path, backend: str, port: int, *, name: str, workers: int = 1, **sections: Any
) -> Path:
    """Write :func:`service_data` into ``folder``; returns the file."""
    data = service_data(folder, backend, port, name=name, workers=workers, **sections)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace(' ', '-')}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
