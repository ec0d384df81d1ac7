"""An in-memory :class:`~lightspeed_core.llm.prompt_store.PromptStore` with OGX's rules.

Versions start at 1; an update must name the latest version and adds the next one; a new
prompt is its own default version; placeholders (``{{name}}``) must be declared. Like OGX
1.5, the answers to create and update say ``is_default: false``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace

from lightspeed_core.errors import NotFoundError, UnprocessableError
from lightspeed_core.llm.prompt_store import StoredPrompt

_PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def _check_variables(prompt: str, variables: list[str]) -> None:
    undeclared = set(_PLACEHOLDER.findall(prompt)) - set(variables)
    if undeclared:
        raise UnprocessableError(
            "Invalid attribute value", f"Prompt contains undeclared variables: {sorted(undeclared)}"
        )


class InMemoryPromptStore:
    """Prompt versions in a dict (one process; for tests)."""

    def __init__(self) -> None:
        self.versions: dict[str, list[StoredPrompt]] = {}
        self.defaults: dict[str, int] = {}

    def _versions(self, prompt_id: str) -> list[StoredPrompt]:
        if prompt_id not in self.versions:
            raise NotFoundError("Prompt", prompt_id)
        return self.versions[prompt_id]

    def _as_stored(self, prompt: StoredPrompt) -> StoredPrompt:
        return replace(prompt, is_default=self.defaults.get(prompt.prompt_id) == prompt.version)

    async def create(self, prompt: str, variables: list[str] | None) -> StoredPrompt:
        _check_variables(prompt, variables or [])
        created = StoredPrompt(f"pmpt_{secrets.token_hex(24)}", 1, prompt, list(variables or []))
        self.versions[created.prompt_id] = [created]
        self.defaults[created.prompt_id] = 1
        return created

    async def list_prompts(self) -> list[StoredPrompt]:
        return [
            self._as_stored(versions[self.defaults[pid] - 1])
            for pid, versions in self.versions.items()
        ]

    async def get(self, prompt_id: str, version: int | None = None) -> StoredPrompt:
        versions = self._versions(prompt_id)
        wanted = self.defaults[prompt_id] if version is None else version
        if not 1 <= wanted <= len(versions):
            raise NotFoundError("Prompt", prompt_id)
        return self._as_stored(versions[wanted - 1])

    async def update(
        self,
        prompt_id: str,
        prompt: str,
        version: int,
        variables: list[str] | None,
        set_as_default: bool,
    ) -> StoredPrompt:
        versions = self._versions(prompt_id)
        if version != len(versions):
            raise UnprocessableError(
                "Invalid attribute value",
                f"version: Must be the latest prompt version '{len(versions)}'.",
            )
        _check_variables(prompt, variables or [])
        added = StoredPrompt(prompt_id, version + 1, prompt, list(variables or []))
        versions.append(added)
        if set_as_default:
            self.defaults[prompt_id] = added.version
        return added

    async def delete(self, prompt_id: str) -> bool:
        self.defaults.pop(prompt_id, None)
        return self.versions.pop(prompt_id, None) is not None
