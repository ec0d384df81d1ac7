"""Bodies of ``/v1/tools``, ``/v1/mcp-auth/client-options`` and ``/v1/mcp-servers``.

Names and fields follow the reference's OpenAPI schemas (``ToolsResponse``, ``CatalogTool``,
``MCPClientAuthOptionsResponse``, ``MCPServerRegistrationRequest`` ...).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

REGISTRATION_KEYWORDS = ("client", "kubernetes", "oauth")


class CatalogToolParameter(BaseModel):
    """Parameter entry for a tool in the ``/tools`` catalog response."""

    name: str
    description: str
    parameter_type: str
    required: bool = False
    default: Any | None = None


class CatalogTool(BaseModel):
    """Tool entry in the ``/tools`` catalog response."""

    identifier: str
    description: str
    parameters: list[CatalogToolParameter]
    provider_id: str
    toolgroup_id: str
    server_source: str
    type: str = "tool"


class UnavailableMcpServer(BaseModel):
    """An MCP server whose tools are missing from ``/v1/tools`` (and from queries) right now."""

    name: str = Field(description="The server's name in the configuration or registration")
    reason: str = Field(
        description="Why it is left out: unreachable, timed out, not an MCP server, ..."
    )


class ToolsResponse(BaseModel):
    """Model representing a response to tools request.

    ``unavailable_servers`` is ours (docs/differences.md): present only when an MCP server
    is left out, so the body is the reference's whenever every server works.
    """

    tools: list[CatalogTool] = Field(
        description=(
            "List of tools available from all configured MCP servers and built-in toolgroups"
        )
    )
    unavailable_servers: list[UnavailableMcpServer] | None = Field(
        default=None,
        description=(
            "MCP servers left out because they failed (absent when every server is usable); "
            "their tools are not offered to the model until they recover"
        ),
        exclude_if=lambda servers: servers is None,
    )


class MCPServerAuthInfo(BaseModel):
    """Information about MCP server client authentication options."""

    name: str = Field(description="MCP server name")
    client_auth_headers: list[str] = Field(
        description="List of authentication header names for client-provided tokens"
    )


class MCPClientAuthOptionsResponse(BaseModel):
    """Response containing MCP servers that accept client-provided authorization."""

    servers: list[MCPServerAuthInfo] = Field(
        default_factory=list,
        description="List of MCP servers that accept client-provided authorization",
    )


class MCPServerRegistrationRequest(BaseModel):
    """Request model for dynamically registering an MCP server."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=256,
        description="Unique name for the MCP server",
        examples=["my-mcp-tools"],
    )
    url: str = Field(
        description="URL of the MCP server endpoint",
        examples=["http://mcp-tools.tools.svc.cluster.local:8080/mcp"],
    )
    provider_id: str = Field(
        default="model-context-protocol",
        description="MCP provider identification",
        examples=["model-context-protocol"],
    )
    authorization_headers: dict[str, str] | None = Field(
        default=None,
        description=(
            "Headers to send to the MCP server. Values must be one of the supported token "
            "resolution keywords: 'client' - forward the caller's token provided via "
            "MCP-HEADERS, 'kubernetes' - use the authenticated user's Kubernetes token, "
            "'oauth' - use an OAuth token provided via MCP-HEADERS. File-path based secrets "
            "(used in static YAML config) are not supported for dynamically registered servers."
        ),
        examples=[{"Authorization": "client"}],
    )
    headers: list[str] | None = Field(
        default=None,
        description="List of HTTP header names to forward from incoming requests",
        examples=[["x-rh-identity"]],
    )
    timeout: PositiveInt | None = Field(
        default=None, description="Request timeout in seconds for the MCP server", examples=[30]
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https"):
            raise ValueError("URL must use http:// or https:// scheme")  # the reference's text
        if not parts.hostname:
            raise ValueError("URL must include a host name")
        return value

    @field_validator("authorization_headers")
    @classmethod
    def _keywords_only(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for header, source in (value or {}).items():
            if source not in REGISTRATION_KEYWORDS:
                raise ValueError(
                    f"authorization_headers['{header}'] must be one of "
                    f"{', '.join(REGISTRATION_KEYWORDS)} (file paths are only allowed in "
                    "the configuration file)"
                )
        return value

    @field_validator("headers")
    @classmethod
    def _no_duplicate_headers(cls, value: list[str] | None) -> list[str] | None:
        lowered = [h.lower() for h in value or []]
        if len(set(lowered)) != len(lowered):
            raise ValueError("headers must not list a header more than once")
        return value


class MCPServerRegistrationResponse(BaseModel):
    """Response for a successful MCP server registration."""

    name: str = Field(description="Registered MCP server name")
    url: str = Field(description="Registered MCP server URL")
    provider_id: str = Field(description="MCP provider identification")
    message: str = Field(description="Status message")


class MCPServerInfo(BaseModel):
    """Information about a registered MCP server."""

    name: str = Field(description="MCP server name")
    url: str = Field(description="MCP server URL")
    provider_id: str = Field(description="MCP provider identification")
    source: str = Field(
        description="How the server was registered: 'config' (static) or 'api' (dynamic)"
    )


class MCPServerListResponse(BaseModel):
    """Response listing all registered MCP servers."""

    servers: list[MCPServerInfo] = Field(
        default_factory=list,
        description="List of all registered MCP servers (static and dynamic)",
    )


class MCPServerDeleteResponse(BaseModel):
    """Response indicating the outcome of an MCP server delete operation."""

    deleted: bool = Field(description="Whether the deletion was successful.")
    name: str = Field(description="MCP server name that was passed to delete.")
    response: str = Field(description="Human-readable outcome of the delete operation.")
