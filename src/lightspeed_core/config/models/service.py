"""The ``service`` section: where and how the HTTP service listens."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PositiveFloat, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    PortNumber,
    PositiveInt,
    raise_issues,
)

__all__ = ["CORSConfiguration", "ServiceConfiguration", "TLSConfiguration"]


class TLSConfiguration(ConfigModel):
    """TLS configuration: certificate, key and key password files for HTTPS."""

    tls_certificate_path: Path | None = Field(
        default=None,
        title="TLS certificate path",
        description="SSL/TLS certificate file path for HTTPS support.",
    )
    tls_key_path: Path | None = Field(
        default=None,
        title="TLS key path",
        description="SSL/TLS private key file path for HTTPS support.",
    )
    tls_key_password: Path | None = Field(
        default=None,
        title="SSL/TLS key password path",
        description="Path to file containing the password to decrypt the SSL/TLS private key.",
    )

    @model_validator(mode="after")
    def _check_pair(self) -> TLSConfiguration:
        issues: list[Issue] = []
        if self.tls_certificate_path is not None and self.tls_key_path is None:
            issues.append(("tls_key_path", "required when tls_certificate_path is set"))
        if self.tls_key_path is not None and self.tls_certificate_path is None:
            issues.append(("tls_certificate_path", "required when tls_key_path is set"))
        raise_issues(issues)
        return self


class CORSConfiguration(ConfigModel):
    """CORS (Cross-Origin Resource Sharing) configuration."""

    allow_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        title="Allow origins",
        description=(
            "A list of origins allowed for cross-origin requests. An origin is the "
            "combination of protocol (http, https), domain (myapp.com, localhost, "
            "localhost.tiangolo.com), and port (80, 443, 8080). Use ['*'] to allow all "
            "origins."
        ),
    )
    allow_credentials: bool = Field(
        default=False,
        title="Allow credentials",
        description="Indicate that cookies should be supported for cross-origin requests",
    )
    allow_methods: list[str] = Field(
        default_factory=lambda: ["*"],
        title="Allow methods",
        description=(
            "A list of HTTP methods that should be allowed for cross-origin requests. You "
            "can use ['*'] to allow all standard methods."
        ),
    )
    allow_headers: list[str] = Field(
        default_factory=lambda: ["*"],
        title="Allow headers",
        description=(
            "A list of HTTP request headers that should be supported for cross-origin "
            "requests. You can use ['*'] to allow all headers. The Accept, "
            "Accept-Language, Content-Language and Content-Type headers are always "
            "allowed for simple CORS requests."
        ),
    )

    @model_validator(mode="after")
    def _check_credentials(self) -> CORSConfiguration:
        if self.allow_credentials and "*" in self.allow_origins:
            raise_issues(
                [
                    (
                        "allow_origins",
                        "the '*' wildcard cannot be used when allow_credentials is true; "
                        "list explicit origins or disable credentials",
                    )
                ]
            )
        return self


class ServiceConfiguration(ConfigModel):
    """Service configuration: host, port, workers, TLS, CORS and root path."""

    host: str = Field(default="localhost", title="Host", description="Service hostname")
    port: PortNumber = Field(default=8080, title="Port", description="Service port")
    base_url: str | None = Field(
        default=None,
        title="Base URL",
        description=(
            "Externally reachable base URL for the service; the A2A agent card's url is "
            "<base_url>/a2a (default http://localhost:8080)."
        ),
    )
    auth_enabled: bool = Field(
        default=False,
        title="Authentication enabled",
        description=(
            "Enables the authentication subsystem. Kept for compatibility: it has no "
            "effect, authentication is always performed by authentication.module."
        ),
    )
    workers: PositiveInt = Field(
        default=1,
        title="Number of workers",
        description="Number of Uvicorn worker processes to start",
    )
    color_log: bool = Field(
        default=True, title="Color log", description="Enables colorized logging"
    )
    access_log: bool = Field(
        default=True,
        title="Access log",
        description="Enables logging of all access information",
    )
    tls_config: TLSConfiguration = Field(
        default_factory=TLSConfiguration,
        title="TLS configuration",
        description="Transport Layer Security configuration for HTTPS support",
    )
    root_path: str = Field(
        default="",
        title="Root path",
        description="ASGI root path for serving behind a reverse proxy on a subpath",
    )
    cors: CORSConfiguration = Field(
        default_factory=CORSConfiguration,
        title="CORS configuration",
        description="Cross-Origin Resource Sharing configuration for cross-domain requests",
    )
    max_request_body_bytes: PositiveInt = Field(
        default=2 * 1024 * 1024,
        title="Maximum request body size",
        description=(
            "Largest request body accepted, in bytes (multipart file uploads to /v1/files "
            "have their own 100 MiB limit). Counted as the bytes arrive, also without a "
            "Content-Length header; a larger body is refused with 413 before it is parsed."
        ),
    )
    request_body_timeout: PositiveFloat = Field(
        default=30.0,
        title="Request body timeout",
        description=(
            "Seconds the service waits for the next part of a request body; a client that "
            "sends less than it announced is answered 408 after this time."
        ),
    )
    shutdown_grace_period: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        title="Shutdown grace period",
        description=(
            "Seconds that answers in flight may still run after SIGTERM (new connections are "
            "refused at once). Streams still running then end with an error event; their "
            "quota is settled and their partial turn stored. Keep Kubernetes' "
            "terminationGracePeriodSeconds at least 10 s above it (docs/operations.md)."
        ),
    )

    @model_validator(mode="after")
    def _check_root_path(self) -> ServiceConfiguration:
        issues: list[Issue] = []
        if self.root_path:
            if not self.root_path.startswith("/"):
                issues.append(("root_path", "must start with '/'"))
            if self.root_path.endswith("/"):
                issues.append(("root_path", "must not end with '/'"))
        raise_issues(issues)
        return self
