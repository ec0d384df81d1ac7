"""Verdict parsing and prompt rendering of the question-validity shield."""

from __future__ import annotations

import pytest

from lightspeed_core.config.models.shields import QuestionValidityConfig, RedactionConfig
from lightspeed_core.shields.question_validity import QuestionValidityShield, parse_verdict
from lightspeed_core.shields.redaction import RedactionShield


@pytest.mark.parametrize(
    ("answer", "allowed"),
    [
        ("ALLOWED", True),
        ("allowed.", True),
        ("  Response: ALLOWED\n", True),
        ("REJECTED", False),
        ("Rejected - not about OpenShift", False),
        ("I think this is ALLOWED, not REJECTED", True),  # the first verdict word wins
        ("maybe", False),  # no verdict: fail closed
        ("", False),
        ("DISALLOWED", False),  # a different word, not the verdict
    ],
)
def test_parse_verdict(answer: str, allowed: bool) -> None:
    assert parse_verdict(answer) is allowed


def test_prompt_placeholders_are_filled() -> None:
    shield = QuestionValidityShield.from_config(
        "qv",
        "m",
        QuestionValidityConfig(
            model_id="m", model_prompt="${allowed}/${rejected}: ${message} $other"
        ),
    )
    assert shield.render("Why?") == "ALLOWED/REJECTED: Why? $other"


def test_redaction_rules_apply_in_order_with_case_rules() -> None:
    config = RedactionConfig.model_validate(
        {
            "rules": [
                {"pattern": r"\b\d{3}-\d{2}-\d{4}\b", "replacement": "[SSN]"},
                {"pattern": "secret", "replacement": "[X]"},
                {"pattern": "Token", "replacement": "[T]", "case_sensitive": True},
            ]
        }
    )
    shield = RedactionShield.from_config("pii", config)
    text, count = shield.redact("SSN 123-45-6789, SECRET and token Token")
    assert text == "SSN [SSN], [X] and token [T]"
    assert count == 3
