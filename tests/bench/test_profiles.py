"""``bench.profiles``: the production-shaped profile is written with every placeholder filled."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bench.profiles import PLACEHOLDER, render, write_profile

from lightspeed_core.config import load_configuration
from lightspeed_core.llm.runconfig.synthesize import build_run_config


def test_render_fills_placeholders_and_refuses_unknown_ones() -> None:
    assert render("a {{X}} b ${env.Y:=z}", {"X": "1"}) == "a 1 b ${env.Y:=z}"
    with pytest.raises(KeyError, match="MISSING"):
        render("{{MISSING}}", {})


def test_production_profile_is_written_into_the_folder(tmp_path: Path) -> None:
    config = write_profile(
        "production", tmp_path, backend="http://127.0.0.1:9/v1", port=1234, workers=2
    )
    service = yaml.safe_load(config.read_text())
    run = yaml.safe_load((tmp_path / "run.yaml").read_text())
    assert not PLACEHOLDER.search(config.read_text() + (tmp_path / "run.yaml").read_text())
    assert service["service"]["port"] == 1234
    assert service["service"]["workers"] == 2
    assert service["llama_stack"]["library_client_config_path"] == "run.yaml"
    assert service["conversation_cache"]["sqlite"]["db_path"].startswith(str(tmp_path))
    assert run["providers"]["inference"][0]["config"]["base_url"] == "http://127.0.0.1:9/v1"
    assert run["storage"]["backends"]["sql_default"]["db_path"].startswith(str(tmp_path))
    assert run["vector_stores"]["default_embedding_model"]["model_id"] == "all-MiniLM-L6-v2"


def test_production_profile_loads_in_the_service(tmp_path: Path) -> None:
    path = write_profile("production", tmp_path, backend="http://127.0.0.1:9/v1")
    config = load_configuration(path)
    assert config.user_data_collection.transcripts_enabled
    assert config.user_data_collection.feedback_enabled
    run, _ = build_run_config(config, tmp_path, tmp_path / "state")
    assert set(run["apis"]) >= {"responses", "conversations", "files", "file_processors"}
    # the service keeps the profile's stores but turns OGX's inference log off
    assert run["storage"]["stores"]["inference"]["enabled"] is False
