"""``POST /v1/infer``: rlsapi v1, stateless inference for the RHEL Lightspeed CLA."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.rlsapi import RlsapiV1InferRequest, RlsapiV1InferResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["rlsapi-v1"])


@router.post(
    "/infer",
    response_model=RlsapiV1InferResponse,
    responses=error_responses(401, 403, 404, 413, 429, 500, 503),
)
async def infer_endpoint(
    body: RlsapiV1InferRequest,
    request: Request,
    auth: Annotated[Authorized, Depends(require(Action.RLSAPI_V1_INFER))],
    services: ServicesDep,
) -> Response:
    """Answer a question from the Command Line Assistant, with its context; nothing is stored."""
    answer = await services.rlsapi.infer(
        services.pipeline_ports(), body, auth, request.headers, services.splunk
    )
    return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")
