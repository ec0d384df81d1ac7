"""The ``authentication`` section: which auth module runs and its settings."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, SecretStr, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    HttpUrlStr,
    Issue,
    PositiveInt,
    check_regex,
    duplicates,
    raise_issues,
)

__all__ = [
    "AUTH_MODULES",
    "APIKeyTokenConfiguration",
    "AuthModule",
    "AuthenticationConfiguration",
    "JsonPathOperator",
    "JwkConfiguration",
    "JwtConfiguration",
    "JwtRoleRule",
    "RHIdentityConfiguration",
    "TrustedProxyConfiguration",
    "TrustedProxyServiceAccount",
]

AuthModule = Literal[
    "noop",
    "noop-with-token",
    "k8s",
    "jwk-token",
    "api-key-token",
    "rh-identity",
    "trusted-proxy",
]
AUTH_MODULES: tuple[str, ...] = get_args(AuthModule)


class JsonPathOperator(StrEnum):
    """Supported operators for JSONPath evaluation in JWT role rules."""

    EQUALS = "equals"
    CONTAINS = "contains"
    IN = "in"
    MATCH = "match"


def _jsonpath_error(expression: str) -> str | None:
    # Imported lazily: only configurations with role rules need the parser.
    from jsonpath_ng.ext.parser import parse

    try:
        parse(expression)
    except Exception as exc:  # jsonpath_ng raises several unrelated types
        return f"invalid JSONPath expression {expression!r}: {exc}"
    return None


class JwtRoleRule(ConfigModel):
    """Rule for extracting roles from JWT claims."""

    jsonpath: str = Field(
        title="JSON path",
        description="JSONPath expression to evaluate against the JWT payload",
    )
    operator: JsonPathOperator = Field(
        title="Operator", description="JSON path comparison operator"
    )
    negate: bool = Field(
        default=False,
        title="Negate rule",
        description="If set to true, the meaning of the rule is negated",
    )
    value: Any = Field(title="Value", description="Value to compare against")
    roles: list[str] = Field(
        title="List of roles", description="Roles to be assigned if the rule matches"
    )

    @model_validator(mode="after")
    def _check_rule(self) -> JwtRoleRule:
        issues: list[Issue] = []
        if (error := _jsonpath_error(self.jsonpath)) is not None:
            issues.append(("jsonpath", error))
        if not self.roles:
            issues.append(("roles", "at least one role must be specified"))
        if repeated := duplicates(self.roles):
            issues.append(("roles", f"roles must be unique; repeated: {', '.join(repeated)}"))
        if "*" in self.roles:
            issues.append(("roles", "the '*' role is implicit and cannot be assigned by a rule"))
        if self.operator is JsonPathOperator.MATCH:
            if not isinstance(self.value, str):
                issues.append(("value", "the match operator requires a regex string"))
            elif (error := check_regex(self.value)) is not None:
                issues.append(("value", error))
        raise_issues(issues)
        return self


class JwtConfiguration(ConfigModel):
    """JWT (JSON Web Token) claim mapping and role rules."""

    user_id_claim: str = Field(
        default="user_id",
        title="User ID claim",
        description="JWT claim name that uniquely identifies the user (subject ID).",
    )
    username_claim: str = Field(
        default="username",
        title="Username claim",
        description="JWT claim name that provides the human-readable username.",
    )
    role_rules: list[JwtRoleRule] = Field(
        default_factory=list,
        title="Role rules",
        description="Rules for extracting roles from JWT claims",
    )


class JwkConfiguration(ConfigModel):
    """JWK (JSON Web Key) set location and JWT settings for the jwk-token module."""

    url: HttpUrlStr = Field(
        title="URL",
        description="HTTPS URL of the JWK (JSON Web Key) set used to validate JWTs.",
    )
    jwt_configuration: JwtConfiguration = Field(
        default_factory=JwtConfiguration,
        title="JWT configuration",
        description="JWT (JSON Web Token) configuration",
    )


class APIKeyTokenConfiguration(ConfigModel):
    """API key for the api-key-token module."""

    api_key: SecretStr = Field(
        min_length=1,
        title="API key",
        description="The API key clients must send as 'Authorization: Bearer <key>'.",
    )


class RHIdentityConfiguration(ConfigModel):
    """Red Hat Identity (x-rh-identity header) authentication configuration."""

    required_entitlements: list[str] | None = Field(
        default=None,
        title="Required entitlements",
        description="List of all required entitlements.",
    )
    max_header_size: PositiveInt = Field(
        default=8192,
        title="Maximum header size",
        description=(
            "Maximum allowed size in bytes for the base64-encoded x-rh-identity header. "
            "Headers exceeding this size are rejected before decoding."
        ),
    )


class TrustedProxyServiceAccount(ConfigModel):
    """A Kubernetes ServiceAccount identity for the trusted-proxy allowlist."""

    namespace: str = Field(
        title="Namespace", description="Kubernetes namespace of the ServiceAccount."
    )
    name: str = Field(title="Name", description="Name of the Kubernetes ServiceAccount.")


class TrustedProxyConfiguration(ConfigModel):
    """Configuration for the trusted-proxy auth module."""

    user_header: str = Field(
        default="X-Forwarded-User",
        title="User identity header",
        description="HTTP header containing the forwarded user identity.",
    )
    allowed_service_accounts: list[TrustedProxyServiceAccount] | None = Field(
        default=None,
        title="Allowed service accounts",
        description=(
            "Optional allowlist of Kubernetes ServiceAccount identities permitted to act as "
            "trusted proxies. When null/omitted or empty, any ServiceAccount with a valid "
            "token is accepted."
        ),
    )


_REQUIRED_BLOCK: dict[str, str] = {
    "jwk-token": "jwk_config",
    "api-key-token": "api_key_config",
    "rh-identity": "rh_identity_config",
    "trusted-proxy": "trusted_proxy_config",
}


class AuthenticationConfiguration(ConfigModel):
    """Authentication configuration: the module and its module-specific block."""

    module: AuthModule = Field(
        default="noop",
        title="Module",
        description=(
            "Authentication module: noop, noop-with-token, k8s, jwk-token, api-key-token, "
            "rh-identity or trusted-proxy."
        ),
    )
    skip_tls_verification: bool = Field(
        default=False,
        title="Skip TLS verification",
        description="Skip TLS verification when calling the Kubernetes API (k8s module).",
    )
    skip_for_health_probes: bool = Field(
        default=False,
        title="Skip authorization for probes",
        description="Skip authorization for readiness and liveness probes",
    )
    skip_for_metrics: bool = Field(
        default=False,
        title="Skip authorization for metrics",
        description="Skip authorization for the /metrics endpoint",
    )
    k8s_cluster_api: HttpUrlStr | None = Field(
        default=None,
        title="K8S Cluster API",
        description="Kubernetes API server URL overriding the in-cluster/kubeconfig one.",
    )
    k8s_ca_cert_path: Path | None = Field(
        default=None,
        title="K8S CA certificate path",
        description="CA certificate used to verify the Kubernetes API server.",
    )
    jwk_config: JwkConfiguration | None = Field(
        default=None,
        title="JWK configuration",
        description="Settings of the jwk-token module (required for it).",
    )
    api_key_config: APIKeyTokenConfiguration | None = Field(
        default=None,
        title="API key configuration",
        description="Settings of the api-key-token module (required for it).",
    )
    rh_identity_config: RHIdentityConfiguration | None = Field(
        default=None,
        title="RH Identity configuration",
        description="Settings of the rh-identity module (required for it).",
    )
    trusted_proxy_config: TrustedProxyConfiguration | None = Field(
        default=None,
        title="Trusted proxy configuration",
        description="Settings of the trusted-proxy module (required for it).",
    )

    @model_validator(mode="after")
    def _check_module_block(self) -> AuthenticationConfiguration:
        block = _REQUIRED_BLOCK.get(self.module)
        if block is not None and getattr(self, block) is None:
            raise_issues([(block, f"required when module is {self.module!r}")])
        return self
