"""Prompt ids: ``pmpt_`` + 48 lowercase hex digits, else 400 (contract 1.1)."""

from __future__ import annotations

import pytest

from lightspeed_core.errors import BadRequestError
from lightspeed_core.prompts.service import checked_prompt_id

VALID = "pmpt_" + "0123456789abcdef" * 3


def test_valid_id_passes() -> None:
    assert checked_prompt_id(VALID) == VALID


@pytest.mark.parametrize(
    "prompt_id",
    ["pmpt_1234567890abcdef", VALID.upper(), VALID + "0", "prompt_" + "a" * 48, "a" * 53],
)
def test_other_ids_are_400(prompt_id: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        checked_prompt_id(prompt_id)
    assert raised.value.response == "Invalid prompt ID format"
    assert raised.value.cause == f"The prompt ID {prompt_id} has invalid format."
