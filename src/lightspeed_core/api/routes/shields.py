"""``GET /v1/shields``: the shields configured in ``shields:``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.shields import CatalogShield, ShieldsResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["shields"])


@router.get("/shields", response_model=ShieldsResponse, responses=error_responses(401, 403, 500))
async def shields(
    _auth: Annotated[Authorized, Depends(require(Action.GET_SHIELDS))], services: ServicesDep
) -> ShieldsResponse:
    """Every configured shield with its configuration."""
    return ShieldsResponse(
        shields=[
            CatalogShield(
                name=s.name, provider_id=s.provider_id, config=s.config.model_dump(mode="json")
            )
            for s in services.config.shields
        ]
    )
