"""The rules of saved prompts (contract 1.3 "Saved prompts").

* ``name`` is stripped and must be non-empty and at most ``max_display_name_length`` long;
  ``content`` must not be blank and is at most ``max_content_length`` long (422
  ``Invalid attribute value``);
* a user has at most ``max_prompts_per_user`` prompts (422 ``Saved prompt limit exceeded``)
  and each name once (409 ``Saved Prompt already exists``);
* only the owner deletes a prompt (403); an unknown id answers ``deleted: false``; an id
  that is not a UUID answers 400 ``Invalid saved prompt ID format``.

Database failures answer 500 ``Database query failed``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from lightspeed_core.config.models.misc import SavedPromptsConfiguration
from lightspeed_core.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InternalError,
    UnprocessableError,
)
from lightspeed_core.saved_prompts.repository import (
    CreateOutcome,
    DeleteOutcome,
    SavedPromptRecord,
    SavedPromptRepository,
)

log = logging.getLogger(__name__)


def _invalid(cause: str) -> UnprocessableError:
    return UnprocessableError("Invalid attribute value", cause)


def validate_new_prompt(
    name: str, content: str, limits: SavedPromptsConfiguration
) -> tuple[str, str]:
    """The name (stripped) and content to store; 422 when either breaks a rule."""
    name = name.strip()
    if not name:
        raise _invalid("Saved prompt name must not be empty")
    if len(name) > limits.max_display_name_length:
        raise _invalid(
            f"Saved prompt name must be at most {limits.max_display_name_length} characters"
        )
    if not content.strip():
        raise _invalid("Saved prompt content must not be empty")
    if len(content) > limits.max_content_length:
        raise _invalid(
            f"Saved prompt content must be at most {limits.max_content_length} characters"
        )
    return name, content


def checked_prompt_id(prompt_id: str) -> str:
    """``prompt_id`` in canonical UUID form; 400 if it is not a UUID."""
    try:
        return str(uuid.UUID(prompt_id))
    except ValueError as exc:
        raise BadRequestError(
            "Invalid saved prompt ID format", f"The saved prompt ID {prompt_id} has invalid format."
        ) from exc


@asynccontextmanager
async def _database(what: str) -> AsyncIterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        log.exception("saved prompts: failed to %s", what)
        raise InternalError("Database query failed", "Failed to query the database") from exc


class SavedPromptService:
    """Each user's saved prompts, within the configured limits."""

    def __init__(self, repository: SavedPromptRepository, limits: SavedPromptsConfiguration):
        self.repository = repository
        self.limits = limits

    async def list_for(self, user_id: str) -> list[SavedPromptRecord]:
        async with _database("list saved prompts"):
            return await self.repository.list_for(user_id)

    async def create(self, user_id: str, name: str, content: str) -> SavedPromptRecord:
        name, content = validate_new_prompt(name, content, self.limits)
        now = datetime.now(UTC)
        record = SavedPromptRecord(str(uuid.uuid4()), user_id, name, content, now, now)
        maximum = self.limits.max_prompts_per_user
        async with _database("store a saved prompt"):
            outcome, existing = await self.repository.create(record, maximum)
        if outcome is CreateOutcome.LIMIT_REACHED:
            raise UnprocessableError(
                "Saved prompt limit exceeded",
                f"Saved prompt limit exceeded: {existing} existing prompts, maximum is {maximum}",
            )
        if outcome is CreateOutcome.NAME_TAKEN:
            raise ConflictError(
                "Saved Prompt already exists",
                f"Saved Prompt with name '{name}' is already registered",
            )
        return record

    async def delete(self, user_id: str, prompt_id: str) -> bool:
        """``True`` if deleted, ``False`` if there is no such prompt; 403 for another's."""
        canonical = checked_prompt_id(prompt_id)
        async with _database("delete a saved prompt"):
            outcome = await self.repository.delete(canonical, user_id)
        if outcome is DeleteOutcome.NOT_OWNER:
            raise ForbiddenError(
                "User does not have permission to perform this action",
                f"User {user_id} does not have permission to delete saved prompt with ID "
                f"{prompt_id}",
            )
        return outcome is DeleteOutcome.DELETED
