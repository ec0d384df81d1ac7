"""``/v1/rags``: OGX vector stores shown under their configured ``rag_id``."""

from __future__ import annotations

from lightspeed_core.errors import LightspeedError, NotFoundError
from lightspeed_core.llm.ports import ResourceCallError, VectorStores
from lightspeed_core.rag.proxy import backend_error
from lightspeed_core.rag.stores import StoreCatalog
from lightspeed_core.schemas.rag import RAGInfoResponse, RAGListResponse


async def list_rags(stores: VectorStores, catalog: StoreCatalog) -> RAGListResponse:
    """Every vector store OGX serves; configured stores appear as their ``rag_id``."""
    try:
        listing = await stores.list_stores()
    except (LightspeedError, ResourceCallError) as exc:
        raise backend_error(exc) from exc
    return RAGListResponse(rags=[catalog.display_id(s.id) for s in listing])


async def get_rag(stores: VectorStores, catalog: StoreCatalog, rag_id: str) -> RAGInfoResponse:
    """One store, by ``rag_id`` or OGX id (404 ``Rag not found``)."""
    (ogx_id,) = catalog.to_ogx([rag_id]) or [rag_id]
    try:
        store = await stores.get(ogx_id)
    except (LightspeedError, ResourceCallError) as exc:
        raise backend_error(exc, NotFoundError("Rag", rag_id)) from exc
    return RAGInfoResponse(
        id=catalog.display_id(store.id),
        name=store.name,
        created_at=store.created_at,
        last_active_at=store.last_active_at,
        usage_bytes=store.usage_bytes or 0,
        expires_at=store.expires_at,
        object=store.object or "vector_store",
        status=store.status or "unknown",
    )
