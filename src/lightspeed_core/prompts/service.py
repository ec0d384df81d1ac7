"""``/v1/prompts`` semantics over the OGX prompt store (contract 1.2, 1.3 "Prompts")."""

from __future__ import annotations

import re
from dataclasses import replace

from lightspeed_core.errors import BadRequestError
from lightspeed_core.llm.prompt_store import PromptStore, StoredPrompt

PROMPT_ID = re.compile(r"pmpt_[0-9a-f]{48}")


def checked_prompt_id(prompt_id: str) -> str:
    """``prompt_id`` if it has the ``pmpt_`` + 48 hex digits form; 400 otherwise."""
    if PROMPT_ID.fullmatch(prompt_id) is None:
        raise BadRequestError(
            "Invalid prompt ID format", f"The prompt ID {prompt_id} has invalid format."
        )
    return prompt_id


class PromptService:
    """Create, list, read, version and delete prompt templates."""

    def __init__(self, store: PromptStore) -> None:
        self.store = store

    async def create(self, prompt: str, variables: list[str] | None) -> StoredPrompt:
        # OGX stores a new prompt as its default version but answers ``is_default: false``
        return replace(await self.store.create(prompt, variables), is_default=True)

    async def list_prompts(self) -> list[StoredPrompt]:
        return await self.store.list_prompts()

    async def get(self, prompt_id: str, version: int | None) -> StoredPrompt:
        return await self.store.get(checked_prompt_id(prompt_id), version)

    async def update(
        self,
        prompt_id: str,
        prompt: str,
        version: int,
        variables: list[str] | None,
        set_as_default: bool,
    ) -> StoredPrompt:
        """A new version after ``version``; 404 for an unknown prompt."""
        checked_prompt_id(prompt_id)
        stored = await self.store.update(prompt_id, prompt, version, variables, set_as_default)
        return replace(stored, is_default=set_as_default)  # OGX answers false either way

    async def delete(self, prompt_id: str) -> bool:
        """``False`` when there is no such prompt."""
        return await self.store.delete(checked_prompt_id(prompt_id))
