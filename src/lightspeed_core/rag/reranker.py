"""Cross-encoder reranking of inline RAG chunks (``rag.retrieval.inline.reranker``).

As in the reference: when enabled, every chunk retrieved inline (BYOK and OKP) is scored
against the question by a cross-encoder, default ``cross-encoder/ms-marco-MiniLM-L6-v2``,
the chunks are re-ordered by that score and ``rag.retrieval.inline.max_chunks`` kept. With no
``reranker`` block it is enabled automatically when the inline sources mix BYOK stores and
``okp`` (their scores are not comparable).

No package carries a cross-encoder's weights, and nothing is downloaded: ``model`` is a local
folder (``config.json``, ``model.safetensors``, ``tokenizer.json``) or a Hugging Face model id
found in the local Hugging Face cache (``$HF_HUB_CACHE``, ``$HF_HOME/hub``,
``~/.cache/huggingface/hub`` - where lightspeed-stack's sentence-transformers put it).
Explicitly enabled without the weights, the service refuses to start
(:class:`RerankerUnavailableError`); automatically enabled, it logs a warning and keeps the
search order. The model runs in numpy (:class:`~lightspeed_ogx.minilm.cross.MiniLMCrossEncoder`,
BERT/MiniLM architectures).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from lightspeed_core.config.models.rag import OKP_SOURCE_ID, RagConfiguration
from lightspeed_core.rag.base import Chunk

log = logging.getLogger(__name__)

DEFAULT_MODEL = "cross-encoder/ms-marco-MiniLM-L6-v2"
WEIGHT_FILES = ("config.json", "model.safetensors", "tokenizer.json")


class RerankerUnavailableError(RuntimeError):
    """The configuration enables the reranker but its weights are not on this machine."""


class Reranker(Protocol):
    """Re-orders chunks by their relevance to the question."""

    async def rerank(self, query: str, chunks: list[Chunk]) -> list[Chunk]:
        """``chunks`` best first, each with its reranking score."""
        ...


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in WEIGHT_FILES)


def hub_caches(env: Mapping[str, str]) -> list[Path]:
    """Where Hugging Face caches models, in the order its libraries look."""
    caches = []
    if env.get("HF_HUB_CACHE"):
        caches.append(Path(env["HF_HUB_CACHE"]))
    if env.get("HF_HOME"):
        caches.append(Path(env["HF_HOME"]) / "hub")
    home = env.get("HOME")
    if home:
        caches.append(Path(home) / ".cache" / "huggingface" / "hub")
    return caches


def find_weights(model: str, env: Mapping[str, str], base: Path | None = None) -> Path | None:
    """The folder with ``model``'s weights, ``None`` when it is not on this machine.

    ``model`` is a folder (relative ones against ``base``, the configuration's folder) or a
    Hugging Face model id looked up in the local Hugging Face cache.
    """
    path = Path(model).expanduser()
    if not path.is_absolute() and base is not None and (base / path).is_dir():
        path = base / path
    if path.is_dir():
        return path if _complete(path) else None
    repo = "models--" + model.replace("/", "--")
    for cache in hub_caches(env):
        snapshots = cache / repo / "snapshots"
        ref = cache / repo / "refs" / "main"
        if ref.is_file() and _complete(snapshots / ref.read_text().strip()):
            return snapshots / ref.read_text().strip()
        if snapshots.is_dir():
            for snapshot in sorted(snapshots.iterdir()):
                if _complete(snapshot):
                    return snapshot
    return None


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


class CrossEncoderReranker:
    """A local cross-encoder, run in a worker thread."""

    def __init__(self, encoder: Any, model: str) -> None:
        self._encoder = encoder
        self.model = model

    @classmethod
    async def load(cls, folder: Path, model: str) -> CrossEncoderReranker:
        """Read the weights (in a thread: about a second)."""
        from lightspeed_ogx.minilm.cross import MiniLMCrossEncoder

        return cls(await asyncio.to_thread(MiniLMCrossEncoder, folder), model)

    async def rerank(self, query: str, chunks: list[Chunk]) -> list[Chunk]:
        if not chunks:
            return []
        logits = await asyncio.to_thread(self._encoder.score, query, [c.content for c in chunks])
        scored = [
            replace(chunk, score=_sigmoid(float(logit)))
            for chunk, logit in zip(chunks, logits, strict=True)
        ]
        return sorted(scored, key=lambda chunk: chunk.score or 0.0, reverse=True)


def reranker_wanted(config: RagConfiguration) -> tuple[bool, bool, str]:
    """``(enabled, explicitly, model)`` for inline retrieval."""
    inline = config.retrieval.inline
    setting = inline.reranker
    if setting is not None:
        return setting.enabled, True, setting.model
    mixed = OKP_SOURCE_ID in inline.sources and any(s != OKP_SOURCE_ID for s in inline.sources)
    return mixed, False, DEFAULT_MODEL


async def build_reranker(
    config: RagConfiguration, env: Mapping[str, str], base: Path | None = None
) -> Reranker | None:
    """The inline reranker the configuration asks for, ``None`` when it is off."""
    enabled, explicit, model = reranker_wanted(config)
    if not enabled:
        return None
    folder = find_weights(model, env, base)
    problem = None
    if folder is None:
        caches = ", ".join(str(c) for c in hub_caches(env)) or "none"
        problem = (
            f"the weights of the cross-encoder {model!r} are not on this machine: set "
            "rag.retrieval.inline.reranker.model to a folder with config.json, "
            "model.safetensors and tokenizer.json, or put the model in the Hugging Face cache "
            f"(looked in: {caches}); nothing is downloaded"
        )
    else:
        try:
            return await CrossEncoderReranker.load(folder, model)
        except (OSError, ValueError, KeyError) as exc:
            problem = f"the cross-encoder in {folder} cannot be loaded: {exc}"
    if explicit:
        raise RerankerUnavailableError(f"rag.retrieval.inline.reranker is enabled but {problem}")
    log.warning(
        "the reranker is enabled automatically (BYOK and OKP inline) but %s; chunks keep their "
        "search order",
        problem,
    )
    return None
