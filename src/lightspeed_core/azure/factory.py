"""``with_azure_entra``: wrap the backend when ``azure_entra_id`` is configured."""

from __future__ import annotations

from lightspeed_core.azure.backend import AzureEntraBackend
from lightspeed_core.azure.entra import EntraTokenSource
from lightspeed_core.azure.tokens import AzureTokens
from lightspeed_core.config import Configuration
from lightspeed_core.config.settings import Environment
from lightspeed_core.llm.base import LLMBackend


def with_azure_entra(backend: LLMBackend, config: Configuration, env: Environment) -> LLMBackend:
    """``backend`` itself, or an :class:`AzureEntraBackend` around it."""
    if config.azure_entra_id is None:
        return backend
    source = EntraTokenSource(config.azure_entra_id, env.azure_authority_host, env.ssl_cert_file)
    return AzureEntraBackend(backend, AzureTokens(source))
