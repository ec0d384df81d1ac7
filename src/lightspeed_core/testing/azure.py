"""``ScriptedTokenSource``: the fake of :class:`lightspeed_core.azure.base.TokenSource`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from lightspeed_core.azure.base import AccessToken


class ScriptedTokenSource:
    """Answers each fetch with the next scripted token, or raises the next scripted error.

    ``gate``, when given, holds every fetch until it is set (to see concurrent callers wait
    for one fetch); ``fetches`` counts the calls.
    """

    def __init__(
        self, outcomes: Iterable[AccessToken | Exception], gate: asyncio.Event | None = None
    ) -> None:
        self.outcomes = list(outcomes)
        self.gate = gate
        self.fetches = 0

    async def fetch(self) -> AccessToken:
        self.fetches += 1
        if self.gate is not None:
            await self.gate.wait()
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
