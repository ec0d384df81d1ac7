"""``model_validation: false`` for ``remote::azure`` when Entra ID provides the keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.runconfig.migrate import migrate_configuration
from lightspeed_core.llm.runconfig.synthesize import (
    build_run_config,
    disable_azure_model_validation,
)


def base(**extra: Any) -> dict[str, Any]:
    return {
        "name": "x",
        "service": {},
        "llama_stack": {"use_as_library_client": True, "config": {"baseline": "empty"}},
        "user_data_collection": {},
        "inference": {
            "providers": [
                {"type": "azure", "id": "corp", "extra": {"base_url": "https://a/v1"}},
                {"type": "openai", "id": "openai", "api_key_env": "K"},
            ]
        },
        **extra,
    }


def providers(data: dict[str, Any], tmp_path: Path) -> dict[str, dict[str, Any]]:
    run, _ = build_run_config(configuration_from_data(data), tmp_path, tmp_path / "s", env={})
    return {p["provider_id"]: p["config"] for p in run["providers"]["inference"]}


def test_only_with_entra_id_and_only_azure(tmp_path: Path) -> None:
    entra = {"tenant_id": "t", "client_id": "c", "client_secret": "s"}
    with_entra = providers(base(azure_entra_id=entra), tmp_path)
    assert with_entra["corp"]["model_validation"] is False
    assert "model_validation" not in with_entra["openai"]
    assert "model_validation" not in providers(base(), tmp_path)["corp"]


def test_registered_azure_models_too() -> None:
    run: dict[str, Any] = {
        "providers": {"inference": [{"provider_id": "az", "provider_type": "remote::azure"}]},
        "registered_resources": {
            "models": [
                {"model_id": "gpt", "provider_id": "az"},
                {"model_id": "other", "provider_id": "openai"},
            ]
        },
    }
    disable_azure_model_validation(run)
    assert run["providers"]["inference"][0]["config"] == {"model_validation": False}
    models = run["registered_resources"]["models"]
    assert models[0]["model_validation"] is False
    assert "model_validation" not in models[1]


def test_migration_keeps_the_rest_and_drops_the_legacy_path() -> None:
    config: dict[str, Any] = {
        "name": "x",
        "llama_stack": {"use_as_library_client": True, "library_client_config_path": "r.yaml"},
        "service": {"port": 1},
    }
    run = {"version": 2, "providers": {}}
    migrated = migrate_configuration(config, run)
    assert migrated["llama_stack"] == {
        "use_as_library_client": True,
        "config": {"baseline": "empty", "native_override": run},
    }
    assert migrated["service"] == {"port": 1}
    assert config["llama_stack"]["library_client_config_path"] == "r.yaml"  # not modified


def test_the_example_synthesises_an_azure_run_config(tmp_path: Path) -> None:
    from lightspeed_core.config import load_configuration

    examples = Path(__file__).resolve().parents[3] / "examples"
    environ = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"}
    config = load_configuration(examples / "lightspeed-stack-azure-entraid.yaml", environ=environ)
    assert config.azure_entra_id is not None
    run, _ = build_run_config(config, examples, tmp_path, env=environ)
    azure = next(p for p in run["providers"]["inference"] if p["provider_id"] == "azure")
    assert azure["config"]["model_validation"] is False
    model = next(m for m in run["registered_resources"]["models"] if m["model_id"] == "gpt-4o-mini")
    assert model["model_validation"] is False
