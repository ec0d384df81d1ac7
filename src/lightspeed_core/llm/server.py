"""Server mode: a separate ``ogx`` server reached with ``ogx-client``."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import (
    ModelInfo,
    ProviderInfo,
    ResponseRequest,
    chat_messages,
    completion_text,
)
from lightspeed_core.llm.catalog import parse_model, parse_provider, unwrap_list
from lightspeed_core.llm.events import LLMEvent
from lightspeed_core.llm.failures import classify_exception
from lightspeed_core.llm.library import build_create_request
from lightspeed_core.llm.normalize import client_json, normalize_stream

log = logging.getLogger(__name__)
PROVIDER_DATA_HEADER = "X-OGX-Provider-Data"


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
            arguments = build_create_request(request)
            headers = dict(request.headers)  # ogx-client: extra HTTP headers (tracing)
            if request.provider_data:
                headers[PROVIDER_DATA_HEADER] = json.dumps(request.provider_data)
            if headers:
                arguments["_headers"] = headers
            stream = await self._client.responses.create(**arguments)
            async for event in normalize_stream(
                request.model, stream, raw=request.raw_events, to_json=client_json
            ):
                yield event
        except LightspeedError:
            raise
        except Exception as exc:
            raise classify_exception(request.model, exc, request.tools) from exc

    async def complete(self, request: ResponseRequest) -> str:
        headers = dict(request.headers)
        if request.provider_data:
            headers[PROVIDER_DATA_HEADER] = json.dumps(request.provider_data)
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
