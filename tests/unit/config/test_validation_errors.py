"""Invalid documents produce problems at the YAML key path of the offending key."""

from __future__ import annotations

from lightspeed_core.config import ConfigProblem

from .helpers import minimal, problem_paths, problems


def test_unknown_key_names_path_and_allowed_keys() -> None:
    found = problems(minimal(service={"prot": 8080}))
    assert found == [
        ConfigProblem(
            "service.prot",
            "unknown key (allowed keys: host, port, base_url, auth_enabled, workers, color_log, "
            "access_log, tls_config, root_path, cors, max_request_body_bytes, "
            "request_body_timeout, shutdown_grace_period)",
        )
    ]


def test_unknown_key_inside_a_list_and_a_union_member() -> None:
    servers = [
        {"name": "a", "url": "http://a"},
        {"name": "b", "url": "http://b", "require_approval": {"always": [], "sometimes": []}},
    ]
    (problem,) = problems(minimal(mcp_servers=servers))
    assert problem.path == "mcp_servers[1].require_approval.sometimes"
    assert problem.message == "unknown key (allowed keys: always, never)"


def test_unknown_key_inside_a_discriminated_union() -> None:
    shields = [{"name": "s", "provider_id": "redaction", "config": {"rules": [], "mode": 1}}]
    (problem,) = problems(minimal(shields=shields))
    assert problem.path == "shields[0].config.mode"
    assert problem.message == "unknown key (allowed keys: rules, case_sensitive)"


def test_moved_top_level_key_gets_a_hint() -> None:
    (problem,) = problems(minimal(byok_rag=[]))
    assert problem.path == "byok_rag"
    assert "moved to rag.byok.stores" in problem.message


def test_missing_required_keys() -> None:
    found = problems({"service": {}})
    assert {p.path for p in found} == {"name", "llama_stack", "user_data_collection"}
    assert all(p.message == "required key is missing" for p in found)


def test_wrong_shape() -> None:
    (problem,) = problems(minimal(service=["a"]))
    assert problem == ConfigProblem("service", "expected a mapping of keys, got a list")


def test_several_problems_are_reported_together() -> None:
    paths = problem_paths(
        minimal(
            service={"port": -1, "root_path": "x/", "unknown": True},
            mcp_servers=[{"name": "a"}],
            quota_handlers={"scheduler": {"period": 0}},
        )
    )
    assert paths == [
        "service.port",
        "service.unknown",
        "mcp_servers[0].url",
        "quota_handlers.scheduler.period",
    ]


def test_union_value_of_wrong_type_gives_one_problem() -> None:
    stores = [{"rag_id": "a", "vector_db_id": "v", "db_path": "/a", "port": [1]}]
    (problem,) = problems(minimal(rag={"byok": {"stores": stores}}))
    assert problem == ConfigProblem(
        "rag.byok.stores[0].port",
        "Input should be a valid string or a valid integer, got a list",
    )


def test_mcp_servers_cannot_name_framing_or_hop_by_hop_headers() -> None:
    server = {
        "name": "a",
        "url": "http://a",
        "headers": ["x-rh-identity", "Host"],
        "authorization_headers": {"Transfer-Encoding": "client"},
        "client_headers": ["X-Tenant", "content-length"],
    }
    found = problems(minimal(mcp_servers=[server]))
    assert sorted(p.message for p in found) == [
        "'Host' cannot be sent to an MCP server",
        "'Transfer-Encoding' cannot be sent to an MCP server",
        "'content-length' cannot be sent to an MCP server",
    ]
