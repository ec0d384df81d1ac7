"""When to compact, and which turns: pure functions of token estimates (contract 13.1).

The estimated input is the fixed text (instructions and question), the stored summaries and
every turn after them. Compaction triggers when it exceeds ``threshold_ratio`` x the context
window, and never below ``token_floor`` tokens. The newest ``buffer_turns`` turns are kept
verbatim, fewer (down to none) while they alone exceed ``buffer_max_ratio`` x the window;
every older turn not yet summarised is summarised.
"""

from __future__ import annotations

from collections.abc import Sequence

from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.llm.tokens import TokenEstimator

TURN_OVERHEAD = 8  # tokens of message framing per turn (as the history budget counts)


def turn_tokens(turn: TurnRecord, estimate: TokenEstimator) -> int:
    """Estimated tokens of one turn sent as history."""
    return estimate(turn.query) + estimate(turn.response) + TURN_OVERHEAD


def trigger(config: CompactionConfiguration, window: int) -> int:
    """Estimated input tokens above which a conversation is compacted."""
    return max(int(config.threshold_ratio * window), config.token_floor)


def buffer_size(costs: Sequence[int], config: CompactionConfiguration, window: int) -> int:
    """How many of the newest turns stay verbatim (degrading from ``buffer_turns``)."""
    kept = min(config.buffer_turns, len(costs))
    cap = config.buffer_max_ratio * window
    while kept > 0 and sum(costs[len(costs) - kept :]) > cap:
        kept -= 1
    return kept


def turns_to_summarise(
    turns: Sequence[TurnRecord],
    fixed_tokens: int,
    summary_tokens: int,
    config: CompactionConfiguration,
    window: int,
    estimate: TokenEstimator,
) -> int:
    """How many of the oldest ``turns`` (not yet summarised) to summarise now (0: none)."""
    if not config.enabled or not turns:
        return 0
    costs = [turn_tokens(t, estimate) for t in turns]
    if fixed_tokens + summary_tokens + sum(costs) <= trigger(config, window):
        return 0
    return len(turns) - buffer_size(costs, config, window)


def needs_folding(summary_tokens: int, config: CompactionConfiguration, window: int) -> bool:
    """The summaries themselves outgrew their share of the window: fold them into one."""
    return summary_tokens > config.buffer_max_ratio * window
