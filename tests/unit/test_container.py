"""``Services.pipeline_ports()``: the pipeline's view of the container."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lightspeed_core.config.models.inference import InferenceConfiguration
from lightspeed_core.container import BackendState
from lightspeed_core.testing.fake_llm import FakeLLM
from lightspeed_core.testing.fakes import RecordingQuota
from lightspeed_core.testing.services import fake_services


async def test_pipeline_ports_carry_the_services_and_the_inference_settings(
    tmp_path: Path,
) -> None:
    llm, quota = FakeLLM(), RecordingQuota()
    services = fake_services(tmp_path, llm=llm, quota=quota)
    inference = InferenceConfiguration.model_validate(
        {
            "default_provider": "p",
            "default_model": "m",
            "max_infer_iters": 3,
            "context_windows": {"p/m": 1000},
        }
    )
    services = replace(
        services,
        config=services.config.model_copy(update={"inference": inference}),
        backend_state=BackendState("1", degraded=False, preferred_model="p/pref"),
    )
    ports = services.pipeline_ports()
    assert ports.llm is llm
    assert ports.quota is quota
    assert ports.conversations is services.conversations
    assert ports.settings.default_model == ("p", "m")
    assert ports.settings.preferred_model == "p/pref"
    assert ports.settings.max_infer_iters == 3
    assert dict(ports.settings.context_windows) == {"p/m": 1000}
    assert ports.settings.default_output_tokens == (
        services.config.quota_handlers.default_output_tokens
    )
    await services.database.dispose()
