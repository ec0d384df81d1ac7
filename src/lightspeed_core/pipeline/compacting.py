"""Compaction in the pipeline: planned in ``prepare``, carried out in ``run`` (contract 13.1).

``prepare`` reads the stored summaries, keeps only the turns after them, and asks the planner
whether the input outgrew its budget; if so the oldest of those turns go into a
:class:`~lightspeed_core.compaction.base.CompactionPlan` and only the newest stay in the
history. ``run`` emits the ``compaction`` event, has the turns summarised (once across
workers) and sends the model the instructions followed by every summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from lightspeed_core.compaction.base import CompactionPlan, Summary, summary_block
from lightspeed_core.compaction.planner import turns_to_summarise
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.pipeline.ports import PipelinePorts


@dataclass(frozen=True, slots=True)
class CompactedHistory:
    """The turns still sent verbatim, the summaries before them, and what to summarise."""

    turns: Sequence[TurnRecord]
    summaries: tuple[Summary, ...] = ()
    plan: CompactionPlan | None = None
    extra: str = field(default="")  # the summary block appended to the instructions


async def compacted_history(
    ports: PipelinePorts,
    conversation: ConversationInfo,
    turns: Sequence[TurnRecord],
    *,
    model: str,
    window: int,
    instructions: str,
    fixed_tokens: int,
) -> CompactedHistory:
    """The history of a turn with compaction enabled (``turns``: oldest first)."""
    summaries = tuple(await ports.compaction.summaries(conversation.id))
    done = summaries[-1].through_turn if summaries else 0
    pending = [t for t in turns if t.turn_number > done]
    summary_tokens = sum(s.tokens for s in summaries)
    count = turns_to_summarise(
        pending, fixed_tokens, summary_tokens, ports.compaction.config, window, ports.tokens
    )
    plan = None
    if count:
        plan = CompactionPlan(
            user_id=conversation.user_id,
            conversation_id=conversation.id,
            model=model,
            window=window,
            summaries=summaries,
            turns=tuple(pending[:count]),
            instructions=instructions,
        )
    return CompactedHistory(pending[count:], summaries, plan, summary_block(summaries))


async def compact(
    ports: PipelinePorts, plan: CompactionPlan, request: ResponseRequest
) -> ResponseRequest:
    """Summarise what ``plan`` names; ``request`` with every summary in its instructions."""
    summaries = await ports.compaction.compact(plan)
    return replace(request, instructions=plan.instructions + summary_block(summaries))
