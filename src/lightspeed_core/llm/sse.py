"""Server-sent events of OGX's streamed Responses, decoded into light attribute objects.

Server mode used to let ``ogx_client`` parse every streamed event into its generated
pydantic models (discriminated unions, validated field by field). :mod:`.normalize` reads
events by attribute only, so plain JSON with attribute access is enough: :class:`Node` is a
``dict`` whose keys read as attributes (a missing key reads as ``None``, like an unset
optional field of the generated models), built by ``json.loads``'s ``object_hook``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

DONE = "[DONE]"


class Node(dict[str, Any]):
    """A JSON object whose keys read as attributes; a missing key reads as ``None``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)


def decode(data: str) -> Any:
    """One event's JSON, objects as :class:`Node`."""
    return json.loads(data, object_hook=Node)


def plain(value: Any) -> Any:
    """``value`` (decoded JSON) as plain dicts and lists, without ``null`` members."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def event_json(event: Any) -> dict[str, Any]:
    """A decoded event as JSON for a raw-event client (the ``to_json`` of normalize)."""
    dumped: dict[str, Any] = plain(event)
    return dumped


async def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    """``(event name, data)`` of each complete event of an SSE stream of ``lines``.

    Per the SSE format: ``data`` lines of one event are joined with newlines, a blank line
    ends the event, ``:`` starts a comment, one space after the colon is dropped; an event
    cut off by the end of the stream (no blank line after it) is dropped; ``[DONE]`` ends
    the stream.
    """
    data: list[str] = []
    name = ""
    async for line in lines:
        if not line:
            if data:
                joined = "\n".join(data)
                if joined == DONE:
                    return
                yield name, joined
            data, name = [], ""
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[Any]:
    """The decoded events of an SSE stream (an event without ``type`` takes its SSE name)."""
    async for name, data in sse_data(lines):
        event = decode(data)
        if name and isinstance(event, Node) and "type" not in event:
            event["type"] = name
        yield event
