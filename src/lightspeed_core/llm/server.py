"""Server mode: a separate ``ogx`` server reached with ``ogx-client``.

The hot path (streamed Responses) does not go through the client's generated API: it
posts to ``/v1/responses`` on the client's own ``httpx.AsyncClient`` (same keep-alive pool,
timeout and default headers) and reads the SSE stream with :mod:`.sse` into light attribute
objects, instead of validating every event into the client's pydantic models, and reads
each response to its end so its connection is reused (measured: ``bench/server_mode.py``,
``bench/results/serverfast.md``). An error status is still read by the client's deserialiser, so
failures are the client's exceptions, classified as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import (
    ModelInfo,
    ProviderInfo,
    ResponseRequest,
    completion_text,
)
from lightspeed_core.llm.catalog import parse_model, parse_provider, unwrap_list
from lightspeed_core.llm.chat_input import chat_messages
from lightspeed_core.llm.events import LLMEvent
from lightspeed_core.llm.failures import classify_exception
from lightspeed_core.llm.library import build_create_request
from lightspeed_core.llm.normalize import normalize_stream
from lightspeed_core.llm.sse import event_json, sse_events

log = logging.getLogger(__name__)
PROVIDER_DATA_HEADER = "X-OGX-Provider-Data"
RESPONSES_PATH = "/v1/responses"
ERROR_TYPES = {"400": "Error", "429": "Error", "500": "Error"}
"""The error bodies ``ogx_client`` reads for ``/v1/responses`` (its generated API's map)."""
DRAIN_SECONDS = 1.0


async def _drain(lines: AsyncIterator[str]) -> None:
    """Read what follows the terminal event (normally nothing) to the end of the response.

    An httpx response closed before its end drops its connection instead of returning it
    to the pool: every call would open a new one. A server that keeps the stream open
    after the answer is complete gets :data:`DRAIN_SECONDS`, then the connection is
    dropped; nothing read or failing there reaches the caller.
    """
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in lines:
                pass
    except Exception as exc:  # the answer is complete: a failure after it is not the call's
        log.debug("OGX response not read to its end (%s): connection dropped", exc)


def request_headers(request: ResponseRequest) -> dict[str, str]:
    """HTTP headers a call sends besides the client's own: tracing, OGX provider data."""
    headers = dict(request.headers)
    if request.provider_data:
        headers[PROVIDER_DATA_HEADER] = json.dumps(request.provider_data)
    return headers


class ServerBackend:
    """A remote OGX server."""

    mode = "server"

    def __init__(self, url: str, api_key: str | None, timeout: float) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._client: Any = None

    async def start(self) -> None:
        from ogx_client import AsyncOgxClient

        logging.getLogger("httpx").setLevel(logging.WARNING)  # ogx_client turns it on
        self._client = AsyncOgxClient(base_url=self.url, api_key=self.api_key, timeout=self.timeout)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _call(self, what: str, coro: Any) -> Any:
        try:
            return await coro
        except LightspeedError:
            raise
        except Exception as exc:
            raise classify_exception(what, exc) from exc

    async def version(self) -> str:
        answer = await self._call("version", self._client.inspect.version())
        return str(getattr(answer, "version", answer))

    async def list_models(self) -> list[ModelInfo]:
        try:
            listing = await self._call("models", self._client.models.list())
        except ValueError:  # ogx-client 1.5 fails to parse an empty model list
            return []
        return [parse_model(m) for m in unwrap_list(listing)]

    async def list_providers(self) -> list[ProviderInfo]:
        listing = await self._call("providers", self._client.providers.list())
        return [parse_provider(p) for p in unwrap_list(listing)]

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        return {p.provider_id: p.health for p in await self.list_providers()}

    async def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        try:
            body = build_create_request(request)
            api = self._client.api_client
            headers = {**api.default_headers, "Accept": "text/event-stream"}
            headers.update(request_headers(request))
            http = api.async_client
            async with http.stream(
                "POST", self.url + RESPONSES_PATH, json=body, headers=headers
            ) as response:
                if response.status_code >= 300:
                    await self._raise_status(response)
                lines = response.aiter_lines()
                async for event in normalize_stream(
                    request.model, sse_events(lines), raw=request.raw_events, to_json=event_json
                ):
                    yield event
                await _drain(lines)
        except LightspeedError:
            raise
        except Exception as exc:
            raise classify_exception(request.model, exc, request.tools) from exc

    async def _raise_status(self, response: Any) -> None:
        """Raise the client's own exception for an error answer (as its generated API does)."""
        from ogx_client.rest import RESTResponse

        answer = RESTResponse(response)
        answer.data = await response.aread()
        self._client.api_client.response_deserialize(
            response_data=answer, response_types_map=ERROR_TYPES
        )
        raise RuntimeError(f"OGX answered HTTP {response.status_code}")  # not reached

    async def complete(self, request: ResponseRequest) -> str:
        headers = request_headers(request)
        call = self._client.chat.completions.create(
            model=request.model,
            messages=chat_messages(request),
            max_tokens=request.max_output_tokens,
            temperature=request.temperature,
            stream=False,
            extra_headers=headers or None,
        )
        return completion_text(await self._call(request.model, call))

    def client(self) -> Any:
        """The OGX client, once started (for the resource ports of ``llm/resources.py``)."""
        return self._client
