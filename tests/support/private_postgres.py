"""A private PostgreSQL server for fault tests: killed and restarted without touching the
machine's shared one (127.0.0.1:5432).

``initdb`` + ``pg_ctl`` run as the ``postgres`` user (``runuser``) on a data folder in a
temporary directory it owns, listening on a free port on 127.0.0.1 with trust
authentication. :func:`available` tells whether this machine can do it (PostgreSQL's
server binaries present, running as root or as ``postgres``).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.processes import free_port

USER = "postgres"


def _bin_dir() -> Path | None:
    root = Path("/usr/lib/postgresql")
    if not root.is_dir():
        return None
    versions = sorted((p for p in root.iterdir() if (p / "bin" / "pg_ctl").exists()), reverse=True)
    return versions[0] / "bin" if versions else None


def available() -> bool:
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return False
    return _bin_dir() is not None and os.geteuid() == 0 and shutil.which("runuser") is not None


class PrivatePostgres:
    """One throw-away cluster: :meth:`kill` (immediate stop, like a crash) and :meth:`start`."""

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        assert bin_dir is not None
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="lsc-private-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        owner = pwd.getpwnam(USER)
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self._as_postgres(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8"
        )

    def _as_postgres(self, tool: str, *args: str) -> None:
        argv = ["runuser", "-u", USER, "--", str(self.bin / tool), *args]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self, *, wait: bool = True) -> None:
        """Start the server (``wait=False``: return at once, it may still be starting up)."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c max_connections=60"
        )
        self._as_postgres(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "start",
            "-w" if wait else "-W",
        )

    def kill(self) -> None:
        """Stop at once, as a crash would (``pg_ctl stop -m immediate``)."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "stop", "-m", "immediate")

    async def wait_ready(self, attempts: int = 600) -> None:
        """Until the server accepts connections again (after ``start(wait=False)``)."""
        for _ in range(attempts):
            probe = await asyncio.create_subprocess_exec(
                str(self.bin / "pg_isready"),
                *("-h", "127.0.0.1", "-p", str(self.port)),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            if await probe.wait() == 0:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the private PostgreSQL did not come back")

    def block(self, **extra: Any) -> dict[str, Any]:
        """A ``postgres:`` configuration block for its ``postgres`` database."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "db": "postgres",
            "user": USER,
            "password": "unused",
            "ssl_mode": "disable",
            **extra,
        }

    def remove(self) -> None:
        pg_ctl = str(self.bin / "pg_ctl")
        subprocess.run(
            ["runuser", "-u", USER, "--", pg_ctl, "-D", str(self.data), "stop", "-m", "immediate"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private server, stopped and deleted afterwards."""
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()
