"""The feedback on/off toggle, shared by every worker and pod and kept across restarts.

``PUT /v1/feedback/status`` writes the row ``service_setting["feedback"]`` =
``{"enabled": bool, "configured": bool}``; every read takes the value from there, so all
workers agree at once. ``configured`` remembers ``user_data_collection.feedback_enabled`` at
the time of the change: a restart with the same configuration keeps the toggle, while a
start with an edited ``feedback_enabled`` discards it (:meth:`FeedbackToggle.reconcile`), so
the operator's edit wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from lightspeed_core.db.dialect import for_update, insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import ServiceSetting

SETTING_KEY = "feedback"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What ``PUT /v1/feedback/status`` reports."""

    previous_status: bool
    updated_status: bool
    updated_by: str
    timestamp: str


def _stored(connection: Connection, *, lock: bool = False) -> dict[str, Any] | None:
    query = select(ServiceSetting.value).where(ServiceSetting.key == SETTING_KEY)
    value: dict[str, Any] | None = connection.scalar(
        for_update(query, connection) if lock else query
    )
    return value


class FeedbackToggle:
    """Whether storing feedback is enabled right now."""

    def __init__(self, database: Database, configured: bool) -> None:
        self.db = database
        self.configured = configured
        self._insert = insert_for(database.dialect)

    def _effective(self, value: dict[str, Any] | None) -> bool:
        if value is None or value.get("configured") != self.configured:
            return self.configured
        return bool(value.get("enabled"))

    async def reconcile(self) -> None:
        """At start-up: forget a toggle set under a different ``feedback_enabled``."""

        def work(connection: Connection) -> None:
            value = _stored(connection, lock=True)
            if value is not None and value.get("configured") != self.configured:
                connection.execute(delete(ServiceSetting).where(ServiceSetting.key == SETTING_KEY))

        await self.db.run_write(work)

    async def enabled(self) -> bool:
        return self._effective(await self.db.run(_stored))

    async def set(self, enabled: bool, user_id: str) -> StatusChange:
        """Store the new state for every worker; returns the previous and the new state."""
        now = datetime.now(UTC)
        value = {"enabled": enabled, "configured": self.configured}

        def work(connection: Connection) -> bool:
            previous = self._effective(_stored(connection, lock=True))
            insert = self._insert(ServiceSetting).values(
                key=SETTING_KEY, value=value, updated_at=now, updated_by=user_id
            )
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"value": value, "updated_at": now, "updated_by": user_id},
                )
            )
            return previous

        previous = await self.db.run_write(work)
        return StatusChange(previous, enabled, user_id, now.isoformat())
