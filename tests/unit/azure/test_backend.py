"""``AzureEntraBackend``: provider data for Azure models only."""

from __future__ import annotations

import pytest

from lightspeed_core.azure.backend import AzureEntraBackend
from lightspeed_core.azure.base import AccessToken
from lightspeed_core.azure.tokens import NO_TOKEN, AzureTokens
from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.llm.base import ProviderInfo, ResponseRequest
from lightspeed_core.testing.azure import ScriptedTokenSource
from lightspeed_core.testing.fake_llm import FakeLLM

BASE = "https://example.openai.azure.com/openai/v1"


class ProvidersLLM(FakeLLM):
    def __init__(self, providers: list[ProviderInfo]) -> None:
        super().__init__()
        self.providers = providers
        self.listings = 0

    async def list_providers(self) -> list[ProviderInfo]:
        self.listings += 1
        return list(self.providers)


def azure_provider(provider_id: str = "azure", base_url: str | None = BASE) -> ProviderInfo:
    config = {"base_url": base_url} if base_url else {}
    return ProviderInfo("inference", provider_id, "remote::azure", config)


def backend(llm: FakeLLM, *tokens: AccessToken) -> AzureEntraBackend:
    return AzureEntraBackend(llm, AzureTokens(ScriptedTokenSource(tokens), clock=lambda: 0.0))


async def answer(wrapped: AzureEntraBackend, model: str) -> None:
    async for _ in wrapped.respond(ResponseRequest(model=model, input=[])):
        pass


async def test_azure_models_get_the_token_and_base_url() -> None:
    llm = ProvidersLLM([azure_provider(), ProviderInfo("inference", "openai", "remote::openai")])
    wrapped = backend(llm, AccessToken("tok", 3600.0))
    await wrapped.start()
    await answer(wrapped, "azure/gpt-4o")
    await answer(wrapped, "openai/gpt-4o")
    assert llm.requests[0].provider_data == {"azure_api_key": "tok", "azure_api_base": BASE}
    assert llm.requests[1].provider_data is None
    assert llm.listings == 1  # providers read once


async def test_a_remote_azure_provider_with_another_id_counts() -> None:
    llm = ProvidersLLM([azure_provider("corp-llm")])
    wrapped = backend(llm, AccessToken("tok", 3600.0))
    await answer(wrapped, "corp-llm/gpt-4o")
    assert llm.requests[0].provider_data is not None


async def test_no_azure_provider_passes_through() -> None:
    llm = ProvidersLLM([ProviderInfo("inference", "azure-proxy", "remote::openai")])
    wrapped = backend(llm)
    await answer(wrapped, "azure-proxy/gpt-4o")
    assert llm.requests[0].provider_data is None


async def test_azure_provider_without_base_url_is_a_503() -> None:
    wrapped = backend(ProvidersLLM([azure_provider(base_url=None)]), AccessToken("t", 9.0))
    with pytest.raises(BackendUnavailableError) as failure:
        await answer(wrapped, "azure/gpt-4o")
    assert failure.value.response == NO_TOKEN
