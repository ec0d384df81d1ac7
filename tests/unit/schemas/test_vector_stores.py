"""Chunking strategies are checked at the edge (OGX answered ``{}`` with a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lightspeed_core.schemas.vector_stores import (
    VectorStoreCreateRequest,
    VectorStoreFileCreateRequest,
)

GOOD: list[dict[str, Any]] = [
    {"type": "auto"},
    {"type": "static", "static": {"max_chunk_size_tokens": 512, "chunk_overlap_tokens": 50}},
    {"type": "static", "static": {}},
    {"type": "contextual", "contextual": {"model_id": "m"}},
]
BAD: list[dict[str, Any]] = [
    {},
    {"type": "fixed", "chunk_size": 512},
    {"type": "static"},
    {"type": "static", "static": {"max_chunk_size_tokens": 50}},
    {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 200}},
    {"type": "auto", "extra": 1},
]


@pytest.mark.parametrize("strategy", GOOD)
def test_strategies_ogx_accepts_pass_unchanged(strategy: dict[str, Any]) -> None:
    assert VectorStoreCreateRequest(name="s", chunking_strategy=strategy).chunking_strategy == (
        strategy
    )
    attach = VectorStoreFileCreateRequest(file_id="f", chunking_strategy=strategy)
    assert attach.chunking_strategy == strategy


@pytest.mark.parametrize("strategy", BAD)
def test_other_strategies_are_validation_errors(strategy: dict[str, Any]) -> None:
    for build in (
        lambda: VectorStoreCreateRequest(name="s", chunking_strategy=strategy),
        lambda: VectorStoreFileCreateRequest(file_id="f", chunking_strategy=strategy),
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert "chunking_strategy must be" in str(info.value)
