"""The run config never lets OGX keep every prompt and answer in its inference store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.runconfig.synthesize import build_run_config

BASE: dict[str, Any] = {
    "name": "t",
    "service": {},
    "user_data_collection": {},
    "inference": {"providers": [{"type": "openai", "id": "stub", "api_key_env": "K"}]},
}
PROFILE: dict[str, Any] = {
    "version": 2,
    "apis": ["inference"],
    "storage": {
        "backends": {"sql_default": {"type": "sql_sqlite", "db_path": "/var/ogx/sql.db"}},
        "stores": {"inference": {"backend": "sql_default", "table_name": "inference_store"}},
    },
}


def _run(tmp_path: Path, stack: dict[str, Any]) -> dict[str, Any]:
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(PROFILE))
    data = {**BASE, "llama_stack": {"use_as_library_client": True, **stack}}
    if "library_client_config_path" in stack:  # the legacy form takes no unified inputs
        data.pop("inference")
    config = configuration_from_data(data, base_dir=tmp_path)
    run, _ = build_run_config(config, tmp_path, tmp_path / "state", env={})
    return run


@pytest.mark.parametrize(
    "stack",
    [
        {"config": {"baseline": "empty"}},
        {"config": {"baseline": "default"}},
        {"config": {"profile": "run.yaml"}},
        {"library_client_config_path": "run.yaml"},
    ],
    ids=["empty", "default", "profile", "legacy-path"],
)
def test_inference_store_is_disabled(tmp_path: Path, stack: dict[str, Any]) -> None:
    store = _run(tmp_path, stack)["storage"]["stores"]["inference"]
    assert store["enabled"] is False
    assert store["backend"] == "sql_default"  # OGX refuses to start without the reference


def test_profile_store_disabled_is_logged_with_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "lightspeed_core.llm.runconfig.retention"):
        _run(tmp_path, {"config": {"profile": "run.yaml"}})
    assert str(tmp_path / "run.yaml") in caplog.text
    assert "'inference_store'" in caplog.text


def test_native_override_may_keep_it_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    override = {"storage": {"stores": {"inference": {"enabled": True}}}}
    with caplog.at_level(logging.WARNING, "lightspeed_core.llm.runconfig.retention"):
        run = _run(tmp_path, {"config": {"profile": "run.yaml", "native_override": override}})
    assert run["storage"]["stores"]["inference"]["enabled"] is True
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "every prompt and answer" in record.getMessage()


def test_other_stores_are_untouched(tmp_path: Path) -> None:
    stores = _run(tmp_path, {"config": {"profile": "run.yaml"}})["storage"]["stores"]
    assert stores["inference"] == {
        "backend": "sql_default",
        "table_name": "inference_store",
        "enabled": False,
    }
    assert "enabled" not in stores["conversations"]
