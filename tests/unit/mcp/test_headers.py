"""MCP header resolution: MCP-HEADERS parsing, merge order, secret files, OGX tool shape."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.errors import BadRequestError
from lightspeed_core.mcp.base import McpServerSpec, loggable_url
from lightspeed_core.mcp.headers import (
    SecretFiles,
    bearer_token,
    describe_missing,
    ogx_tool,
    parse_client_headers,
    resolve_headers,
)


def _resolve(
    server: McpServerSpec,
    tmp_path: Path,
    *,
    client: dict[str, dict[str, str]] | None = None,
    token: str = "",
    incoming: dict[str, str] | None = None,
) -> dict[str, str] | tuple[str, ...]:
    resolution = resolve_headers(
        server,
        client=client or {},
        secrets=SecretFiles(tmp_path),
        caller_token=token,
        incoming=incoming or {},
    )
    return resolution.headers if resolution.resolved else resolution.missing


def test_parse_client_headers() -> None:
    raw = '{"github": {"Authorization": "Bearer x"}, "bad": {"a": 1}, "worse": "x"}'
    assert parse_client_headers(raw) == {"github": {"Authorization": "Bearer x"}}
    assert parse_client_headers(None) == {}
    assert parse_client_headers("not json") == {}
    assert parse_client_headers("[1, 2]") == {}


def test_invalid_mcp_headers_are_logged_without_values(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parse_client_headers('{"s": {"Authorization": 5}}  trailing-secret')
        parse_client_headers('{"s": {"Authorization": 5}}')
    assert "trailing-secret" not in caplog.text
    assert "ignoring" in caplog.text


def test_each_source_alone(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("  file-token \n")
    server = McpServerSpec(
        "s",
        "http://127.0.0.1/mcp",
        authorization_headers={"Authorization": "token", "X-Kube": "kubernetes"},
        headers=("x-rh-identity",),
    )
    headers = _resolve(server, tmp_path, token="kube", incoming={"X-RH-Identity": "id"})
    assert headers == {
        "x-rh-identity": "id",
        "X-Kube": "Bearer kube",
        "Authorization": "Bearer file-token",
    }


def test_merge_order_client_over_file_over_propagated(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("from-file")
    server = McpServerSpec(
        "s",
        "http://127.0.0.1/mcp",
        authorization_headers={"X-Secret": "secret", "X-Kube": "kubernetes"},
        headers=("x-secret", "x-kube", "x-plain"),
    )
    incoming = {"x-secret": "from-request", "x-kube": "from-request", "x-plain": "p"}
    headers = _resolve(server, tmp_path, token="tok", incoming=incoming)
    assert headers == {"X-Secret": "from-file", "X-Kube": "Bearer tok", "x-plain": "p"}
    client = {"s": {"x-secret": "from-client", "X-KUBE": "from-client"}}
    headers = _resolve(server, tmp_path, token="tok", incoming=incoming, client=client)
    assert headers == {"x-secret": "from-client", "X-KUBE": "from-client", "x-plain": "p"}


def test_client_entry_by_url(tmp_path: Path) -> None:
    server = McpServerSpec("s", "http://h/mcp", authorization_headers={"Authorization": "client"})
    client = {"http://h/mcp": {"Authorization": "Bearer c"}}
    assert _resolve(server, tmp_path, client=client) == {"Authorization": "Bearer c"}


def test_unresolved_sources(tmp_path: Path) -> None:
    server = McpServerSpec(
        "s",
        "http://h/mcp",
        authorization_headers={"A": "client", "B": "kubernetes", "C": "missing-file", "D": "oauth"},
    )
    resolution = resolve_headers(
        server, client={}, secrets=SecretFiles(tmp_path), caller_token="", incoming={}
    )
    assert resolution.missing == ("A", "B", "C")  # oauth is the probe's business
    assert resolution.needs_oauth
    reason = describe_missing(resolution)
    assert "A (client value not supplied" in reason
    assert "B (the caller has no token" in reason
    assert "C (secret file missing" in reason


def test_empty_secret_file_is_unresolved(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    server = McpServerSpec("s", "http://h/mcp", authorization_headers={"Authorization": "empty"})
    assert _resolve(server, tmp_path) == ("Authorization",)


def test_secret_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    secrets = SecretFiles(tmp_path)
    path = tmp_path / "s"
    path.write_text("one")
    assert secrets.value("s") == "one"
    assert secrets.value(str(path)) == "one"  # absolute paths work too
    path.write_text("two, longer")
    assert secrets.value("s") == "two, longer"
    replacement = tmp_path / "s.new"  # rotation by rename (new inode), same size and time
    replacement.write_text("new, longer")
    stat = path.stat()
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    replacement.replace(path)
    assert secrets.value("s") == "new, longer"
    path.unlink()
    assert secrets.value("s") is None


def test_bearer_token() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("abc") == "abc"
    assert bearer_token("Basic dXNlcg==") is None
    assert bearer_token("") is None


def test_ogx_tool_moves_authorization_out_of_headers(tmp_path: Path) -> None:
    server = McpServerSpec(
        "s",
        "http://h/mcp",
        authorization_headers={"Authorization": "client"},
        headers=("x-id",),
        require_approval="never",
    )
    resolution = resolve_headers(
        server,
        client={"s": {"authorization": "tok"}},
        secrets=SecretFiles(tmp_path),
        caller_token="",
        incoming={"x-id": "1"},
    )
    assert resolution.headers == {"authorization": "Bearer tok", "x-id": "1"}
    assert ogx_tool(resolution) == {
        "type": "mcp",
        "server_label": "s",
        "server_url": "http://h/mcp",
        "require_approval": "never",
        "headers": {"x-id": "1"},
        "authorization": "tok",
    }


def test_ogx_tool_refuses_other_schemes(tmp_path: Path) -> None:
    server = McpServerSpec("s", "http://h/mcp")
    resolution = resolve_headers(
        server,
        client={"s": {"Authorization": "Basic abc"}},
        secrets=SecretFiles(tmp_path),
        caller_token="",
        incoming={},
    )
    assert resolution.headers == {"Authorization": "Basic abc"}
    assert ogx_tool(resolution) is None


def test_loggable_url_drops_credentials() -> None:
    assert loggable_url("https://user:pw@mcp.example.com:8443/mcp?key=s#f") == (
        "https://mcp.example.com:8443/mcp"
    )
    assert loggable_url("http://[::1]:9/sse") == "http://[::1]:9/sse"


def _client_resolution(server: McpServerSpec, tmp_path: Path, entry: dict[str, str]) -> Any:
    return resolve_headers(
        server, client={"s": entry}, secrets=SecretFiles(tmp_path), caller_token="", incoming={}
    )


def test_client_may_set_authorization_and_named_headers_only(tmp_path: Path) -> None:
    server = McpServerSpec(
        "s",
        "http://h/mcp",
        authorization_headers={"X-Api-Key": "client"},
        headers=("x-rh-identity",),
        client_headers=("X-Tenant",),
    )
    allowed = {"authorization": "t", "x-api-key": "k", "x-tenant": "acme"}
    assert _client_resolution(server, tmp_path, allowed).headers == {
        "authorization": "Bearer t",
        "x-api-key": "k",
        "x-tenant": "acme",
    }
    for name in ("X-RH-Identity", "X-Other"):  # a forwarded header is not client-settable
        with pytest.raises(BadRequestError) as refused:
            _client_resolution(server, tmp_path, {name: "spoofed"})
        assert refused.value.response == "Invalid MCP-HEADERS"
        assert f"'{name}' may not be set by the client" in refused.value.cause
        assert "spoofed" not in refused.value.cause


@pytest.mark.parametrize(
    "name", ["Host", "content-length", "Transfer-Encoding", "Connection", "TE", "bad name", ""]
)
def test_framing_and_hop_by_hop_headers_are_refused(tmp_path: Path, name: str) -> None:
    server = McpServerSpec("s", "http://h/mcp", client_headers=("host",))
    with pytest.raises(BadRequestError) as refused:
        _client_resolution(server, tmp_path, {name: "evil.example"})
    assert "cannot be sent to an MCP server" in refused.value.cause


@pytest.mark.parametrize("value", ["caf\u00e9 ok", "tab\tok"])
def test_latin1_values_are_accepted(tmp_path: Path, value: str) -> None:
    server = McpServerSpec("s", "http://h/mcp", client_headers=("x-note",))
    assert _client_resolution(server, tmp_path, {"x-note": value}).headers == {"x-note": value}


@pytest.mark.parametrize("value", ["\u20ac", "a\r\nInjected: 1", "nul\x00", "x" * 8193])
def test_invalid_values_are_refused_without_echo(tmp_path: Path, value: str) -> None:
    server = McpServerSpec("s", "http://h/mcp", client_headers=("x-note",))
    with pytest.raises(BadRequestError) as refused:
        _client_resolution(server, tmp_path, {"x-note": value})
    assert "the value of 'x-note'" in refused.value.cause
    assert value not in refused.value.cause
