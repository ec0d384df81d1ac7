"""``/v1/rags`` and ``/v1/rags/{rag_id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.rag.rags import get_rag, list_rags
from lightspeed_core.rag.stores import StoreCatalog
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.rag import RAGInfoResponse, RAGListResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["rags"])


@router.get("/rags", response_model=RAGListResponse, responses=error_responses(401, 403, 500, 503))
async def rags(
    _auth: Annotated[Authorized, Depends(require(Action.LIST_RAGS))], services: ServicesDep
) -> RAGListResponse:
    """Vector stores in OGX; BYOK stores are listed under their configured ``rag_id``."""
    catalog = StoreCatalog.from_config(services.config.rag)
    return await list_rags(services.vector_stores, catalog)


@router.get(
    "/rags/{rag_id}",
    response_model=RAGInfoResponse,
    responses=error_responses(401, 403, 404, 500, 503),
)
async def rag(
    rag_id: str,
    _auth: Annotated[Authorized, Depends(require(Action.GET_RAG))],
    services: ServicesDep,
) -> RAGInfoResponse:
    """One vector store, by ``rag_id`` or OGX vector store id."""
    catalog = StoreCatalog.from_config(services.config.rag)
    return await get_rag(services.vector_stores, catalog, rag_id)
