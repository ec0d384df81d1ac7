"""The ``question_validity`` shield: a classifier model decides whether a question is in scope.

The configured ``model_prompt`` has ``${allowed}``, ``${rejected}`` and ``${message}``
replaced and is sent to ``model_id``. The verdict is parsed robustly: the first of the two
words that appears in the answer (any case, surrounded by anything) wins; an answer with
neither counts as *rejected* - a broken classifier must not let everything through.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from string import Template

from lightspeed_core.config.models.shields import QuestionValidityConfig
from lightspeed_core.llm.base import LLMBackend, ResponseRequest
from lightspeed_core.llm.events import Completed

log = logging.getLogger(__name__)
ALLOWED, REJECTED = "ALLOWED", "REJECTED"
_VERDICT = re.compile(rf"\b({ALLOWED}|{REJECTED})\b", re.IGNORECASE)
VERDICT_TOKENS = 16  # OGX's Responses API accepts no smaller max_output_tokens


def parse_verdict(answer: str) -> bool:
    """True when the classifier allowed the question."""
    found = _VERDICT.search(answer)
    if found is None:
        log.warning("question classifier gave no verdict (%r); rejecting", answer[:80])
        return False
    return found.group(1).upper() == ALLOWED


@dataclass(frozen=True)
class Verdict:
    """The classifier's decision and the tokens it cost."""

    allowed: bool
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class QuestionValidityShield:
    """Asks a model whether the question is in scope."""

    name: str
    model: str  # OGX identifier, resolved at start-up
    prompt: str
    refusal: str

    @classmethod
    def from_config(
        cls, name: str, model: str, config: QuestionValidityConfig
    ) -> QuestionValidityShield:
        return cls(name, model, config.model_prompt, config.invalid_question_response)

    def render(self, question: str) -> str:
        return Template(self.prompt).safe_substitute(
            allowed=ALLOWED, rejected=REJECTED, message=question
        )

    async def classify(self, llm: LLMBackend, question: str) -> Verdict:
        request = ResponseRequest(
            model=self.model,
            input=[{"role": "user", "content": self.render(question)}],
            max_output_tokens=VERDICT_TOKENS,
            temperature=0.0,
        )
        answer, input_tokens, output_tokens = "", 0, 0
        async for event in llm.respond(request):
            if isinstance(event, Completed):
                answer = event.text
                input_tokens, output_tokens = event.usage.input_tokens, event.usage.output_tokens
        return Verdict(parse_verdict(answer), input_tokens, output_tokens)
