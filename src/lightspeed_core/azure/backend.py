"""``AzureEntraBackend``: an ``LLMBackend`` decorator that authenticates Azure models.

For a request whose model belongs to OGX's ``remote::azure`` provider (its id starts with
``azure``, as in the reference, or with the id of a ``remote::azure`` provider), the Entra
ID token and the provider's ``base_url`` go to OGX as provider data
(``{"azure_api_key", "azure_api_base"}``): in library mode through OGX's request context, in
server mode as the ``X-OGX-Provider-Data`` header of that one call (the backends apply
``ResponseRequest.provider_data``). Other models pass through untouched.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

from lightspeed_core.azure.tokens import NO_TOKEN, AzureTokens
from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.llm.base import LLMBackend, ModelInfo, ProviderInfo, ResponseRequest
from lightspeed_core.llm.events import LLMEvent

log = logging.getLogger(__name__)
AZURE_PROVIDER_TYPE = "remote::azure"


class AzureEntraBackend:
    """Delegates everything to ``inner``; Azure model calls carry an Entra ID token."""

    def __init__(self, inner: LLMBackend, tokens: AzureTokens) -> None:
        self.inner = inner
        self.tokens = tokens
        self._azure: tuple[frozenset[str], str] | None = None  # provider ids, base_url

    @property
    def mode(self) -> str:
        return self.inner.mode

    async def start(self) -> None:
        await self.inner.start()
        try:
            await self._azure_providers()
        except Exception as exc:  # degraded start: found on the first Azure request
            log.warning("azure_entra_id: cannot list OGX providers yet (%s)", exc)

    async def close(self) -> None:
        await self.tokens.close()
        await self.inner.close()

    async def version(self) -> str:
        return await self.inner.version()

    async def list_models(self) -> list[ModelInfo]:
        return await self.inner.list_models()

    async def list_providers(self) -> list[ProviderInfo]:
        return await self.inner.list_providers()

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        return await self.inner.provider_health()

    async def _azure_providers(self) -> tuple[frozenset[str], str]:
        if self._azure is None:
            providers = [
                p
                for p in await self.inner.list_providers()
                if p.provider_type == AZURE_PROVIDER_TYPE
            ]
            base_url = next(
                (str(p.config["base_url"]) for p in providers if p.config.get("base_url")), ""
            )
            if not providers:
                log.warning("azure_entra_id is set but OGX has no remote::azure provider")
            elif not base_url:
                log.warning("azure_entra_id: the remote::azure provider has no base_url")
            self._azure = (frozenset(p.provider_id for p in providers), base_url)
        return self._azure

    async def _provider_data(self, model: str) -> dict[str, str] | None:
        named_azure = model.startswith("azure")
        try:
            provider_ids, base_url = await self._azure_providers()
        except Exception as exc:
            if not named_azure:
                return None
            raise BackendUnavailableError(
                f"cannot list OGX providers: {exc}", response=NO_TOKEN
            ) from exc
        if not provider_ids or not (named_azure or model.split("/", 1)[0] in provider_ids):
            return None
        if not base_url:
            raise BackendUnavailableError(
                "the remote::azure provider has no base_url", response=NO_TOKEN
            )
        return {"azure_api_key": await self.tokens.token(), "azure_api_base": base_url}

    async def _with_token(self, request: ResponseRequest) -> ResponseRequest:
        data = await self._provider_data(request.model)
        if data is None:
            return request
        merged = {**(request.provider_data or {}), **data}
        return dataclasses.replace(request, provider_data=merged)

    async def complete(self, request: ResponseRequest) -> str:
        return await self.inner.complete(await self._with_token(request))

    async def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        async for event in self.inner.respond(await self._with_token(request)):
            yield event
