"""The scaling benchmark's helpers against the real system: HAProxy's parser, ``/proc``."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from bench.haproxy import haproxy_config
from bench.usage import children, command_name


@pytest.mark.skipif(
    shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists(),
    reason="HAProxy is not installed",
)
def test_haproxy_accepts_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "haproxy.cfg"
    path.write_text(haproxy_config(8000, [9001, 9002, 9003]))
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    checked = subprocess.run([binary, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_children_started_by_any_thread() -> None:
    started: list[subprocess.Popen[bytes]] = []
    thread = threading.Thread(target=lambda: started.append(subprocess.Popen(["sleep", "5"])))
    thread.start()
    thread.join()
    try:
        assert started[0].pid in children(os.getpid())
        deadline = time.monotonic() + 10
        while command_name(started[0].pid) != "sleep" and time.monotonic() < deadline:
            time.sleep(0.01)  # until the child has run exec
        assert command_name(started[0].pid) == "sleep"
    finally:
        started[0].kill()
        started[0].wait()
