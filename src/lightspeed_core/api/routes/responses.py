"""``POST /v1/responses``: the OpenAI Responses API over the one pipeline (docs/responses.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import Endpoint
from lightspeed_core.responses.request import check_size, turn_input
from lightspeed_core.responses.stream import ResponsesStream
from lightspeed_core.responses.telemetry import reported
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.responses import ResponsesRequest, ResponsesResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["responses"])
RESPONSES = Endpoint("/v1/responses", Action.RESPONSES)
EVENT_STREAM = "text/event-stream"


@router.post(
    "/responses",
    response_model=ResponsesResponse,
    responses={
        200: {"content": {EVENT_STREAM: {}}},
        **error_responses(401, 403, 404, 413, 429, 500, 503),
    },
)
async def responses(
    body: ResponsesRequest,
    request: Request,
    auth: Annotated[Authorized, Depends(require(Action.RESPONSES))],
    services: ServicesDep,
) -> Response:
    """Create a model response (OpenAI Responses API), as JSON or an SSE stream."""
    check_size(await request.body())
    ports = services.pipeline_ports()
    turn = await turn_input(ports, body, auth, RESPONSES, request.headers)
    prepared = await prepare(ports, turn, auth, RESPONSES, request.headers)
    stream = ResponsesStream(prepared, body)
    events = reported(run(ports, prepared), services.splunk, prepared, request.headers)
    if body.stream:
        return StreamingResponse(stream.sse(events), media_type=EVENT_STREAM)
    answer = await stream.fold(events)
    return Response(answer.model_dump_json(), media_type="application/json")
