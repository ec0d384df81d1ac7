"""A local HAProxy in front of several service processes (round robin, keep-alive).

``haproxy_config`` is pure (unit-tested); ``start_haproxy`` writes it into a folder and runs
``/usr/sbin/haproxy`` in the foreground with one thread, so its CPU is one process's.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bench.processes import spawn

HAPROXY = "/usr/sbin/haproxy"


def haproxy_available() -> bool:
    return Path(HAPROXY).exists() or shutil.which("haproxy") is not None


def haproxy_config(
    port: int, backends: Sequence[int], *, host: str = "127.0.0.1", maxconn: int = 4096
) -> str:
    """HAProxy configuration: ``host:port`` balanced round robin over ``host:<backend port>``.

    HTTP mode with keep-alive on both sides (``http-reuse always``: the connections to the
    services are reused across client connections, as a production balancer does), one
    thread, timeouts well above any benchmark request.
    """
    if not backends:
        raise ValueError("at least one backend port is needed")
    servers = "\n".join(
        f"    server s{index} {host}:{backend} maxconn {maxconn}"
        for index, backend in enumerate(backends)
    )
    return (
        "global\n"
        f"    maxconn {maxconn}\n"
        "    nbthread 1\n"
        "\n"
        "defaults\n"
        "    mode http\n"
        "    option http-keep-alive\n"
        "    timeout connect 5s\n"
        "    timeout client 120s\n"
        "    timeout server 120s\n"
        "    timeout http-keep-alive 120s\n"
        "\n"
        "frontend lightspeed\n"
        f"    bind {host}:{port}\n"
        "    default_backend services\n"
        "\n"
        "backend services\n"
        "    balance roundrobin\n"
        "    http-reuse always\n"
        f"{servers}\n"
    )


def start_haproxy(folder: Path, port: int, backends: Sequence[int]) -> subprocess.Popen[bytes]:
    """Write ``haproxy.cfg`` into ``folder`` and start HAProxy in the foreground (``-db``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "haproxy.cfg"
    path.write_text(haproxy_config(port, backends))
    binary = HAPROXY if Path(HAPROXY).exists() else "haproxy"
    return spawn([binary, "-db", "-f", str(path)], folder / "haproxy.log")
