"""Mapping between user-facing ``rag_id``s and OGX vector store ids (``vector_db_id``).

Clients name BYOK stores by their configured ``rag_id``; OGX knows them by
``vector_db_id``. Unknown ids pass through unchanged (they may already be OGX ids), as in
the reference service. ``okp`` is dropped: OKP is searched by :mod:`lightspeed_core.rag.okp`,
not through OGX.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lightspeed_core.config.models.rag import OKP_SOURCE_ID, RagConfiguration, RagStore


@dataclass(frozen=True)
class StoreCatalog:
    """The configured BYOK stores, indexed both ways."""

    stores: tuple[RagStore, ...] = ()

    @classmethod
    def from_config(cls, config: RagConfiguration) -> StoreCatalog:
        """Catalog of ``rag.byok.stores``."""
        return cls(tuple(config.byok.stores))

    def to_ogx(self, ids: Iterable[str]) -> list[str]:
        """Translate ``rag_id``s to OGX ids (others unchanged, ``okp`` dropped)."""
        by_rag = {store.rag_id: store.vector_db_id for store in self.stores}
        return [by_rag.get(i, i) for i in ids if i != OKP_SOURCE_ID]

    def display_id(self, ogx_id: str) -> str:
        """The ``rag_id`` configured for an OGX id, else the OGX id itself."""
        store = self.by_ogx_id(ogx_id)
        return store.rag_id if store is not None else ogx_id

    def by_ogx_id(self, ogx_id: str) -> RagStore | None:
        """The configured store whose ``vector_db_id`` is ``ogx_id``."""
        return next((s for s in self.stores if s.vector_db_id == ogx_id), None)
