"""``/readiness`` and ``/liveness`` (no ``/v1`` prefix)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.readiness import check_readiness
from lightspeed_core.schemas.service import LivenessResponse, ReadinessResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(tags=["health"])
InfoAccess = Annotated[Authorized, Depends(require(Action.INFO))]


@router.get(
    "/readiness", response_model=ReadinessResponse, responses={503: {"model": ReadinessResponse}}
)
async def readiness(_auth: InfoAccess, services: ServicesDep) -> JSONResponse:
    """Ready when OGX and its providers are healthy (200), or degraded by configuration."""
    result = await check_readiness(services)
    status = 200 if result.ready else 503
    return JSONResponse(result.model_dump(mode="json"), status_code=status)


@router.get("/liveness", response_model=LivenessResponse)
async def liveness(_auth: InfoAccess) -> LivenessResponse:
    """The process is alive."""
    return LivenessResponse(alive=True)
