"""``build_rag``: the RAG service the configuration asks for."""

from __future__ import annotations

from lightspeed_core.config import Configuration
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.rag.base import NoRag, RagService


async def build_rag(config: Configuration, llm: LLMBackend) -> RagService:  # noqa: ARG001
    """No RAG configured → :class:`NoRag`."""
    return NoRag()
