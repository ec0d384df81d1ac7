"""The shield Protocol the pipeline calls, and its no-op implementation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lightspeed_core.llm.base import ModelInfo


@dataclass(frozen=True, slots=True)
class ShieldOutcome:
    """Result of screening one question.

    ``text`` is the question to send (redaction may have rewritten it); when ``refusal`` is
    set the model is not called and ``refusal`` is the answer (stored as a normal turn).
    ``input_tokens``/``output_tokens`` count any classifier call.
    """

    text: str
    refusal: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0


class ShieldService(Protocol):
    """Runs the configured shields."""

    async def screen(
        self, text: str, shield_ids: list[str] | None, model: ModelInfo, endpoint: str
    ) -> ShieldOutcome:
        """Apply the shields chosen by ``shield_ids`` (``None`` = all, ``[]`` = none).

        Raises ``NotFoundError`` (unknown shield) or ``UnprocessableError`` (override
        disabled) before anything is streamed.
        """
        ...


class NoShields:
    """No shields configured: every question passes unchanged."""

    async def screen(
        self,
        text: str,
        shield_ids: list[str] | None,
        model: ModelInfo,
        endpoint: str,
    ) -> ShieldOutcome:
        return ShieldOutcome(text)
