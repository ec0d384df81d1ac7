"""``build_auth_backend``: the only switchboard from configuration to module."""

from __future__ import annotations

from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.auth.noop import NoopAuth, NoopWithTokenAuth
from lightspeed_core.config.models.auth import AuthenticationConfiguration


class UnsupportedAuthModuleError(RuntimeError):
    """The configured module is not available in this build."""


def build_auth_backend(config: AuthenticationConfiguration) -> AuthBackend:
    """Create the configured authentication module."""
    match config.module:
        case "noop":
            return NoopAuth()
        case "noop-with-token":
            return NoopWithTokenAuth()
        case other:
            raise UnsupportedAuthModuleError(
                f"authentication.module {other!r} is not implemented yet"
            )
