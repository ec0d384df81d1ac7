"""The compaction port the pipeline talks to, its values, and the disabled implementation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord

SUMMARY_HEADING = "Summary of the earlier part of this conversation:"


@dataclass(frozen=True, slots=True)
class Summary:
    """One stored summary chunk: the turns it covers end at ``through_turn``."""

    text: str
    through_turn: int
    tokens: int


@dataclass(frozen=True, slots=True)
class CompactionPlan:
    """What ``run`` summarises before calling the model (decided in ``prepare``).

    Attributes:
        user_id: Owner of the conversation (the summaries' key, with the conversation).
        conversation_id: The conversation.
        model: Model identifier that summarises (the turn's own model).
        window: The model's context window (tokens), to decide when summaries are folded.
        summaries: The summaries stored when the plan was made.
        turns: The turns to summarise, oldest first (all after the last summary, except
            the newest ones kept verbatim).
        instructions: The turn's instructions without summaries (the summaries are
            appended to them once compaction is done).
    """

    user_id: str
    conversation_id: str
    model: str
    window: int
    summaries: tuple[Summary, ...]
    turns: tuple[TurnRecord, ...]
    instructions: str

    @property
    def through_turn(self) -> int:
        """The number of the newest turn the new summary covers."""
        return self.turns[-1].turn_number


def summary_block(summaries: tuple[Summary, ...] | list[Summary]) -> str:
    """The text appended to the instructions: every summary, oldest first ("" if none)."""
    if not summaries:
        return ""
    return f"\n\n{SUMMARY_HEADING}\n" + "\n\n".join(s.text.strip() for s in summaries)


class Compactor(Protocol):
    """Summaries of conversations, and compaction runs."""

    @property
    def config(self) -> CompactionConfiguration:
        """The ``compaction`` configuration (``enabled`` false: nothing is ever compacted)."""
        ...

    async def summaries(self, conversation_id: str) -> list[Summary]:
        """The stored summaries of a conversation, oldest first."""
        ...

    async def compact(self, plan: CompactionPlan) -> list[Summary]:
        """Summarise ``plan.turns`` (once across workers); the summaries after it."""
        ...


class SummaryStorage(Protocol):
    """Where summaries and the per-conversation compaction lease live (``store.py``)."""

    async def summaries(self, conversation_id: str) -> list[Summary]:
        """The conversation's summaries, oldest first."""
        ...

    async def add(
        self,
        user_id: str,
        conversation_id: str,
        summary: Summary,
        model: str,
        *,
        replace_all: bool = False,
    ) -> None:
        """Store a new chunk (``replace_all``: the fold of every earlier chunk)."""
        ...

    async def acquire(self, conversation_id: str, holder: str, seconds: float) -> bool:
        """Take the conversation's lease for ``seconds`` unless someone else holds it."""
        ...

    async def release(self, conversation_id: str, holder: str) -> None:
        """Give the lease back (only if still ours)."""
        ...


class NoCompaction:
    """Compaction disabled: no summaries, never compacts."""

    def __init__(self) -> None:
        self._config = CompactionConfiguration()

    @property
    def config(self) -> CompactionConfiguration:
        return self._config

    async def summaries(self, conversation_id: str) -> list[Summary]:
        return []

    async def compact(self, plan: CompactionPlan) -> list[Summary]:
        return list(plan.summaries)
