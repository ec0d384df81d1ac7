"""The ``shields`` section: agent guardrails, discriminated on ``provider_id``."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from lightspeed_core.config.models.base import ConfigModel, Issue, check_regex, raise_issues

__all__ = [
    "DEFAULT_INVALID_QUESTION_RESPONSE",
    "DEFAULT_QUESTION_VALIDITY_PROMPT",
    "QuestionValidityConfig",
    "QuestionValidityShieldConfiguration",
    "RedactionConfig",
    "RedactionRule",
    "RedactionShieldConfiguration",
    "ShieldConfiguration",
]

DEFAULT_QUESTION_VALIDITY_PROMPT = """
Instructions:
- You are a question classifying tool
- You are an expert in kubernetes and openshift
- Your job is to determine where or a user's question is related to kubernetes and/or \
openshift technologies and to provide a one-word response.
- If a question appears to be related to kubernetes or openshift technologies, answer with \
the word ${allowed}, otherwise answer with the word ${rejected}.
- Do not explain your answer, just provide the one-word response. Do not give any other \
response.
- If the given question is an empty string, answer with the word ${rejected}


Example Question:
Why is the sky blue?
Example Response:
${rejected}

Example Question:
Why is the grass green?
Example Response:
${rejected}

Example Question:
Why is sand yellow?
Example Response:
${rejected}

Example Question:
Can you help configure my cluster to automatically scale?
Example Response:
${allowed}

Question:
${message}
Response:
"""

DEFAULT_INVALID_QUESTION_RESPONSE = (
    "\nHi, I'm the OpenShift Lightspeed assistant, I can help you with questions about "
    "OpenShift, \nplease ask me a question related to OpenShift.\n"
)


class QuestionValidityConfig(ConfigModel):
    """Configuration for the question validity guardrail."""

    model_id: str = Field(title="Model id", description="The model_id to use for the guard")
    model_prompt: str = Field(
        default=DEFAULT_QUESTION_VALIDITY_PROMPT,
        title="Model prompt",
        description=(
            "The prompt sent to the LLM used to validate the user's question; ${allowed}, "
            "${rejected} and ${message} are replaced."
        ),
    )
    invalid_question_response: str = Field(
        default=DEFAULT_INVALID_QUESTION_RESPONSE,
        title="Invalid question response",
        description="The response when the user's question is determined to be invalid.",
    )


class RedactionRule(ConfigModel):
    """A single regex-based redaction rule."""

    pattern: str = Field(title="Pattern", description="Regex pattern to match sensitive data")
    replacement: str = Field(title="Replacement", description="Replacement string for matched text")
    case_sensitive: bool | None = Field(
        default=None,
        title="Case sensitive",
        description=(
            "Per-rule case sensitivity override. When null, the global config flag applies."
        ),
    )


class RedactionConfig(ConfigModel):
    """Configuration for PII redaction with regex-based rules (compiled at load)."""

    rules: list[RedactionRule] = Field(
        default_factory=list,
        title="Redaction rules",
        description="Ordered list of PII redaction rules",
    )
    case_sensitive: bool = Field(
        default=False,
        title="Case sensitive",
        description="When False, patterns are compiled with re.IGNORECASE",
    )

    def compiled(self) -> list[tuple[re.Pattern[str], str]]:
        """Return the rules as compiled patterns with their replacements, in order."""
        result: list[tuple[re.Pattern[str], str]] = []
        for rule in self.rules:
            sensitive = self.case_sensitive if rule.case_sensitive is None else rule.case_sensitive
            flags = 0 if sensitive else re.IGNORECASE
            result.append((re.compile(rule.pattern, flags), rule.replacement))
        return result

    @model_validator(mode="after")
    def _check_patterns(self) -> RedactionConfig:
        issues: list[Issue] = []
        for index, rule in enumerate(self.rules):
            if (error := check_regex(rule.pattern)) is not None:
                issues.append((f"rules[{index}].pattern", error))
        raise_issues(issues)
        return self


class QuestionValidityShieldConfiguration(ConfigModel):
    """A named question-validity guardrail shield."""

    name: str = Field(
        min_length=1,
        title="Shield name",
        description="Unique, user-facing name identifying this shield instance.",
    )
    provider_id: Literal["question_validity"] = Field(
        title="Shield provider id",
        description="Discriminator identifying this as a question-validity shield.",
    )
    config: QuestionValidityConfig = Field(
        title="Shield configuration",
        description="Question-validity-specific configuration for this shield.",
    )


class RedactionShieldConfiguration(ConfigModel):
    """A named PII-redaction guardrail shield."""

    name: str = Field(
        min_length=1,
        title="Shield name",
        description="Unique, user-facing name identifying this shield instance.",
    )
    provider_id: Literal["redaction"] = Field(
        title="Shield provider id",
        description="Discriminator identifying this as a redaction shield.",
    )
    config: RedactionConfig = Field(
        title="Shield configuration",
        description="Redaction-specific configuration for this shield.",
    )


ShieldConfiguration = Annotated[
    QuestionValidityShieldConfiguration | RedactionShieldConfiguration,
    Field(discriminator="provider_id"),
]
