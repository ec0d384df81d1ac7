"""The port events leave through, and the sourcetypes of the reference service."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol


class Sourcetype(StrEnum):
    """Splunk sourcetypes used by the reference's ``/v1/infer`` and ``/v1/responses``."""

    INFER_WITH_LLM = "infer_with_llm"
    INFER_ERROR = "infer_error"
    INFER_SHIELD_BLOCKED = "infer_shield_blocked"
    RESPONSES_COMPLETED = "responses_completed"
    RESPONSES_ERROR = "responses_error"
    RESPONSES_SHIELD_BLOCKED = "responses_shield_blocked"


class EventSink(Protocol):
    """Where events go. ``send`` never blocks, never raises and never waits for the network."""

    def send(self, sourcetype: str, event: Mapping[str, Any]) -> None:
        """Queue one event (dropped, and counted, when it cannot be queued)."""
        ...

    async def close(self) -> None:
        """Deliver what is queued (for a bounded time), then stop."""
        ...


class NoopSink:
    """Splunk off: events are discarded."""

    def send(self, sourcetype: str, event: Mapping[str, Any]) -> None:
        return None

    async def close(self) -> None:
        return None
