"""A fake disk for writers that take a ``write_file(folder, name, data)`` function.

``FakeDisk.write`` records every file in memory (called from worker threads), fails for the
folders in ``failing``, and holds every write while :attr:`FakeDisk.gate` is cleared, so a
test can let files pile up in a queue and see how they are batched.
"""

from __future__ import annotations

import threading


class FakeDisk:
    """Files by ``(folder, name)``; thread hops seen; writes held while ``gate`` is clear."""

    def __init__(self, *, failing: tuple[str, ...] = ()) -> None:
        self.files: dict[tuple[str, str], bytes] = {}
        self.order: list[str] = []  # names in the order written
        self.failing = failing
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()  # set once a write has started
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def write(self, folder: str, name: str, data: bytes) -> str:
        self.entered.set()
        self.gate.wait()
        if folder in self.failing:
            raise PermissionError(13, "Permission denied", folder)
        with self._lock:
            self.files[(folder, name)] = data
            self.order.append(name)
            self.threads.add(threading.get_ident())
        return f"{folder}/{name}"
