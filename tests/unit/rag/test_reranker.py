"""The inline reranker: local weights only, refused when enabled without them.

No package carries a cross-encoder's weights: the one under test is built by
``tests.support.cross_encoder`` (Hugging Face's layout, random classifier).
"""

from __future__ import annotations

import logging
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.config.models.rag import RagConfiguration
from lightspeed_core.rag.base import Chunk
from lightspeed_core.rag.reranker import (
    CrossEncoderReranker,
    RerankerUnavailableError,
    build_reranker,
    find_weights,
    reranker_wanted,
)
from lightspeed_ogx.minilm.cross import MiniLMCrossEncoder
from lightspeed_ogx.minilm.encoder import bundled_model_dir
from tests.support.cross_encoder import build_cross_encoder

MODEL = "cross-encoder/ms-marco-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cross_encoder(tmp_path_factory.mktemp("cross-encoder"))


def _rag(**inline: Any) -> RagConfiguration:
    store = {"rag_id": "docs", "vector_db_id": "vs", "db_path": "/x"}
    return RagConfiguration.model_validate(
        {"byok": {"stores": [store]}, "retrieval": {"inline": inline}}
    )


@pytest.mark.parametrize(
    ("inline", "wanted"),
    [
        ({"sources": ["docs"]}, (False, False, MODEL)),
        ({"sources": ["okp"]}, (False, False, MODEL)),
        ({"sources": ["docs", "okp"]}, (True, False, MODEL)),  # auto-enabled
        ({"sources": ["docs", "okp"], "reranker": {"enabled": False}}, (False, True, MODEL)),
        ({"reranker": {"enabled": True, "model": "/m"}}, (True, True, "/m")),
    ],
)
def test_when_the_reranker_is_on(inline: dict[str, Any], wanted: tuple[bool, bool, str]) -> None:
    assert reranker_wanted(_rag(**inline)) == wanted


def test_weights_are_found_in_a_folder_or_the_hugging_face_cache(
    cross_encoder_dir: Path, tmp_path: Path
) -> None:
    assert find_weights(str(cross_encoder_dir), {}) == cross_encoder_dir
    assert find_weights(cross_encoder_dir.name, {}, cross_encoder_dir.parent) == cross_encoder_dir
    assert find_weights(MODEL, {"HOME": str(tmp_path)}) is None
    repo = tmp_path / "hub" / "models--cross-encoder--ms-marco-MiniLM-L6-v2"
    snapshot = repo / "snapshots" / "abc123"
    shutil.copytree(cross_encoder_dir, snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123\n")
    assert find_weights(MODEL, {"HF_HOME": str(tmp_path)}) == snapshot
    assert find_weights(MODEL, {"HF_HUB_CACHE": str(tmp_path / "hub")}) == snapshot


async def test_enabled_without_weights_refuses_to_start(tmp_path: Path) -> None:
    config = _rag(sources=["docs"], reranker={"enabled": True})
    with pytest.raises(RerankerUnavailableError) as caught:
        await build_reranker(config, {"HOME": str(tmp_path)})
    message = str(caught.value)
    assert (
        "rag.retrieval.inline.reranker is enabled but the weights of the cross-encoder" in message
    )
    assert "cross-encoder/ms-marco-MiniLM-L6-v2" in message
    assert str(tmp_path / ".cache" / "huggingface" / "hub") in message


async def test_auto_enabled_without_weights_warns_and_keeps_the_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert await build_reranker(_rag(sources=["docs", "okp"]), {"HOME": str(tmp_path)}) is None
    assert "enabled automatically (BYOK and OKP inline)" in caplog.text


async def test_a_folder_without_a_classifier_is_refused(tmp_path: Path) -> None:
    source = bundled_model_dir()
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        shutil.copy(source / name, tmp_path / name)  # an embedding model, no classifier
    config = _rag(reranker={"enabled": True, "model": str(tmp_path)})
    with pytest.raises(RerankerUnavailableError, match="holds no cross-encoder head"):
        await build_reranker(config, {})


def test_scores_do_not_depend_on_the_batch(cross_encoder_dir: Path) -> None:
    encoder = MiniLMCrossEncoder(cross_encoder_dir)
    alone = encoder.score("how to install", ["run the installer"])
    padded = encoder.score("how to install", ["run the installer", "a much longer passage " * 20])
    assert alone[0] == pytest.approx(padded[0], abs=1e-5)
    assert padded[0] != pytest.approx(padded[1], abs=1e-3)


async def test_chunks_are_ordered_by_cross_encoder_score(cross_encoder_dir: Path) -> None:
    config = _rag(reranker={"enabled": True, "model": str(cross_encoder_dir)})
    reranker = await build_reranker(config, {})
    assert isinstance(reranker, CrossEncoderReranker)
    texts = ["install the operator", "bananas are yellow", "reboot the node", "kernel panic"]
    chunks = [Chunk(t, "docs", 0.5, {"title": t}) for t in texts]
    ranked = await reranker.rerank("how do I install an operator?", chunks)
    logits = MiniLMCrossEncoder(cross_encoder_dir).score("how do I install an operator?", texts)
    expected = sorted(zip(texts, logits, strict=True), key=lambda pair: -pair[1])
    assert [c.content for c in ranked] == [t for t, _ in expected]
    assert [c.score for c in ranked] == pytest.approx(
        [1 / (1 + math.exp(-float(logit))) for _, logit in expected], abs=1e-6
    )
    assert ranked[0].attributes == {"title": ranked[0].content}
