"""The compactor of a configuration: the database one when ``compaction.enabled``."""

from __future__ import annotations

from lightspeed_core.compaction.base import Compactor, NoCompaction
from lightspeed_core.compaction.service import SummaryCompactor
from lightspeed_core.compaction.store import SummaryStore
from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.db.engine import Database
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.llm.tokens import TokenEstimator


def build_compactor(
    config: CompactionConfiguration, database: Database, llm: LLMBackend, tokens: TokenEstimator
) -> Compactor:
    """Summaries in the user database (``database``), summarised by ``llm``."""
    if not config.enabled:
        return NoCompaction()
    return SummaryCompactor(config, SummaryStore(database), llm, tokens)
