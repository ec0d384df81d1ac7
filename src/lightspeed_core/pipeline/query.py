"""``QueryPipeline``: the facade the query routes use (``prepare`` then ``run``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from lightspeed_core.authz.actions import Action
from lightspeed_core.authz.context import Authorized
from lightspeed_core.container import Services
from lightspeed_core.pipeline.events import PipelineEvent
from lightspeed_core.pipeline.prepare import PreparedQuery, prepare_query
from lightspeed_core.pipeline.run import QueryRun
from lightspeed_core.schemas.query import QueryRequest


class QueryPipeline:
    """One query, in two halves: checks (HTTP errors), then events."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def prepare(
        self,
        request: QueryRequest,
        auth: Authorized,
        endpoint: str,
        headers: Mapping[str, str],
        action: Action,
    ) -> PreparedQuery:
        return await prepare_query(self.services, request, auth, endpoint, headers, action)

    def run(
        self, prepared: PreparedQuery, *, interruptible: bool = False
    ) -> AsyncIterator[PipelineEvent]:
        return QueryRun(self.services, prepared).events(interruptible=interruptible)
