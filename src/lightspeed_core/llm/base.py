"""The backend Protocol every route and pipeline step talks to.

Library mode (OGX in-process) and server mode (a remote ``ogx`` server) implement the same
methods; nothing above this package knows which one runs. OGX's other resources (vector
stores, files, built-in tools) are reached through the typed ports of ``llm/ports.py``.
Backend failures surface as the domain errors of :mod:`lightspeed_core.errors`
(``BackendUnavailableError`` ...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from lightspeed_core.llm.events import LLMEvent, RawEvents


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model registered in OGX (``identifier`` is ``<provider_id>/<model>``)."""

    identifier: str
    provider_id: str
    provider_resource_id: str
    model_type: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """An OGX provider instance."""

    api: str
    provider_id: str
    provider_type: str
    config: dict[str, Any] = field(default_factory=dict)
    health: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResponseRequest:
    """One stateless Responses call: explicit input, never stored in OGX.

    ``input`` is a list of OpenAI Responses input items (``{"role": ..., "content": ...}``,
    tool outputs ...); history is ours and is passed explicitly. ``provider_data`` is OGX's
    per-request provider data (e.g. the Azure key), never part of the body.
    """

    model: str
    input: list[dict[str, Any]]
    instructions: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    max_output_tokens: int | None = None
    max_infer_iters: int | None = None
    max_tool_calls: int | None = None
    temperature: float | None = None
    include: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    provider_data: dict[str, str] | None = None
    raw_events: RawEvents = "none"  # also stream OGX's own events as ``RawEvent``s
    headers: dict[str, str] = field(default_factory=dict)  # HTTP headers (server mode): tracing


class LLMBackend(Protocol):
    """What the service needs from OGX."""

    @property
    def mode(self) -> str:
        """``"library"`` or ``"server"``."""
        ...

    async def start(self) -> None:
        """Connect / initialise; raises ``BackendUnavailableError`` if OGX is unreachable."""
        ...

    async def close(self) -> None: ...

    async def version(self) -> str: ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def list_providers(self) -> list[ProviderInfo]: ...

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        """``{provider_id: {"status": "OK"|"Error"|"Not Implemented", "message": ...}}``."""
        ...

    async def complete(self, request: ResponseRequest) -> str:
        """The text of one short chat completion: ``instructions`` + ``input`` messages.

        For internal one-shot calls (topic summaries): no tools, no history, nothing
        stored. OGX's inference API directly, skipping its Responses layer (about half
        the CPU of a ``respond`` call). Raises a ``LightspeedError`` when the call fails.
        """
        ...

    def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        """Run one Responses call, streaming normalised events; ends with ``Completed``.

        With ``request.raw_events`` OGX's events (all, or the terminal one) are also
        streamed, each as a ``RawEvent`` before the normalised events it gives rise to.
        """
        ...


def completion_text(answer: Any) -> str:
    """The first choice's text of a chat completion (OGX's or ogx-client's model)."""
    choices = getattr(answer, "choices", None) or []
    if not choices:
        return ""
    message = getattr(choices[0], "message", None)
    return str(getattr(message, "content", None) or "")
