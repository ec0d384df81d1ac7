"""``POST /v1/query`` and ``POST /v1/streaming_query``: one pipeline, two renderings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.api.sse import JSON_MEDIA_TYPE, TEXT_MEDIA_TYPE, serialize
from lightspeed_core.authz.context import Authorized
from lightspeed_core.pipeline.fold import fold
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.query import QueryRequest, QueryResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["query"])
ERRORS = error_responses(401, 403, 404, 413, 429, 500, 503)
QUERY = Endpoint("/v1/query", Action.QUERY)
STREAMING_QUERY = Endpoint("/v1/streaming_query", Action.STREAMING_QUERY)


@router.post("/query", response_model=QueryResponse, responses=ERRORS)
async def query(
    body: QueryRequest,
    request: Request,
    auth: Annotated[Authorized, Depends(require(Action.QUERY))],
    services: ServicesDep,
) -> Response:
    """Answer a question (optionally within a conversation)."""
    ports = services.pipeline_ports()
    prepared = await prepare(ports, TurnInput.from_query(body), auth, QUERY, request.headers)
    answer = await fold(run(ports, prepared))
    # already a validated QueryResponse: serialise it once instead of FastAPI re-validating
    return Response(answer.model_dump_json(), media_type="application/json")


@router.post(
    "/streaming_query",
    response_class=StreamingResponse,
    responses={200: {"content": {JSON_MEDIA_TYPE: {}, TEXT_MEDIA_TYPE: {}}}, **ERRORS},
)
async def streaming_query(
    body: QueryRequest,
    request: Request,
    auth: Annotated[Authorized, Depends(require(Action.STREAMING_QUERY))],
    services: ServicesDep,
) -> StreamingResponse:
    """Answer a question as a stream of events (SSE) or plain text."""
    ports = services.pipeline_ports()
    turn = TurnInput.from_query(body)
    prepared = await prepare(ports, turn, auth, STREAMING_QUERY, request.headers)
    text_mode = body.media_type == TEXT_MEDIA_TYPE
    return StreamingResponse(
        serialize(run(ports, prepared, interruptible=True), text_mode),
        media_type=TEXT_MEDIA_TYPE if text_mode else JSON_MEDIA_TYPE,
    )
