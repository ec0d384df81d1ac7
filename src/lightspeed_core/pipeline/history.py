"""The history sent to the model, bounded by a token budget (newest turns kept).

Budget = context window - room for the answer - the system prompt and the new question.
The context window comes from ``inference.context_windows["provider/model"]``, else the
model's ``context_length`` metadata, else 8192 tokens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.llm.base import ModelInfo
from lightspeed_core.llm.tokens import OFF_LOOP_CHARS, TokenEstimator

DEFAULT_CONTEXT_WINDOW = 8192
ANSWER_SHARE = 0.25  # part of the window kept free for the answer
MAX_HISTORY_TURNS = 100  # turns read from the database per query (then trimmed by tokens)


def context_window(model: ModelInfo, configured: Mapping[str, int]) -> int:
    """The model's context window in tokens."""
    for key in (model.identifier, f"{model.provider_id}/{model.provider_resource_id}"):
        if key in configured:
            return configured[key]
    length = model.metadata.get("context_length")
    return int(length) if isinstance(length, int) and length > 0 else DEFAULT_CONTEXT_WINDOW


def history_budget(window: int, fixed_tokens: int) -> int:
    """Tokens left for history once the answer room and the fixed prompt are taken."""
    return max(0, int(window * (1 - ANSWER_SHARE)) - fixed_tokens)


def history_items(
    turns: Sequence[TurnRecord], budget: int, estimate: TokenEstimator
) -> tuple[list[dict[str, Any]], int]:
    """Responses input items for the newest turns that fit; returns (items, tokens used)."""
    kept: list[TurnRecord] = []
    used = 0
    for turn in reversed(turns):
        cost = estimate(turn.query) + estimate(turn.response) + 8
        if used + cost > budget:
            break
        kept.append(turn)
        used += cost
    items: list[dict[str, Any]] = []
    for turn in reversed(kept):
        items.append({"role": "user", "content": turn.query})
        items.append({"role": "assistant", "content": turn.response})
    return items, used


async def history_within(
    turns: Sequence[TurnRecord], budget: int, estimate: TokenEstimator
) -> list[dict[str, Any]]:
    """:func:`history_items` (items only), in a worker thread when the turns are long."""
    if sum(len(turn.query) + len(turn.response) for turn in turns) <= OFF_LOOP_CHARS:
        return history_items(turns, budget, estimate)[0]
    items, _ = await asyncio.to_thread(history_items, turns, budget, estimate)
    return items
