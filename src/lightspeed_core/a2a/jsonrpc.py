"""``POST /a2a``: JSON-RPC 2.0 for A2A protocol 1.0 and 0.3, through the SDK's dispatcher.

The a2a-sdk's ``JsonRpcDispatcher`` (with its 0.3 adapter) parses the call, routes it by
method name (``message/send`` … for 0.3, ``SendMessage`` … for 1.0, chosen by the method
and the ``A2A-Version`` header), converts 0.3 objects to 1.0 and back, and renders errors
and SSE streams; :class:`~lightspeed_core.a2a.handler.LightspeedRequestHandler` does the
work. A few checks run before it, as the reference's SDK (0.3) did them: a body over 10 MB
is ``-32600 Payload too large``; a body that is not JSON (or not UTF-8) ``-32700``; one that
is not a single JSON-RPC 2.0 call (a batch, no ``method``, a bad ``id``) ``-32600``; a 0.3
call whose ``params`` do not validate ``-32602 Invalid parameters`` (the 1.x adapter says
``-32600``, and would log several of these client errors as internal ones). Nothing here
answers 5xx: unexpected failures are ``-32603`` JSON-RPC errors.
"""

from __future__ import annotations

import json
from typing import Any

from a2a.auth.user import User
from a2a.compat.v0_3 import types as v03
from a2a.extensions.common import HTTP_EXTENSION_HEADER, get_requested_extensions
from a2a.server.context import ServerCallContext
from a2a.server.routes.common import ServerCallContextBuilder
from a2a.server.routes.jsonrpc_dispatcher import JsonRpcDispatcher
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from lightspeed_core.a2a.caller import Caller
from lightspeed_core.a2a.handler import LightspeedRequestHandler
from lightspeed_core.a2a.service import A2AService

MAX_BODY = 10 * 1024 * 1024  # the reference's SDK default
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
STATE_KEY = "a2a_caller"
_CALL_SHAPE = 'a call has "jsonrpc": "2.0", a string "method" and a string, integer or null "id"'
V03_CALLS: dict[str, type[BaseModel]] = {  # protocol 0.3 methods and their request models
    "message/send": v03.SendMessageRequest,
    "message/stream": v03.SendStreamingMessageRequest,
    "tasks/get": v03.GetTaskRequest,
    "tasks/cancel": v03.CancelTaskRequest,
    "tasks/resubscribe": v03.TaskResubscriptionRequest,
    "tasks/pushNotificationConfig/set": v03.SetTaskPushNotificationConfigRequest,
    "tasks/pushNotificationConfig/get": v03.GetTaskPushNotificationConfigRequest,
    "tasks/pushNotificationConfig/list": v03.ListTaskPushNotificationConfigRequest,
    "tasks/pushNotificationConfig/delete": v03.DeleteTaskPushNotificationConfigRequest,
    "agent/getAuthenticatedExtendedCard": v03.GetAuthenticatedExtendedCardRequest,
}


class _Principal(User):
    """The authenticated caller, as the SDK sees it."""

    def __init__(self, user_id: str) -> None:
        self._user_id = user_id

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def user_name(self) -> str:
        return self._user_id


class _ContextBuilder(ServerCallContextBuilder):
    """Hands the handler the caller our route authenticated (and its headers)."""

    def build(self, request: Request) -> ServerCallContext:
        caller: Caller = getattr(request.state, STATE_KEY)
        return ServerCallContext(
            user=_Principal(caller.user_id),
            state={"headers": dict(request.headers), "caller": caller},
            requested_extensions=get_requested_extensions(
                request.headers.getlist(HTTP_EXTENSION_HEADER)
            ),
        )


def _error(request_id: Any, code: int, message: str, data: Any = None) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    return JSONResponse({"jsonrpc": "2.0", "id": request_id, "error": error})


class JsonRpcEndpoint:
    """The dispatcher of this worker and the checks that precede it."""

    def __init__(self, service: A2AService) -> None:
        self.dispatcher = JsonRpcDispatcher(
            LightspeedRequestHandler(service), _ContextBuilder(), enable_v0_3_compat=True
        )

    async def handle(self, request: Request, caller: Caller) -> Response:
        setattr(request.state, STATE_KEY, caller)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return _error(None, INVALID_REQUEST, "Payload too large")
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error(None, INVALID_REQUEST, "Payload too large")
        refused = await self._precheck(request)
        if refused is not None:
            return refused
        return await self.dispatcher.handle_requests(request)

    async def _precheck(self, request: Request) -> Response | None:
        """What the SDK would log as an internal error: not JSON, not one call, bad 0.3 params."""
        try:
            call = await request.json()  # cached: the dispatcher reads it again
        except ValueError as exc:  # not JSON, or not UTF-8
            return _error(None, PARSE_ERROR, str(exc))
        if not isinstance(call, dict):  # a batch, or a bare value
            return _error(None, INVALID_REQUEST, "Invalid Request", "a call must be an object")
        request_id = call.get("id")
        if (
            call.get("jsonrpc") != "2.0"
            or not isinstance(call.get("method"), str)
            or not (request_id is None or isinstance(request_id, str | int))
            or isinstance(request_id, bool)
        ):
            return _error(request_id, INVALID_REQUEST, "Invalid Request", _CALL_SHAPE)
        model = V03_CALLS.get(call["method"])
        if model is None:
            return None
        try:
            model.model_validate(call)
        except ValidationError as exc:
            data = json.loads(exc.json())
            return _error(request_id, INVALID_PARAMS, "Invalid parameters", data)
        return None
