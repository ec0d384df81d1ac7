"""``GET /metrics`` (Prometheus text format)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response)
async def metrics(
    _auth: Annotated[Authorized, Depends(require(Action.GET_METRICS))], services: ServicesDep
) -> Response:
    """All ``ls_*`` metrics (summed over workers when there are several)."""
    body, content_type = services.metrics.render()
    return Response(body, media_type=content_type)
