"""Shared bits of the pipeline unit tests: a caller, a turn, events collected."""

from __future__ import annotations

from collections.abc import AsyncIterator

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import DEFAULT_ACTIONS
from lightspeed_core.pipeline.events import PipelineEvent
from lightspeed_core.pipeline.turn import Endpoint
from lightspeed_core.vocabulary.actions import Action

ALICE = Authorized(Principal("alice", "alice"), DEFAULT_ACTIONS)
BOB = Authorized(Principal("bob", "bob"), DEFAULT_ACTIONS - {Action.READ_OTHER_CONVERSATIONS})
MODEST = Authorized(Principal("carol", "carol"), DEFAULT_ACTIONS - {Action.MODEL_OVERRIDE})
QUERY = Endpoint("/v1/query", Action.QUERY)
STREAM = Endpoint("/v1/streaming_query", Action.STREAMING_QUERY)


async def collect(events: AsyncIterator[PipelineEvent]) -> list[PipelineEvent]:
    return [event async for event in events]
