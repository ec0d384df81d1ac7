"""When compaction triggers and which turns it takes (contract 13.1)."""

from __future__ import annotations

from datetime import UTC, datetime

from lightspeed_core.compaction.planner import (
    buffer_size,
    needs_folding,
    trigger,
    turn_tokens,
    turns_to_summarise,
)
from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def chars(text: str) -> int:
    return len(text)


def turn(number: int, size: int = 100) -> TurnRecord:
    half = "x" * (size // 2)
    return TurnRecord(half, half, NOW, NOW, turn_number=number)


def config(**values: object) -> CompactionConfiguration:
    return CompactionConfiguration.model_validate({"enabled": True, **values})


def test_trigger_is_ratio_of_window_with_floor() -> None:
    assert trigger(config(threshold_ratio=0.5, token_floor=0), 1000) == 500
    assert trigger(config(threshold_ratio=0.5, token_floor=800), 1000) == 800
    assert trigger(CompactionConfiguration(), 128_000) == 89_600


def test_nothing_below_the_trigger_or_when_disabled() -> None:
    turns = [turn(i) for i in range(1, 4)]  # 3 x 108 tokens
    small = config(threshold_ratio=0.5, token_floor=0, buffer_turns=1)
    assert turns_to_summarise(turns, 10, 0, small, 1000, chars) == 0
    disabled = CompactionConfiguration(enabled=False, threshold_ratio=0.0, token_floor=0)
    assert turns_to_summarise(turns, 10, 0, disabled, 10, chars) == 0
    assert turns_to_summarise([], 10_000, 0, small, 100, chars) == 0


def test_older_turns_summarised_buffer_kept() -> None:
    turns = [turn(i) for i in range(1, 11)]  # 10 x 108 = 1080 tokens
    cfg = config(threshold_ratio=0.5, token_floor=0, buffer_turns=4, buffer_max_ratio=0.5)
    assert turns_to_summarise(turns, 10, 0, cfg, 1000, chars) == 6
    # summaries count toward the estimate
    few = turns[:4]  # 432 tokens: below 500 alone, above with 100 tokens of summaries
    assert turns_to_summarise(few, 0, 0, cfg, 1000, chars) == 0
    assert turns_to_summarise(few, 0, 100, cfg, 1000, chars) == 0  # all 4 are the buffer
    assert (
        turns_to_summarise(
            few, 0, 100, config(threshold_ratio=0.5, token_floor=0, buffer_turns=1), 1000, chars
        )
        == 3
    )


def test_buffer_degrades_when_recent_turns_are_too_big() -> None:
    cfg = config(buffer_turns=4, buffer_max_ratio=0.3)
    assert buffer_size([100, 100, 100, 100], cfg, 1000) == 3  # 400 > 300: one fewer
    assert buffer_size([100, 100, 100, 400], cfg, 1000) == 0  # the newest alone is too big
    assert buffer_size([10, 10], cfg, 1000) == 2  # fewer turns than buffer_turns


def test_turn_tokens_and_folding() -> None:
    assert turn_tokens(turn(1, 100), chars) == 108
    assert needs_folding(301, config(buffer_max_ratio=0.3), 1000)
    assert not needs_folding(300, config(buffer_max_ratio=0.3), 1000)
