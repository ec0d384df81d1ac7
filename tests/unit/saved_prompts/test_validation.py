"""Saved prompts: the field rules and the id check (no database involved)."""

from __future__ import annotations

import pytest

from lightspeed_core.config.models.misc import SavedPromptsConfiguration
from lightspeed_core.errors import BadRequestError, UnprocessableError
from lightspeed_core.saved_prompts.service import checked_prompt_id, validate_new_prompt

LIMITS = SavedPromptsConfiguration(max_display_name_length=10, max_content_length=20)


def test_name_is_stripped_and_content_kept() -> None:
    assert validate_new_prompt("  Deploy  ", "  body\n", LIMITS) == ("Deploy", "  body\n")


def test_limits_are_inclusive() -> None:
    assert validate_new_prompt("n" * 10, "c" * 20, LIMITS) == ("n" * 10, "c" * 20)


@pytest.mark.parametrize(
    ("name", "content", "cause"),
    [
        ("", "x", "Saved prompt name must not be empty"),
        (" \t", "x", "Saved prompt name must not be empty"),
        ("n" * 11, "x", "Saved prompt name must be at most 10 characters"),
        ("ok", "", "Saved prompt content must not be empty"),
        ("ok", " \n ", "Saved prompt content must not be empty"),
        ("ok", "c" * 21, "Saved prompt content must be at most 20 characters"),
    ],
)
def test_invalid_values_are_422(name: str, content: str, cause: str) -> None:
    with pytest.raises(UnprocessableError) as raised:
        validate_new_prompt(name, content, LIMITS)
    assert (raised.value.response, raised.value.cause) == ("Invalid attribute value", cause)


def test_ids_must_be_uuids() -> None:
    canonical = "123e4567-e89b-12d3-a456-426614174000"
    assert checked_prompt_id(canonical.upper()) == canonical
    for bad in ("abc123", "", "123e4567-e89b-12d3-a456"):
        with pytest.raises(BadRequestError) as raised:
            checked_prompt_id(bad)
        assert raised.value.response == "Invalid saved prompt ID format"
        assert raised.value.cause == f"The saved prompt ID {bad} has invalid format."
