"""Files written behind the request by one writer thread, in batches, from a bounded queue.

:meth:`FileBatcher.put` hands a file to a dedicated writer thread and returns at once: a
C-level ``SimpleQueue.put``, with no task, future or wake-up of the event loop per file
(a thread hop through ``asyncio.to_thread`` costs more CPU than writing a small file). The
thread takes every file waiting (up to ``max_batch``; after the first one it waits
``linger`` seconds for more) and writes them one after the other, each as before: a
temporary name, then a rename, no ``fsync``. A file that cannot be written is handed to
``on_failure`` (in the writer thread; the owner logs and counts it) and the rest go on.

The queue is bounded: with ``queue_size`` files waiting, :meth:`put` waits until the thread
has written some (backpressure: a file is never dropped). :meth:`flush` returns once every
file queued before it is written; :meth:`close` (the lifespan's shutdown) flushes and stops
the thread, after which :meth:`put` writes the file itself (in a worker thread), so a turn
that ends after the shutdown still gets its file. What a killed process (SIGKILL, a crash)
had queued is lost: at most ``linger`` plus one batch of files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from queue import SimpleQueue

log = logging.getLogger(__name__)
QUEUE_SIZE = 1024  # files waiting at most; a full queue makes the next turn wait
MAX_BATCH = 64  # files per wake-up of the writer thread
LINGER = 0.002  # seconds the writer waits for more files after the first of a batch


@dataclass(frozen=True, slots=True)
class PendingFile:
    """One file to write: its folder, its name and its bytes."""

    folder: str
    name: str
    data: bytes


WriteFile = Callable[[str, str, bytes], object]
Failures = Callable[[list[tuple[PendingFile, Exception]]], None]


class _Marker:
    """Queued by :meth:`FileBatcher.flush`: set once every file before it is written."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, stop: bool = False) -> None:
        self.loop = loop
        self.done: asyncio.Future[None] = loop.create_future()
        self.stop = stop

    def reached(self) -> None:  # in the writer thread
        _call_soon(self.loop, self.done)


class FileBatcher:
    """Writes queued files with ``write_file`` (blocking) in one thread of its own."""

    def __init__(
        self,
        write_file: WriteFile,
        on_failure: Failures,
        *,
        queue_size: int = QUEUE_SIZE,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER,
    ) -> None:
        if queue_size < 1 or max_batch < 1:
            raise ValueError("queue_size and max_batch must be positive")
        self._write_file = write_file
        self._on_failure = on_failure
        self.queue_size = queue_size
        self.max_batch = max_batch
        self.linger = linger
        self._queue: SimpleQueue[PendingFile | _Marker] = SimpleQueue()
        self._hurry = threading.Event()  # a flush is waiting: no lingering
        self._thread: threading.Thread | None = None
        self._closed = False
        # each counter has one writer (the loop: queued; the thread: done), so no lock
        self._queued = 0
        self._done = 0
        self._room: asyncio.Future[None] | None = None  # a put waiting for the queue
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0  # wake-ups of the writer thread that wrote files
        self.written = 0  # files written

    @property
    def pending(self) -> int:
        """Files queued and not yet written."""
        return self._queued - self._done

    async def put(self, item: PendingFile) -> None:
        """Queue ``item`` (waits while ``queue_size`` files wait); after :meth:`close`, write it."""
        while not self._closed and self.pending >= self.queue_size:
            self._loop = asyncio.get_running_loop()
            room = self._room = self._loop.create_future()
            if self.pending < self.queue_size:  # the thread got ahead before it saw ``room``
                break
            await room
        if self._closed:
            failures = await asyncio.to_thread(self._write_all, [item])
            self.written += 1 - len(failures)
            self._report(failures)
            return
        if self._thread is None:
            self._start()
        self._queued += 1
        self._queue.put(item)

    def _start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="file-batcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:  # the writer thread
        stopping = False
        while not stopping or not self._queue.empty():
            first = self._queue.get()
            if self.linger > 0 and isinstance(first, PendingFile) and not self._hurry.is_set():
                self._hurry.wait(self.linger)
            batch: list[PendingFile] = []
            for entry in self._take(first):
                if isinstance(entry, PendingFile):
                    batch.append(entry)
                    continue
                self._finish(batch)  # everything before the marker is written first
                batch = []
                self._hurry.clear()
                entry.reached()
                stopping = stopping or entry.stop
            self._finish(batch)

    def _take(self, first: PendingFile | _Marker) -> list[PendingFile | _Marker]:
        taken = [first]
        while len(taken) < self.max_batch and not self._queue.empty():
            taken.append(self._queue.get_nowait())
        return taken

    def _finish(self, batch: list[PendingFile]) -> None:
        if not batch:
            return
        failures = self._write_all(batch)
        self.batches += 1
        self.written += len(batch) - len(failures)
        self._done += len(batch)
        self._report(failures)
        room = self._room
        if room is not None and self._loop is not None and self.pending < self.queue_size:
            _call_soon(self._loop, room)

    def _write_all(self, batch: list[PendingFile]) -> list[tuple[PendingFile, Exception]]:
        failures: list[tuple[PendingFile, Exception]] = []
        for item in batch:
            try:
                self._write_file(item.folder, item.name, item.data)
            except Exception as error:
                failures.append((item, error))
        return failures

    def _report(self, failures: list[tuple[PendingFile, Exception]]) -> None:
        if not failures:
            return
        try:
            self._on_failure(failures)
        except Exception:  # reporting must never stop the writer
            log.exception("reporting %d unwritten files failed", len(failures))

    async def flush(self) -> None:
        """Return once every file queued before this call is written (or reported failed)."""
        if self._thread is None or not self._thread.is_alive():
            return
        marker = _Marker(asyncio.get_running_loop())
        self._queue.put(marker)
        self._hurry.set()
        await marker.done

    async def close(self) -> None:
        """Write everything queued and stop the thread; later files are written one by one."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None and self._thread.is_alive():
            marker = _Marker(asyncio.get_running_loop(), stop=True)
            self._queue.put(marker)
            self._hurry.set()
            await marker.done
            await asyncio.to_thread(self._thread.join)
        self._thread = None


def _call_soon(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    """Resolve ``future`` on its loop, from the writer thread; nothing if that loop is gone."""
    with contextlib.suppress(RuntimeError):  # the loop was closed: nobody waits any more
        loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
