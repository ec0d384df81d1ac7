"""Fixtures of the llama.cpp provider tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lightspeed_ogx.llamacpp.config import LlamaCppInferenceConfig
from lightspeed_ogx.llamacpp.impl import LlamaCppInference

from .chat import Make
from .fakes import FakeTokenModel


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """Build providers on fake models (never ``initialize()``); shut them all down after."""
    made: list[LlamaCppInference] = []

    def build(model: FakeTokenModel | None, **config: Any) -> LlamaCppInference:
        impl = LlamaCppInference(LlamaCppInferenceConfig(**config))
        impl._llm = model
        made.append(impl)
        return impl

    yield build
    for impl in made:
        await impl.shutdown()
