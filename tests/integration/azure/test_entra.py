"""``EntraTokenSource`` and ``AzureTokens`` against a local HTTPS Entra ID stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from pydantic import SecretStr

from lightspeed_core.azure.entra import EntraTokenSource
from lightspeed_core.azure.tokens import NO_TOKEN, AzureTokens
from lightspeed_core.config.models.misc import AzureEntraIdConfiguration
from lightspeed_core.errors import BackendUnavailableError
from tests.support.entra import EntraStandIn, entra_stand_in

CONFIG = AzureEntraIdConfiguration(
    tenant_id=SecretStr("tenant-1"),
    client_id=SecretStr("client-1"),
    client_secret=SecretStr("s3cret"),
)


@pytest.fixture
def entra(tmp_path: Path) -> Iterator[tuple[EntraStandIn, EntraTokenSource]]:
    with entra_stand_in(tmp_path / "entra") as (stand_in, authority, ca_file):
        yield stand_in, EntraTokenSource(CONFIG, authority, ca_file)


async def test_client_credential_flow(entra: tuple[EntraStandIn, EntraTokenSource]) -> None:
    stand_in, source = entra
    before = time.time()
    token = await source.fetch()
    assert token.token == "tok1"
    assert before + 3500 < token.expires_on < time.time() + 3700
    assert stand_in.requests == [
        {
            "tenant": "tenant-1",
            "client_id": "client-1",
            "client_secret": "s3cret",
            "grant_type": "client_credentials",
            "scope": "https://cognitiveservices.azure.com/.default",
        }
    ]
    assert (await source.fetch()).token == "tok2"  # every fetch asks: AzureTokens caches


async def test_a_rejected_secret_raises(entra: tuple[EntraStandIn, EntraTokenSource]) -> None:
    stand_in, source = entra
    stand_in.failing = True
    with pytest.raises(ClientAuthenticationError, match="invalid_client"):
        await source.fetch()


async def test_tokens_over_a_failing_endpoint(
    entra: tuple[EntraStandIn, EntraTokenSource],
) -> None:
    stand_in, source = entra
    stand_in.failing = True
    tokens = AzureTokens(source)
    with pytest.raises(BackendUnavailableError) as failure:
        await tokens.token()
    assert failure.value.response == NO_TOKEN
    assert "AADSTS7000215" in failure.value.cause
    stand_in.failing = False
    assert await tokens.token() == "tok1"
    assert await tokens.token() == "tok1"
    assert len(stand_in.requests) == 2


async def test_an_untrusted_certificate_is_refused(
    entra: tuple[EntraStandIn, EntraTokenSource],
) -> None:
    _, source = entra
    untrusted = EntraTokenSource(CONFIG, source.authority, None)
    with pytest.raises(Exception, match=r"(?i)certificate"):
        await untrusted.fetch()
