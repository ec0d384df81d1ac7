"""Settle claims: a settle charges its reservation once, however often it is written.

A settle batch whose outcome is unknown (the connection broke mid-statement, the flush was
cancelled) is written again, and its first attempt may have landed unseen. So the attempt
that charges a settle's usage (and adds its token history) also inserts the settle's
*claim* - its reservation id, in ``quota_settle_claim`` - in the same transaction, and an
item is charged only by the attempt that inserts its claim (``ON CONFLICT DO NOTHING
RETURNING``). On PostgreSQL a retry racing its first attempt, still running on the server,
waits on the claim's key until that attempt's outcome is known.

Holds cannot tell this on their own: on PostgreSQL the reservation commits without waiting
for its WAL flush (``quota/taking.py``), so a server crash can lose a reservation - holds
and all - and a late settle may find the holds gone because they expired. Without holds, a
charged settle simply takes its usage from the buckets: a lost reservation then ends as if
it had reserved nothing and spent its usage.

A claim is needed only while an outcome may be unknown: :class:`WrittenClaims` remembers the
claims of the batches known to be written, and the next batch deletes them. A claim left
behind (the last batch of a process that stopped, or one that died) is deleted by the
scheduler after :data:`CLAIMS_KEPT` (``quota/probe.py`` looks for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Table

from lightspeed_core.db.tables import Base
from lightspeed_core.quota.settles import Settlement

CLAIMS: Table = Base.metadata.tables["quota_settle_claim"]
CLAIMS_KEPT = timedelta(days=1)  # then a claim left behind is deleted


def claims_of(items: Sequence[Settlement]) -> list[str]:
    """The claims of ``items`` that charge anything (usage or token history), in order."""
    claims = (item.reservation_id for item in items if item.used or item.usage is not None)
    return list(dict.fromkeys(claims))


class WrittenClaims:
    """Claims of batches known to be written, for the next batch to delete."""

    def __init__(self) -> None:
        self._written: dict[str, None] = {}  # insertion-ordered

    def to_forget(self, claims: Sequence[str]) -> list[str]:
        """What a batch with ``claims`` deletes: every written claim it does not carry again.

        A claim that comes again (a batch written unseen, then again) stays until that
        batch is written.
        """
        carried = set(claims)
        return [claim for claim in self._written if claim not in carried]

    def written(self, forgotten: Sequence[str], claims: Sequence[str]) -> None:
        """A batch with ``claims`` was written, and deleted ``forgotten``."""
        for claim in forgotten:
            del self._written[claim]
        self._written.update(dict.fromkeys(claims))
