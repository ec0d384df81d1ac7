"""Benchmark profiles: configuration files with ``{{NAME}}`` placeholders, written into a folder.

``bench/profiles/production/`` holds the production-shaped configuration of issue 15 in the
reference service's format (``lightspeed-stack.yaml`` + ``run.yaml``). :func:`write_profile`
copies every file of a profile into a folder, filling in the placeholders: ``{{STATE}}``
(that folder: databases, files, transcripts, feedback), ``{{BACKEND}}`` (the scripted
backend's ``/v1`` URL), ``{{PORT}}`` and ``{{WORKERS}}``. The same written folder serves
Lightspeed Core, the reference service and bare OGX.
"""

from __future__ import annotations

import re
from pathlib import Path

PROFILES = Path(__file__).parent / "profiles"
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


def render(text: str, values: dict[str, str]) -> str:
    """Replace every ``{{NAME}}``; a placeholder without a value is an error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for placeholder {{{{{name}}}}}")
        return values[name]

    return PLACEHOLDER.sub(value, text)


def write_profile(
    name: str, folder: Path, *, backend: str, port: int = 8080, workers: int = 1
) -> Path:
    """Write profile ``name`` into ``folder``; returns the ``lightspeed-stack.yaml`` written."""
    folder.mkdir(parents=True, exist_ok=True)
    values = {
        "STATE": str(folder.resolve()),
        "BACKEND": backend,
        "PORT": str(port),
        "WORKERS": str(workers),
    }
    for source in sorted((PROFILES / name).iterdir()):
        if source.is_file():
            (folder / source.name).write_text(render(source.read_text(), values))
    return folder / "lightspeed-stack.yaml"
