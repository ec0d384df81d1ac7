"""``EntraTokenSource``: the client-credential flow through ``azure-identity``.

The asynchronous ``ClientSecretCredential`` posts to
``<authority>/<tenant>/oauth2/v2.0/token`` on the event loop (aiohttp), so a refresh never
blocks it. A fresh credential per fetch: ``azure-identity`` would otherwise answer from its
own cache, and :class:`~lightspeed_core.azure.tokens.AzureTokens` is the one cache (a
fetch happens about once an hour).
"""

from __future__ import annotations

from azure.identity.aio import ClientSecretCredential

from lightspeed_core.azure.base import AccessToken
from lightspeed_core.config.models.misc import AzureEntraIdConfiguration


class EntraTokenSource:
    """Client-credential tokens for one application registration.

    Args:
        config: ``azure_entra_id`` (tenant, client id and secret, scope).
        authority: The authority host (``AZURE_AUTHORITY_HOST``); ``None``: Azure's public
            cloud, ``login.microsoftonline.com``.
        ca_file: A CA bundle to verify the authority with (``SSL_CERT_FILE``); ``None``: the
            system's.
    """

    def __init__(
        self,
        config: AzureEntraIdConfiguration,
        authority: str | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.config = config
        self.authority = authority
        self.ca_file = ca_file

    async def fetch(self) -> AccessToken:
        options: dict[str, str] = {}
        if self.authority:
            options["authority"] = self.authority
        if self.ca_file:
            options["connection_verify"] = self.ca_file
        credential = ClientSecretCredential(
            self.config.tenant_id.get_secret_value(),
            self.config.client_id.get_secret_value(),
            self.config.client_secret.get_secret_value(),
            **options,
        )
        async with credential:
            token = await credential.get_token(self.config.scope)
        return AccessToken(token.token, float(token.expires_on))
