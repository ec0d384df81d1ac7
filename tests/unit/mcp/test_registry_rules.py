"""Pure parts of the registry: host allow-list, config conversion, registration body rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lightspeed_core.config.models.mcp import (
    DEFAULT_REGISTRATION_HOSTS,
    ApprovalFilter,
    ModelContextProtocolServer,
)
from lightspeed_core.mcp.listing import _parameters
from lightspeed_core.mcp.registry import from_config, host_allowed
from lightspeed_core.schemas.mcp import MCPServerRegistrationRequest


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080/mcp", True),
        ("http://localhost/mcp", True),
        ("http://[::1]:9000/mcp", True),
        ("https://tools.ns.svc/mcp", True),
        ("http://tools.ns.svc.cluster.local:8080/mcp", True),
        ("http://TOOLS.NS.SVC.CLUSTER.LOCAL./mcp", True),
        ("http://example.com/mcp", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("http://svc.evil.com/mcp", False),
        ("http://127.0.0.1.evil.com/mcp", False),
    ],
)
def test_default_hosts(url: str, allowed: bool) -> None:
    assert host_allowed(url, DEFAULT_REGISTRATION_HOSTS) is allowed


def test_star_allows_everything_and_empty_nothing() -> None:
    assert host_allowed("https://example.com/mcp", ["*"])
    assert not host_allowed("http://127.0.0.1/mcp", [])
    assert host_allowed("https://mcp.example.com/x", ["*.example.com"])


def test_from_config() -> None:
    server = ModelContextProtocolServer(
        name="s",
        url="http://h/mcp",
        authorization_headers={"Authorization": "/secret"},
        headers=["x-a"],
        require_approval=ApprovalFilter(always=["rm"]),
        timeout=3,
    )
    spec = from_config(server)
    assert spec.source == "config"
    assert spec.timeout == 3.0
    assert spec.headers == ("x-a",)
    assert spec.require_approval == {"always": ["rm"], "never": []}


def test_registration_body_rules() -> None:
    ok = MCPServerRegistrationRequest(
        name="n", url="https://h/mcp", authorization_headers={"Authorization": "oauth"}
    )
    assert ok.provider_id == "model-context-protocol"
    for bad in (
        {"name": "n", "url": "ftp://h/mcp"},
        {"name": "n", "url": "not a url"},
        {"name": "", "url": "http://h"},
        {"name": "n" * 257, "url": "http://h"},
        {"name": "n", "url": "http://h", "authorization_headers": {"A": "/etc/secret"}},
        {"name": "n", "url": "http://h", "headers": ["X-A", "x-a"]},
        {"name": "n", "url": "http://h", "timeout": 0},
        {"name": "n", "url": "http://h", "surprise": 1},
    ):
        with pytest.raises(ValidationError):
            MCPServerRegistrationRequest.model_validate(bad)


def test_catalog_parameters_from_json_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "File path"},
            "limit": {"type": "integer", "default": 10},
            "weird": "not a schema",
        },
        "required": ["path"],
    }
    params = [p.model_dump() for p in _parameters(schema)]
    assert params == [
        {
            "name": "path",
            "description": "File path",
            "parameter_type": "string",
            "required": True,
            "default": None,
        },
        {
            "name": "limit",
            "description": "",
            "parameter_type": "integer",
            "required": False,
            "default": 10,
        },
    ]
    assert _parameters(None) == []
