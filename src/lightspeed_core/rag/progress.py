"""A tiny progress bar for the indexer (stderr; redrawn in place on a terminal)."""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 30


class Progress:
    """``label [#####.....]  12/40 note``; on a pipe, one line per quarter and at the end."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._quarter = -1

    def advance(self, step: int = 1, note: str = "") -> None:
        """Count ``step`` more items and redraw."""
        self.done = min(self.total, self.done + step)
        self._draw(note)

    def _draw(self, note: str) -> None:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(WIDTH * fraction)
        line = f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}"
        if note:
            line += f" {note}"
        if self._tty:
            end = "\n" if self.done >= self.total else ""
            self.stream.write(f"\r\033[K{line}{end}")
        else:
            quarter = int(fraction * 4)
            if quarter == self._quarter:
                return
            self._quarter = quarter
            self.stream.write(line + "\n")
        self.stream.flush()
