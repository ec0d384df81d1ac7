"""The ``lightspeed-core`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lightspeed_core.main import build_parser, main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lightspeed-stack.yaml"


def test_help_explains_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for needle in (
        "--config",
        "--dump-configuration",
        "--dump-schema",
        "config check",
        "OPENAI_API_KEY",
    ):
        assert needle in out


def test_config_check_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(EXAMPLE)]) == 0
    assert "configuration is valid" in capsys.readouterr().out


def test_byok_okp_example_is_valid_without_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    example = EXAMPLE.parent / "lightspeed-stack-byok-okp-rag.yaml"
    assert main(["config", "check", str(example)]) == 0
    out = capsys.readouterr().out
    assert "configuration is valid" in out
    assert "warning" not in out


def test_config_check_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nservice: {port: 70000, bogus: 1}\nllama_stack: {url: 'http://h:1'}\n"
        "user_data_collection: {}\n"
    )
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "service.port" in out
    assert "service.bogus" in out


def test_config_check_reports_a_reranker_without_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    path = tmp_path / "rerank.yaml"
    path.write_text(
        "name: x\nservice: {}\nllama_stack: {url: 'http://h:1'}\nuser_data_collection: {}\n"
        "rag: {retrieval: {inline: {reranker: {enabled: true}}}}\n"
    )
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "rag.retrieval.inline.reranker.model: the weights of the cross-encoder" in out


def test_config_check_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    assert main(["config", "check", str(path)]) == 1
    assert "line" in capsys.readouterr().out


def test_config_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(tmp_path / "nope.yaml")]) == 1
    assert "not found" in capsys.readouterr().out


def test_config_check_unset_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LSC_TEST_UNSET_URL", raising=False)
    path = tmp_path / "env.yaml"
    path.write_text(
        "name: x\nservice: {}\nllama_stack: {url: '${env.LSC_TEST_UNSET_URL}'}\n"
        "user_data_collection: {}\n"
    )
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "llama_stack.url" in out
    assert "LSC_TEST_UNSET_URL" in out


def test_dump_configuration_masks_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "c.yaml"
    path.write_text(
        "name: x\nservice: {}\nllama_stack: {url: 'http://h:1', api_key: supersecret}\n"
        "user_data_collection: {}\n"
    )
    assert main(["-d", "-c", str(path)]) == 0
    dumped = (tmp_path / "configuration.json").read_text()
    assert "supersecret" not in dumped
    assert json.loads(dumped)["llama_stack"]["api_key"] == "**********"


def test_dump_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["-s"]) == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert "service" in schema["properties"]


def test_parser_defaults() -> None:
    args = build_parser().parse_args([])
    assert args.config is None
    assert args.command is None
