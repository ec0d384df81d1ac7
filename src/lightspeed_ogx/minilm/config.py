"""Configuration of the MiniLM embedding provider."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class MiniLMEmbeddingConfig(BaseModel):
    """Settings of the ``inline::lightspeed-minilm`` provider."""

    model_dir: str | None = Field(default=None, description="Model folder; unset = bundled MiniLM.")
    model_id: str = Field(default="all-MiniLM-L6-v2", description="Model id the provider lists.")

    @classmethod
    def sample_run_config(cls, **_: Any) -> dict[str, Any]:
        """Return the run-config snippet OGX shows for this provider."""
        return {"model_dir": ""}
