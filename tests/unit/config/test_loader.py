from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from lightspeed_core.config import ConfigError, ConfigProblem, load_configuration

from .helpers import load, minimal, problems


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_loads_a_file(tmp_path: Path) -> None:
    cfg = load_configuration(write(tmp_path, minimal()), environ={})
    assert cfg.name == "test"
    assert cfg.llama_stack.url == "http://localhost:8321"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_configuration(path)
    assert info.value.problems == [ConfigProblem(str(path), "file not found")]
    assert f"{path}: file not found" in str(info.value)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_configuration(tmp_path)
    assert "is a directory" in info.value.problems[0].message


def test_malformed_yaml_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nservice:\n  port: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_configuration(path)
    (problem,) = info.value.problems
    assert problem.path == str(path)
    assert problem.message.startswith("malformed YAML at line 4, column 1")


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nservice:\n  port: 1\n  port: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_configuration(path)
    assert "found duplicate key 'port'" in info.value.problems[0].message
    assert "line 4, column 3" in info.value.problems[0].message


@pytest.mark.parametrize(
    ("text", "fragment"), [("- a\n- b\n", "got a list"), ("42\n", "got a int")]
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_configuration(path)
    assert "top level must be a mapping" in info.value.problems[0].message
    assert fragment in info.value.problems[0].message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_configuration(path)
    assert info.value.problems[0].message == "the configuration is empty"


def test_all_unset_variables_are_reported_together() -> None:
    document = minimal(
        llama_stack={"url": "${env.LLAMA_URL}", "api_key": "${env.LLAMA_KEY}"},
        mcp_servers=[{"name": "a", "url": "${env.MCP_URL}"}],
    )
    found = problems(document, environ={"UNRELATED": "1"})
    assert found == [
        ConfigProblem(
            "llama_stack.url",
            "environment variable LLAMA_URL is not set (use ${env.LLAMA_URL:=default} to "
            "give a default)",
        ),
        ConfigProblem(
            "llama_stack.api_key",
            "environment variable LLAMA_KEY is not set (use ${env.LLAMA_KEY:=default} to "
            "give a default)",
        ),
        ConfigProblem(
            "mcp_servers[0].url",
            "environment variable MCP_URL is not set (use ${env.MCP_URL:=default} to "
            "give a default)",
        ),
    ]


def test_substituted_values_are_validated() -> None:
    document = minimal(
        service={"port": "${env.PORT}", "workers": "${env.WORKERS:=2}"},
        database={"postgres": {"db": "d", "user": "u", "password": "${env.PW}"}},
    )
    cfg = load(document, environ={"PORT": "9090", "PW": "123456"})
    assert cfg.service.port == 9090
    assert cfg.service.workers == 2
    assert cfg.database.postgres is not None
    assert cfg.database.postgres.password.get_secret_value() == "123456"


def test_empty_substitution_means_not_set() -> None:
    document = minimal(llama_stack={"url": "http://x:1", "api_key": "${env.KEY:=}"})
    assert load(document).llama_stack.api_key is None


def test_native_override_is_kept_raw() -> None:
    override = {"providers": {"inference": [{"config": {"api_key": "${env.NOT_SET}"}}]}}
    document = minimal(
        llama_stack={"use_as_library_client": True, "config": {"native_override": override}}
    )
    cfg = load(document)
    assert cfg.llama_stack.config is not None
    assert cfg.llama_stack.config.native_override == override


def test_relative_profile_resolves_against_the_config_directory(tmp_path: Path) -> None:
    document = minimal(
        llama_stack={"use_as_library_client": True, "config": {"profile": "profiles/run.yaml"}}
    )
    cfg = load_configuration(write(tmp_path, document), environ={})
    assert cfg.llama_stack.config is not None
    assert cfg.llama_stack.config.profile == tmp_path / "profiles" / "run.yaml"


def test_kubernetes_mcp_servers_are_dropped_without_a_k8s_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    servers = [
        {
            "name": "k8s",
            "url": "http://a",
            "authorization_headers": {"Authorization": "kubernetes"},
        },
        {"name": "client", "url": "http://b", "authorization_headers": {"Authorization": "client"}},
    ]
    with caplog.at_level(logging.WARNING):
        cfg = load(minimal(mcp_servers=servers))
    assert [server.name for server in cfg.mcp_servers] == ["client"]
    assert "mcp_servers[0] ('k8s') is ignored" in caplog.text

    kept = load(minimal(mcp_servers=servers, authentication={"module": "noop-with-token"}))
    assert [server.name for server in kept.mcp_servers] == ["k8s", "client"]


def test_config_error_str_lists_every_problem() -> None:
    error = ConfigError([ConfigProblem("a.b", "bad"), ConfigProblem("", "whole")], "f.yaml")
    assert str(error) == "invalid configuration in f.yaml (2 problems):\n  - a.b: bad\n  - whole"
