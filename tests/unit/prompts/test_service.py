"""Prompt ids (``pmpt_`` + 48 lowercase hex digits, else 400) and the service over a fake store."""

from __future__ import annotations

import pytest

from lightspeed_core.errors import BadRequestError, NotFoundError, UnprocessableError
from lightspeed_core.prompts.service import PromptService, checked_prompt_id
from lightspeed_core.testing.prompt_store import InMemoryPromptStore

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


async def test_service_reports_the_stored_default() -> None:
    service = PromptService(InMemoryPromptStore())
    created = await service.create("Hi {{name}}", ["name"])
    assert (created.version, created.is_default) == (1, True)
    kept = await service.update(created.prompt_id, "Hey {{name}}", 1, ["name"], False)
    assert (kept.version, kept.is_default) == (2, False)
    assert (await service.get(created.prompt_id, None)).version == 1
    newest = await service.update(created.prompt_id, "Yo", 2, None, True)
    assert (newest.version, newest.is_default) == (3, True)
    assert [p.version for p in await service.list_prompts()] == [3]


async def test_service_checks_ids_before_the_store() -> None:
    service = PromptService(InMemoryPromptStore())
    with pytest.raises(BadRequestError):
        await service.delete("pmpt_x")
    assert await service.delete(VALID) is False
    with pytest.raises(NotFoundError):
        await service.get(VALID, None)
    with pytest.raises(UnprocessableError, match="undeclared"):
        await service.create("Hi {{name}}", None)
