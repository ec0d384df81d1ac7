"""Library mode's run config always gives OGX a prompts store (``/v1/prompts`` needs it)."""

from __future__ import annotations

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


@pytest.mark.parametrize("baseline", ["empty", "default", "profile"])
def test_prompts_store_is_configured(tmp_path: Path, baseline: str) -> None:
    stack: dict[str, Any] = {"use_as_library_client": True, "config": {"baseline": baseline}}
    if baseline == "profile":
        (tmp_path / "run.yaml").write_text(yaml.safe_dump({"version": 2, "apis": ["inference"]}))
        stack["config"] = {"profile": "run.yaml"}
    config = configuration_from_data({**BASE, "llama_stack": stack}, base_dir=tmp_path)
    run, _ = build_run_config(config, tmp_path, tmp_path / "state", env={})
    store = run["storage"]["stores"]["prompts"]
    assert store == {"backend": "sql_default", "table_name": "prompts"}
    assert store["backend"] in run["storage"]["backends"]
