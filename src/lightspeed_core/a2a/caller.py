"""``Caller``: who sent an A2A call, with the request's pipeline ports and headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lightspeed_core.authz.context import Authorized
from lightspeed_core.pipeline.ports import PipelinePorts


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller, the ports its turns run on, its headers (MCP-HEADERS ...)."""

    auth: Authorized
    ports: PipelinePorts
    headers: Mapping[str, str]

    @property
    def user_id(self) -> str:
        return self.auth.principal.user_id
