"""``FeedbackService``: validate a feedback request and store it as a JSON file.

Checks, in order: storing feedback is enabled (403 ``Storing feedback is disabled``), the
conversation is in the user database (404) and belongs to the caller (403; nobody may
submit feedback for someone else's conversation). The file is
``<feedback_storage>/<uuid4>.json`` containing ``{"user_id", "timestamp", **request}``,
written in a worker thread, to a temporary name first and then renamed, so a collector
never reads half a file. A failed write is a 500 ``Failed to store feedback``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

from lightspeed_core.authz.context import Authorized
from lightspeed_core.config.models.user_data import UserDataCollection
from lightspeed_core.conversations.access import require_conversation
from lightspeed_core.conversations.base import ConversationStore
from lightspeed_core.db.engine import Database
from lightspeed_core.errors import ForbiddenError, InternalError
from lightspeed_core.feedback.toggle import FeedbackToggle, StatusChange
from lightspeed_core.ids import normalize_conversation_id
from lightspeed_core.jsonfiles import write_json_file
from lightspeed_core.schemas.feedback import FeedbackRequest
from lightspeed_core.vocabulary.actions import Action

log = logging.getLogger(__name__)


class FeedbackService:
    """Feedback files and the shared enabled/disabled toggle."""

    def __init__(
        self, toggle: FeedbackToggle, storage: Path | None, conversations: ConversationStore
    ) -> None:
        self.toggle = toggle
        self.storage = storage
        self.conversations = conversations

    async def enabled(self) -> bool:
        return await self.toggle.enabled()

    async def set_enabled(self, enabled: bool, user_id: str) -> StatusChange:
        return await self.toggle.set(enabled, user_id)

    async def store(self, auth: Authorized, request: FeedbackRequest) -> str:
        """Check the request against the rules above and write it; returns the file."""
        if not await self.toggle.enabled():
            raise ForbiddenError("Storing feedback is disabled", "Storing feedback is disabled.")
        conversation_id = normalize_conversation_id(request.conversation_id)
        await require_conversation(self.conversations, auth, conversation_id, Action.FEEDBACK)
        record = {
            "user_id": auth.principal.user_id,
            "timestamp": str(datetime.now(UTC)),
            **request.model_dump(mode="json"),
        }
        if self.storage is None:
            raise InternalError(
                "Failed to store feedback",
                "Failed to store feedback: user_data_collection.feedback_storage is not set",
            )
        try:
            return await asyncio.to_thread(
                write_json_file, self.storage, f"{uuid.uuid4()}.json", record
            )
        except OSError as exc:
            log.error("storing feedback in %s failed: %s", self.storage, exc)
            raise InternalError(
                "Failed to store feedback", f"Failed to store feedback at directory: {self.storage}"
            ) from exc


async def build_feedback(
    config: UserDataCollection, database: Database, conversations: ConversationStore
) -> FeedbackService:
    """The feedback service for ``user_data_collection`` (toggle stored in ``database``)."""
    toggle = FeedbackToggle(database, config.feedback_enabled)
    await toggle.reconcile()
    return FeedbackService(toggle, config.feedback_storage, conversations)
