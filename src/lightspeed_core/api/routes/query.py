"""``POST /v1/query`` and ``POST /v1/streaming_query``: one pipeline, two renderings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.actions import Action
from lightspeed_core.authz.context import Authorized
from lightspeed_core.pipeline.fold import fold
from lightspeed_core.pipeline.query import QueryPipeline
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.query import QueryRequest, QueryResponse
from lightspeed_core.streaming.sse import JSON_MEDIA_TYPE, TEXT_MEDIA_TYPE, serialize

router = APIRouter(prefix="/v1", tags=["query"])
ERRORS = error_responses(401, 403, 404, 413, 429, 500, 503)


@router.post("/query", response_model=QueryResponse, responses=ERRORS)
async def query(
    body: QueryRequest,
    request: Request,
    auth: Annotated[Authorized, Depends(require(Action.QUERY))],
    services: ServicesDep,
) -> Response:
    """Answer a question (optionally within a conversation)."""
    pipeline = QueryPipeline(services)
    prepared = await pipeline.prepare(body, auth, "/v1/query", request.headers, Action.QUERY)
    answer = await fold(pipeline.run(prepared))
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
    pipeline = QueryPipeline(services)
    prepared = await pipeline.prepare(
        body, auth, "/v1/streaming_query", request.headers, Action.STREAMING_QUERY
    )
    text_mode = body.media_type == TEXT_MEDIA_TYPE
    return StreamingResponse(
        serialize(pipeline.run(prepared, interruptible=True), text_mode),
        media_type=TEXT_MEDIA_TYPE if text_mode else JSON_MEDIA_TYPE,
    )
