"""``ConfiguredShields``: runs the configured shields in order on each question."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lightspeed_core.errors import NotFoundError, UnprocessableError
from lightspeed_core.llm.base import LLMBackend, ModelInfo
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.shields.base import ShieldOutcome
from lightspeed_core.shields.question_validity import QuestionValidityShield
from lightspeed_core.shields.redaction import RedactionShield

log = logging.getLogger(__name__)
Shield = RedactionShield | QuestionValidityShield


@dataclass
class ConfiguredShields:
    """The shields of ``shields:`` in configuration order."""

    shields: tuple[Shield, ...]
    llm: LLMBackend
    metrics: Metrics
    allow_override: bool = True

    def select(self, shield_ids: list[str] | None) -> tuple[Shield, ...]:
        """``None`` = all shields, ``[]`` = none, names = those (404 for an unknown name)."""
        if shield_ids is None:
            return self.shields
        if not self.allow_override:
            raise UnprocessableError(
                "Shield IDs customization is disabled",
                "This instance does not support customizing the shields in the request "
                "(disable_shield_ids_override is set). Please remove the shield_ids field "
                "from your request.",
            )
        by_name = {shield.name: shield for shield in self.shields}
        for name in shield_ids:
            if name not in by_name:
                raise NotFoundError("Shield", name)
        return tuple(shield for shield in self.shields if shield.name in shield_ids)

    async def screen(
        self, text: str, shield_ids: list[str] | None, model: ModelInfo, endpoint: str
    ) -> ShieldOutcome:
        input_tokens = output_tokens = 0
        for shield in self.select(shield_ids):
            if isinstance(shield, RedactionShield):
                text, count = shield.redact(text)
                if count:
                    log.info("shield %s redacted %d match(es)", shield.name, count)
                continue
            verdict = await shield.classify(self.llm, text)
            input_tokens += verdict.input_tokens
            output_tokens += verdict.output_tokens
            if not verdict.allowed:
                self.metrics.llm_validation_errors.labels(endpoint).inc()
                log.info("shield %s refused a question (%s)", shield.name, model.identifier)
                return ShieldOutcome(text, shield.refusal, input_tokens, output_tokens)
        return ShieldOutcome(text, None, input_tokens, output_tokens)
