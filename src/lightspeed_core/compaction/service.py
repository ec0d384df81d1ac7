"""Compaction runs: summarise older turns with the conversation's model, once across workers.

:meth:`SummaryCompactor.compact` takes the conversation's lease (``store.py``), re-reads the
summaries - another worker may have summarised the same turns while this one waited - and
summarises only what is still missing, with the same model as the turn and
:data:`SUMMARY_PROMPT`. When the summaries outgrow ``buffer_max_ratio`` of the window they are
folded into one. These model calls are not charged to quotas (as in the reference).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from lightspeed_core.compaction.base import CompactionPlan, Summary, SummaryStorage
from lightspeed_core.compaction.planner import needs_folding
from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.llm.base import LLMBackend, ResponseRequest
from lightspeed_core.llm.events import Completed, TextDelta
from lightspeed_core.llm.tokens import TokenEstimator

log = logging.getLogger(__name__)

SUMMARY_PROMPT = (
    "You summarise a conversation between a user and a Red Hat support assistant so that it "
    "can continue without the full transcript. Keep the user's goal and environment "
    "(products, versions, systems), the problems reported with their exact error messages, "
    "the commands and configuration tried and what they did, the answers and decisions "
    "given, and the questions still open. Be factual and concise, in plain prose or short "
    "bullet points; add nothing that was not said."
)
FOLD_PROMPT = (
    "Merge these summaries of consecutive parts of one support conversation into a single "
    "summary. Keep every fact, error message, command, decision and open question; drop "
    "repetition. Be factual and concise."
)
LEASE_SECONDS = 120.0
POLL_SECONDS = 0.2


def transcript(turns: tuple[TurnRecord, ...] | list[TurnRecord]) -> str:
    """The turns as the summarising model reads them."""
    return "\n\n".join(f"User: {t.query}\nAssistant: {t.response}" for t in turns)


class SummaryCompactor:
    """Summaries in a ``SummaryStorage``; compaction serialised per conversation by a lease."""

    def __init__(
        self,
        config: CompactionConfiguration,
        store: SummaryStorage,
        llm: LLMBackend,
        estimate: TokenEstimator,
        *,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self._config = config
        self.store = store
        self.llm = llm
        self.estimate = estimate
        self.lease_seconds = lease_seconds

    @property
    def config(self) -> CompactionConfiguration:
        return self._config

    async def summaries(self, conversation_id: str) -> list[Summary]:
        return await self.store.summaries(conversation_id)

    async def compact(self, plan: CompactionPlan) -> list[Summary]:
        holder = uuid.uuid4().hex
        if not await self._wait_for_lease(plan.conversation_id, holder):
            log.warning("compaction of %s: lease not obtained in time", plan.conversation_id)
            return await self.store.summaries(plan.conversation_id)
        try:
            return await self._compact(plan)
        finally:
            await self.store.release(plan.conversation_id, holder)

    async def _wait_for_lease(self, conversation_id: str, holder: str) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lease_seconds
        while not await self.store.acquire(conversation_id, holder, self.lease_seconds):
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True

    async def _compact(self, plan: CompactionPlan) -> list[Summary]:
        current = await self.store.summaries(plan.conversation_id)
        done = current[-1].through_turn if current else 0
        missing = [t for t in plan.turns if t.turn_number > done]
        if not missing:
            return current  # another worker summarised these turns while we waited
        text = await self._complete(plan.model, SUMMARY_PROMPT, transcript(missing))
        if not text:
            return current
        summary = Summary(text, missing[-1].turn_number, self.estimate(text))
        summaries = [*current, summary]
        total = sum(s.tokens for s in summaries)
        if len(summaries) > 1 and needs_folding(total, self._config, plan.window):
            merged = "\n\n".join(s.text for s in summaries)
            folded_text = await self._complete(plan.model, FOLD_PROMPT, merged)
            if folded_text:
                folded = Summary(folded_text, summary.through_turn, self.estimate(folded_text))
                await self.store.add(
                    plan.user_id, plan.conversation_id, folded, plan.model, replace_all=True
                )
                return [folded]
        await self.store.add(plan.user_id, plan.conversation_id, summary, plan.model)
        return summaries

    async def _complete(self, model: str, instructions: str, text: str) -> str:
        request = ResponseRequest(
            model=model, input=[{"role": "user", "content": text}], instructions=instructions
        )
        parts: list[str] = []
        async for event in self.llm.respond(request):
            if isinstance(event, TextDelta) or (isinstance(event, Completed) and not parts):
                parts.append(event.text)
        return "".join(parts).strip()
