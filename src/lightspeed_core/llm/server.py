"""Server mode: a separate ``ogx`` server, over plain HTTP and, for resources, ``ogx-client``.

What every request and every start needs - streamed Responses, chat completions (topic
summaries), models, providers, the version - is plain HTTP on one ``httpx.AsyncClient`` with
the headers ``ogx-client`` sends (authorization, client version). Answers are read into light
attribute objects (:mod:`.sse`), not validated into the client's pydantic models; each
streamed response is read to its end so its connection is reused (``bench/server_mode.py``,
``bench/results/serverfast.md``). ``ogx_client`` itself costs 42.5 MB of RSS once imported,
so it is imported only when first needed (:meth:`ServerBackend.client`): by the resource
ports (vector stores, files, tool groups, prompts) and by the deserialiser that turns an
error status into the client's exceptions, classified as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

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
from lightspeed_core.llm.sse import decode, event_json, sse_events

log = logging.getLogger(__name__)
PROVIDER_DATA_HEADER = "X-OGX-Provider-Data"
RESPONSES_PATH = "/v1/responses"
ERROR_TYPES = {"400": "Error", "429": "Error", "500": "Error"}
"""The error bodies ``ogx_client`` reads for ``/v1/responses`` (its generated API's map)."""
DRAIN_SECONDS = 1.0


def client_headers(api_key: str | None) -> dict[str, str]:
    """The headers ``ogx-client`` sends with every call (without importing it)."""
    try:
        client_version = version("ogx-client")
    except PackageNotFoundError:  # pragma: no cover - a dependency of ours
        client_version = "unknown"
    headers = {
        "User-Agent": f"OpenAPI-Generator/{client_version}/python",
        "X-OGX-Client-Version": client_version,
    }
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


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
        self.headers = client_headers(api_key)
        self._http: httpx.AsyncClient | None = None
        self._client: Any = None

    async def start(self) -> None:
        self._http = httpx.AsyncClient(timeout=self.timeout)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            raise RuntimeError("the OGX server backend is not started")
        return self._http

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call's JSON answer (objects as attribute objects); an error status raises."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.http.request(method, self.url + path, headers=headers, **kwargs)
        if response.status_code >= 300:
            await self._raise_status(response)
        return decode(response.text)

    async def _call(self, what: str, coro: Any) -> Any:
        try:
            return await coro
        except LightspeedError:
            raise
        except Exception as exc:
            raise classify_exception(what, exc) from exc

    async def version(self) -> str:
        answer = await self._call("version", self._json("GET", "/v1/version"))
        return str(getattr(answer, "version", answer))

    async def list_models(self) -> list[ModelInfo]:
        listing = await self._call("models", self._json("GET", "/v1/models"))
        return [parse_model(m) for m in unwrap_list(listing)]

    async def list_providers(self) -> list[ProviderInfo]:
        listing = await self._call("providers", self._json("GET", "/v1/providers"))
        return [parse_provider(p) for p in unwrap_list(listing)]

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        return {p.provider_id: p.health for p in await self.list_providers()}

    async def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        try:
            body = build_create_request(request)
            headers = {**self.headers, "Accept": "text/event-stream"}
            headers.update(request_headers(request))
            async with self.http.stream(
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
        self.client().api_client.response_deserialize(
            response_data=answer, response_types_map=ERROR_TYPES
        )
        raise RuntimeError(f"OGX answered HTTP {response.status_code}")  # not reached

    async def complete(self, request: ResponseRequest) -> str:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": chat_messages(request),
            "stream": False,
        }
        if request.max_output_tokens is not None:
            body["max_tokens"] = request.max_output_tokens
        if request.temperature is not None:
            body["temperature"] = request.temperature
        call = self._json(
            "POST", "/v1/chat/completions", json=body, headers=request_headers(request)
        )
        return completion_text(await self._call(request.model, call))

    def client(self) -> Any:
        """The ``ogx_client`` client, built (and the package imported) on first use.

        For the resource ports of ``llm/resources.py`` and ``llm/prompt_store.py``, and for
        reading an error answer into the client's exceptions.
        """
        if self._client is None:
            from ogx_client import AsyncOgxClient

            logging.getLogger("httpx").setLevel(logging.WARNING)  # ogx_client turns it on
            self._client = AsyncOgxClient(
                base_url=self.url, api_key=self.api_key, timeout=self.timeout
            )
        return self._client
