"""The reference CLI's tools: -m/-gr, --synthesized-config-output, --migrate-config."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_core.config import load_configuration
from lightspeed_core.llm.runconfig.synthesize import build_run_config
from lightspeed_core.main import main
from lightspeed_core.schemas.groups import GROUPS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lightspeed-stack.yaml"
RUN_YAML: dict[str, Any] = {
    "version": 2,
    "distro_name": "legacy",
    "apis": ["inference", "responses"],
    "providers": {
        "inference": [
            {
                "provider_id": "openai",
                "provider_type": "remote::openai",
                "config": {"api_key": "${env.OPENAI_API_KEY:=}", "base_url": "http://h/v1"},
            }
        ]
    },
}


def test_help_explains_every_reference_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for flag in (
        "-m, --dump-models",
        "-gr GROUP, --dump-models-group GROUP",
        "--synthesized-config-output PATH",
        "--migrate-config",
        "--run-yaml FILE",
        "--migrate-output FILE",
        "-v, --verbose",
        "-c FILE, --config FILE",
        "lightspeed-stack",
        "SENTRY_DSN",
    ):
        assert flag in out, flag
    assert "conversation_summary, requests, successful_responses" in out.replace("\n", " ")


def test_dump_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["-m", "-c", str(EXAMPLE)]) == 0
    models = json.loads((tmp_path / "models.json").read_text())
    assert tuple(models) == GROUPS
    assert "QueryRequest" in models["requests"]
    assert "QueryResponse" in models["successful_responses"]
    assert "ErrorResponse" in models["error_responses"]
    assert models["requests"]["QueryRequest"]["properties"]["query"]["type"] == "string"


def test_dump_one_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["-m", "-gr", "error_responses", "-c", str(EXAMPLE)]) == 0
    models = json.loads((tmp_path / "models.json").read_text())
    assert list(models) == ["error_responses"]
    assert "HTTPValidationError" in models["error_responses"]


def test_an_unknown_group_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["-m", "-gr", "nope"])
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def test_synthesized_config_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTSPEED_CORE_DATA_DIR", str(tmp_path / "data"))
    config = tmp_path / "lightspeed-stack.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "name": "x",
                "service": {},
                "llama_stack": {"use_as_library_client": True, "config": {"baseline": "empty"}},
                "user_data_collection": {},
                "inference": {
                    "providers": [
                        {"type": "azure", "id": "azure", "extra": {"base_url": "https://a/v1"}}
                    ]
                },
                "azure_entra_id": {"tenant_id": "t", "client_id": "c", "client_secret": "s"},
            }
        )
    )
    output = tmp_path / "out" / "run.yaml"
    assert main(["-c", str(config), "--synthesized-config-output", str(output)]) == 0
    run = yaml.safe_load(output.read_text())
    azure = next(p for p in run["providers"]["inference"] if p["provider_id"] == "azure")
    assert azure["provider_type"] == "remote::azure"
    assert azure["config"]["model_validation"] is False
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_synthesis_refuses_server_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "name: x\nservice: {}\nllama_stack: {url: 'http://h:1'}\nuser_data_collection: {}\n"
    )
    assert main(["-c", str(config), "--synthesized-config-output", str(tmp_path / "r")]) == 1
    assert "server mode" in capsys.readouterr().err


def legacy(folder: Path) -> Path:
    (folder / "run.yaml").write_text(yaml.safe_dump(RUN_YAML))
    config = folder / "lightspeed-stack.yaml"
    config.write_text(
        "name: legacy\n"
        "service: {port: 8090}\n"
        "llama_stack: {use_as_library_client: true, library_client_config_path: run.yaml}\n"
        "user_data_collection: {feedback_enabled: false}\n"
        "inference: {default_provider: openai, default_model: gpt-4o-mini}\n"
    )
    return config


@pytest.mark.parametrize("explicit_run_yaml", [True, False])
def test_migrate_config(tmp_path: Path, explicit_run_yaml: bool) -> None:
    config = legacy(tmp_path)
    output = tmp_path / "migrated.yaml"
    argv = ["-c", str(config), "--migrate-config", "--migrate-output", str(output)]
    if explicit_run_yaml:
        argv += ["--run-yaml", str(tmp_path / "run.yaml")]
    assert main(argv) == 0
    raw = yaml.safe_load(output.read_text())
    assert raw["llama_stack"] == {
        "use_as_library_client": True,
        "config": {"baseline": "empty", "native_override": RUN_YAML},
    }
    assert raw["service"] == {"port": 8090}
    migrated = load_configuration(output, environ={})
    assert migrated.inference.default_model == "gpt-4o-mini"
    run, _ = build_run_config(migrated, tmp_path, tmp_path / "state", env={})
    assert run["providers"]["inference"] == RUN_YAML["providers"]["inference"]
    assert run["distro_name"] == "legacy"


def test_migrate_needs_an_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-c", str(legacy(tmp_path)), "--migrate-config"]) == 1
    assert "--migrate-output" in capsys.readouterr().err


def test_migrate_a_missing_run_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = legacy(tmp_path)
    argv = ["-c", str(config), "--migrate-config", "--migrate-output", str(tmp_path / "o.yaml")]
    assert main([*argv, "--run-yaml", str(tmp_path / "missing.yaml")]) == 1
    assert "missing.yaml" in capsys.readouterr().err
