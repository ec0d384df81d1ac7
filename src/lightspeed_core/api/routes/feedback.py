"""``POST /v1/feedback`` and ``GET|PUT /v1/feedback/status``.

``GET /v1/feedback/status`` takes no credentials at all (as the reference: clients ask it
before showing a feedback widget). The toggle ``PUT`` changes is stored in the database, so
every worker and pod sees it and it survives restarts (``feedback/toggle.py``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.feedback import (
    FeedbackRequest,
    FeedbackResponse,
    FeedbackStatusUpdateRequest,
    FeedbackStatusUpdateResponse,
    StatusResponse,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    responses=error_responses(401, 403, 404, 500, 503),
)
async def feedback(
    body: FeedbackRequest,
    auth: Annotated[Authorized, Depends(require(Action.FEEDBACK))],
    services: ServicesDep,
) -> FeedbackResponse:
    """Store feedback on an answer of one of the caller's conversations."""
    await services.feedback.store(auth, body)
    return FeedbackResponse()


@router.get("/feedback/status", response_model=StatusResponse)
async def feedback_status(services: ServicesDep) -> StatusResponse:
    """Whether storing feedback is enabled (no authentication)."""
    return StatusResponse(status={"enabled": await services.feedback.enabled()})


@router.put(
    "/feedback/status",
    response_model=FeedbackStatusUpdateResponse,
    responses=error_responses(401, 403, 500, 503),
)
async def update_feedback_status(
    body: FeedbackStatusUpdateRequest,
    auth: Annotated[Authorized, Depends(require(Action.ADMIN))],
    services: ServicesDep,
) -> FeedbackStatusUpdateResponse:
    """Enable or disable storing feedback, for every worker."""
    change = await services.feedback.set_enabled(body.status, auth.principal.user_id)
    return FeedbackStatusUpdateResponse(status=asdict(change))
