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

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

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


class FeedbackToggle:
    """Whether storing feedback is enabled right now."""

    def __init__(self, database: Database, configured: bool) -> None:
        self.db = database
        self.configured = configured
        self._insert = pg_insert if database.dialect == "postgresql" else sqlite_insert

    def _effective(self, row: ServiceSetting | None) -> bool:
        if row is None or row.value.get("configured") != self.configured:
            return self.configured
        return bool(row.value.get("enabled"))

    async def _row(self, session: AsyncSession, *, lock: bool = False) -> ServiceSetting | None:
        query = select(ServiceSetting).where(ServiceSetting.key == SETTING_KEY)
        if lock and self.db.dialect == "postgresql":
            query = query.with_for_update()
        row: ServiceSetting | None = await session.scalar(query)
        return row

    async def reconcile(self) -> None:
        """At start-up: forget a toggle set under a different ``feedback_enabled``."""
        async with self.db.transaction() as session:
            row = await self._row(session, lock=True)
            if row is not None and row.value.get("configured") != self.configured:
                await session.execute(
                    delete(ServiceSetting).where(ServiceSetting.key == SETTING_KEY)
                )

    async def enabled(self) -> bool:
        async with self.db.sessions() as session:
            return self._effective(await self._row(session))

    async def set(self, enabled: bool, user_id: str) -> StatusChange:
        """Store the new state for every worker; returns the previous and the new state."""
        now = datetime.now(UTC)
        value = {"enabled": enabled, "configured": self.configured}
        async with self.db.transaction() as session:
            previous = self._effective(await self._row(session, lock=True))
            insert = self._insert(ServiceSetting).values(
                key=SETTING_KEY, value=value, updated_at=now, updated_by=user_id
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"value": value, "updated_at": now, "updated_by": user_id},
                )
            )
        return StatusChange(previous, enabled, user_id, now.isoformat())
