"""``build_auth_backend``: the only switchboard from configuration to module.

Modules that talk to the Kubernetes API are imported lazily, like their client.
"""

from __future__ import annotations

from collections.abc import Mapping

from lightspeed_core.auth.api_key import ApiKeyAuth
from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.auth.noop import NoopAuth, NoopWithTokenAuth
from lightspeed_core.config.models.auth import AuthenticationConfiguration

__all__ = ["build_auth_backend"]


def build_auth_backend(
    config: AuthenticationConfiguration, environ: Mapping[str, str] | None = None
) -> AuthBackend:
    """Create the configured authentication module (``K8sConfigError`` if k8s is unusable).

    ``environ`` is the service's environment (``Settings.env``), for Kubernetes discovery.
    """
    match config.module:
        case "noop":
            return NoopAuth()
        case "noop-with-token":
            return NoopWithTokenAuth()
        case "api-key-token":
            assert config.api_key_config is not None  # the configuration guarantees it
            return ApiKeyAuth(config.api_key_config.api_key.get_secret_value())
        case "jwk-token":
            from lightspeed_core.auth.jwk_token import JwkTokenAuth

            assert config.jwk_config is not None
            return JwkTokenAuth(config.jwk_config)
        case "k8s":
            from lightspeed_core.auth.k8s import K8sAuth
            from lightspeed_core.auth.k8s_client import K8sApi, discover_connection

            return K8sAuth(K8sApi(discover_connection(config, environ=environ)))
        case "rh-identity":
            from lightspeed_core.auth.rh_identity import RHIdentityAuth

            assert config.rh_identity_config is not None
            return RHIdentityAuth(config.rh_identity_config)
        case "trusted-proxy":
            from lightspeed_core.auth.k8s_client import K8sApi, discover_connection
            from lightspeed_core.auth.trusted_proxy import TrustedProxyAuth

            assert config.trusted_proxy_config is not None
            return TrustedProxyAuth(
                config.trusted_proxy_config, K8sApi(discover_connection(config, environ=environ))
            )
