"""JSON files of user data collection (feedback and transcripts), written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json_file(folder: Path, name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` to ``folder/name`` (temporary file, then rename); blocking I/O."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    temporary = folder / f".{name}.tmp"
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return target
