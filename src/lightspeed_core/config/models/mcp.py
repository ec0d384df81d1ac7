"""The ``mcp_servers`` section: Model Context Protocol servers offered to the agents."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    HttpUrlStr,
    Issue,
    PositiveInt,
    duplicates,
    raise_issues,
)
from lightspeed_core.vocabulary.http_headers import is_reserved, valid_name

__all__ = [
    "DEFAULT_REGISTRATION_HOSTS",
    "MCP_HEADER_KEYWORDS",
    "ApprovalFilter",
    "McpRegistrationConfiguration",
    "ModelContextProtocolServer",
]

MCP_HEADER_KEYWORDS: frozenset[str] = frozenset({"kubernetes", "client", "oauth"})
"""Values of ``authorization_headers`` that are keywords rather than secret-file paths."""


class ApprovalFilter(ConfigModel):
    """Granular approval control for specific MCP tools."""

    always: list[str] = Field(
        default_factory=list,
        title="Always require approval",
        description="List of tool names that always require human approval",
    )
    never: list[str] = Field(
        default_factory=list,
        title="Never require approval",
        description="List of tool names that never require approval",
    )

    @model_validator(mode="after")
    def _check_overlap(self) -> ApprovalFilter:
        overlap = sorted(set(self.always) & set(self.never))
        if overlap:
            raise_issues(
                [("never", f"tools listed in both always and never: {', '.join(overlap)}")]
            )
        return self


class ModelContextProtocolServer(ConfigModel):
    """Model Context Protocol server configuration."""

    name: str = Field(
        min_length=1,
        title="MCP name",
        description="MCP server name that must be unique",
    )
    provider_id: str = Field(
        default="model-context-protocol",
        title="Provider ID",
        description="MCP provider identification",
    )
    url: HttpUrlStr = Field(title="MCP server URL", description="URL of the MCP server")
    authorization_headers: dict[str, str] = Field(
        default_factory=dict,
        title="Authorization headers",
        description=(
            "Headers to send to the MCP server: header name -> path to a file containing "
            "the header value (secret), or one of the keywords 'kubernetes' (the caller's "
            "Kubernetes token), 'client' (value supplied by the client in MCP-HEADERS) or "
            "'oauth' (value supplied in MCP-HEADERS after an OAuth flow)."
        ),
    )
    headers: list[str] = Field(
        default_factory=list,
        title="Propagated headers",
        description=(
            "List of HTTP header names to forward from the incoming request to this MCP "
            "server (case-insensitive), e.g. x-rh-identity. Additive with "
            "authorization_headers and MCP-HEADERS."
        ),
    )
    client_headers: list[str] = Field(
        default_factory=list,
        title="Client headers",
        description=(
            "Further header names a client may set for this server in MCP-HEADERS, beside "
            "Authorization and the names of authorization_headers (case-insensitive). Any "
            "other name in a client's MCP-HEADERS entry is refused with 400."
        ),
    )
    require_approval: Literal["always", "never"] | ApprovalFilter = Field(
        default="never",
        title="Approval requirement",
        description=(
            "When to require human approval for tool invocations: 'always', 'never', or "
            "{always: [tools], never: [tools]} for granular control."
        ),
    )
    timeout: PositiveInt | None = Field(
        default=None,
        title="Request timeout",
        description=(
            "Timeout in seconds for this service's own requests to the MCP server (the OAuth "
            "probe, the health check's tool listing, /v1/tools, opening the pooled session "
            "for tool calls); default 5 seconds. A tool call itself may take up to 120 "
            "seconds (docs/mcp.md)."
        ),
    )

    @model_validator(mode="after")
    def _check_headers(self) -> ModelContextProtocolServer:
        issues: list[Issue] = []
        if repeated := duplicates(header.lower() for header in self.headers):
            issues.append(("headers", f"headers listed more than once: {', '.join(repeated)}"))
        if repeated := duplicates(h.lower() for h in self.authorization_headers):
            issues.append(
                ("authorization_headers", f"headers listed more than once: {', '.join(repeated)}")
            )
        named = {
            "headers": list(self.headers),
            "authorization_headers": list(self.authorization_headers),
            "client_headers": list(self.client_headers),
        }
        for key, names in named.items():
            for name in names:
                if not valid_name(name) or is_reserved(name):
                    issues.append((key, f"'{name}' cannot be sent to an MCP server"))
        raise_issues(issues)
        return self

    def uses_kubernetes_token(self) -> bool:
        """True when a header takes its value from the caller's Kubernetes token."""
        return "kubernetes" in self.authorization_headers.values()


DEFAULT_REGISTRATION_HOSTS: tuple[str, ...] = (
    "localhost",
    "127.0.0.1",
    "::1",
    "*.svc",
    "*.svc.cluster.local",
)
"""Hosts that API-registered MCP servers may use by default: loopback and cluster-local."""


class McpRegistrationConfiguration(ConfigModel):
    """Limits on MCP servers registered at runtime through ``POST /v1/mcp-servers``."""

    allowed_hosts: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REGISTRATION_HOSTS),
        title="Allowed hosts",
        description=(
            "Host names (shell-style patterns such as '*.svc.cluster.local', matched "
            "case-insensitively, without port) that the URL of an API-registered MCP server "
            "may use; registrations naming another host are refused with 422. The default "
            "allows loopback and cluster-local services only; ['*'] allows any host. Servers "
            "in mcp_servers are not restricted."
        ),
    )
