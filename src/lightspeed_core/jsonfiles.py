"""JSON files of user data collection (feedback and transcripts), written atomically.

Paths are plain strings here on purpose: CPython 3.12's ``pathlib`` interns every component
of a path it parses, and interned strings are immortal in 3.12, so a ``Path`` per unique
file (a UUID per transcript or feedback, a folder per conversation) grew every worker by
about 0.4 KB per request for its whole life (``bench/soak.py`` showed it; tracemalloc
pointed at ``pathlib._parse_path``).
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any


def write_json_file(folder: str | os.PathLike[str], name: str, data: dict[str, Any]) -> str:
    """Write ``data`` to ``folder/name`` (temporary file, then rename); blocking I/O."""
    base = os.fspath(folder)
    os.makedirs(base, exist_ok=True)
    target = os.path.join(base, name)
    temporary = os.path.join(base, f".{name}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target
