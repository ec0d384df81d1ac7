"""Key paths as shown to users: ``service.cors.allow_origins``, ``mcp_servers[1].url``."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["PathSegment", "format_path", "join_path"]

PathSegment = str | int
"""A mapping key (``str``) or a list index (``int``)."""

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_path(segments: Iterable[PathSegment]) -> str:
    """Render segments as a dotted path; list indices as ``[i]``, odd keys as ``["k"]``."""
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif _PLAIN_KEY.fullmatch(segment):
            parts.append(f".{segment}" if parts else segment)
        else:
            quoted = segment.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'["{quoted}"]')
    return "".join(parts)


def join_path(base: str, relative: str) -> str:
    """Append a relative path (``rules[0].pattern``, ``[2]`` or ``""``) to ``base``."""
    if not relative:
        return base
    if not base or relative.startswith("["):
        return base + relative
    return f"{base}.{relative}"
