"""``/v1/models`` and ``/v1/providers[/{provider_id}]``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.errors import NotFoundError
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.service import (
    ModelEntry,
    ModelsResponse,
    ProviderResponse,
    ProvidersListResponse,
    ProviderSummary,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get("/models", response_model=ModelsResponse, responses=error_responses(401, 403, 500, 503))
async def models(
    _auth: Annotated[Authorized, Depends(require(Action.GET_MODELS))],
    services: ServicesDep,
    model_type: Annotated[str | None, Query(description="Only models of this type")] = None,
) -> ModelsResponse:
    """Models registered in OGX, optionally filtered by ``model_type``."""
    entries = [
        ModelEntry(
            identifier=m.identifier,
            metadata=m.metadata,
            api_model_type=m.model_type,
            provider_id=m.provider_id,
            provider_resource_id=m.provider_resource_id,
            model_type=m.model_type,
        )
        for m in await services.llm.list_models()
        if model_type is None or m.model_type == model_type
    ]
    return ModelsResponse(models=entries)


@router.get(
    "/providers",
    response_model=ProvidersListResponse,
    responses=error_responses(401, 403, 500, 503),
)
async def providers(
    _auth: Annotated[Authorized, Depends(require(Action.LIST_PROVIDERS))], services: ServicesDep
) -> ProvidersListResponse:
    """OGX providers grouped by API."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for p in await services.llm.list_providers():
        grouped.setdefault(p.api, []).append(
            ProviderSummary(provider_id=p.provider_id, provider_type=p.provider_type).model_dump()
        )
    return ProvidersListResponse(providers=grouped)


@router.get(
    "/providers/{provider_id}",
    response_model=ProviderResponse,
    responses=error_responses(401, 403, 404, 500, 503),
)
async def provider(
    provider_id: str,
    _auth: Annotated[Authorized, Depends(require(Action.GET_PROVIDER))],
    services: ServicesDep,
) -> ProviderResponse:
    """One provider with its (redacted) config and health."""
    for p in await services.llm.list_providers():
        if p.provider_id == provider_id:
            health = (await services.llm.provider_health()).get(p.provider_id) or p.health
            return ProviderResponse(
                api=p.api,
                config=p.config,
                health=health,
                provider_id=p.provider_id,
                provider_type=p.provider_type,
            )
    raise NotFoundError("Provider", provider_id)
