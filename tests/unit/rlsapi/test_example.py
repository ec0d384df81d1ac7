"""``examples/lightspeed-stack-rlsapi-cla.yaml`` loads and its prompt template renders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lightspeed_core.config import load_configuration
from lightspeed_core.config.inactive import inactive_settings
from lightspeed_core.rlsapi.prompt import render_system_prompt
from lightspeed_core.schemas.rlsapi import RlsapiV1SystemInfo

EXAMPLE = Path(__file__).parents[3] / "examples" / "lightspeed-stack-rlsapi-cla.yaml"


def test_example_loads_and_renders() -> None:
    config = load_configuration(EXAMPLE, environ={})
    assert config.rlsapi_v1.quota_subject == "org_id"
    assert inactive_settings(config) == []
    assert config.customization is not None
    template = config.customization.system_prompt
    assert template is not None
    info = RlsapiV1SystemInfo(os="", version="9.4", arch="x86_64")
    rendered = render_system_prompt(template, info, datetime(2026, 12, 7, tzinfo=UTC))
    assert "Today is 2026-12-07. The user runs RHEL 9.4 on x86_64." in rendered
