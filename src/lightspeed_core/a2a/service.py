"""``A2AService``: what the A2A routes use, held by the services container.

It holds the task store (shared by every worker, or this process's memory), the agent card,
the tasks running in this process, and the JSON-RPC endpoint, opened on the first call (by
``factory.sdk_endpoint``: the A2A SDK's server modules load only in a service that is used
as an agent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from starlette.requests import Request
from starlette.responses import Response

from lightspeed_core.a2a.caller import Caller
from lightspeed_core.a2a.card import AgentCardDocument
from lightspeed_core.a2a.store import A2AStore
from lightspeed_core.background import BackgroundTasks

if TYPE_CHECKING:
    from lightspeed_core.a2a.execution import LiveTask


class JsonRpc(Protocol):
    """Answers JSON-RPC calls on ``/a2a``."""

    async def handle(self, request: Request, caller: Caller) -> Response: ...


@dataclass
class A2AService:
    """The A2A state of one process over the shared store."""

    store: A2AStore
    background: BackgroundTasks
    card: AgentCardDocument | None
    open_endpoint: Callable[[A2AService], JsonRpc]
    live: dict[str, LiveTask] = field(default_factory=dict)
    _endpoint: JsonRpc | None = None

    async def handle(self, request: Request, caller: Caller) -> Response:
        """Answer one JSON-RPC call on ``/a2a`` (protocol 1.0 or 0.3)."""
        if self._endpoint is None:
            self._endpoint = self.open_endpoint(self)
        return await self._endpoint.handle(request, caller)

    async def close(self) -> None:
        await self.store.close()
