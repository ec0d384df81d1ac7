"""The numpy MiniLM encoder reproduces sentence-transformers (reference vectors in tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lightspeed_ogx.minilm.encoder import MiniLMEncoder

REFERENCE = Path(__file__).parents[2] / "data" / "minilm_reference.json"


def test_embeddings_equal_sentence_transformers() -> None:
    data = json.loads(REFERENCE.read_text())
    expected = np.array(data["embeddings"], dtype=np.float32)
    actual = MiniLMEncoder().encode(data["sentences"])
    assert actual.shape == expected.shape == (20, 384)
    assert float(np.abs(actual - expected).max()) <= 1e-5


def test_one_at_a_time_equals_batched() -> None:
    sentences = json.loads(REFERENCE.read_text())["sentences"][:4]
    encoder = MiniLMEncoder()
    batched = encoder.encode(sentences)
    single = np.concatenate([encoder.encode([s]) for s in sentences])
    assert float(np.abs(batched - single).max()) <= 1e-5
