"""The ``rag`` section: BYOK stores, the OKP provider and retrieval strategies."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    HttpUrlStr,
    Issue,
    PositiveInt,
    raise_issues,
    repeated_positions,
)

__all__ = [
    "OKP_SOURCE_ID",
    "ByokConfiguration",
    "OkpConfiguration",
    "RagConfiguration",
    "RagStore",
    "RerankerConfiguration",
    "RetrievalConfiguration",
    "RetrievalStrategyConfiguration",
]

OKP_SOURCE_ID = "okp"
"""The id that selects the OKP store in ``rag.retrieval.*.sources``."""


class RagStore(ConfigModel):
    """BYOK (Bring Your Own Knowledge) RAG store configuration."""

    rag_id: str = Field(min_length=1, title="RAG ID", description="Unique RAG ID")
    backend: Literal["faiss", "pgvector"] = Field(
        default="faiss",
        title="RAG backend",
        description="Type of RAG database: 'faiss' or 'pgvector'.",
    )
    embedding_model: str = Field(
        default="sentence-transformers/all-mpnet-base-v2",
        min_length=1,
        title="Embedding model",
        description="Embedding model identification",
    )
    embedding_dimension: PositiveInt = Field(
        default=768,
        title="Embedding dimension",
        description="Dimensionality of embedding vectors.",
    )
    vector_db_id: str = Field(
        min_length=1, title="Vector DB ID", description="Vector database identification."
    )
    db_path: Path | None = Field(
        default=None,
        title="DB path",
        description="Path to RAG database. Required for faiss backend.",
    )
    score_multiplier: float = Field(
        default=1.0,
        gt=0,
        title="Score multiplier",
        description=(
            "Multiplier applied to relevance scores from this vector store. Values > 1 "
            "boost this store's results; values < 1 reduce them."
        ),
    )
    relevance_cutoff_score: float = Field(
        default=0.3,
        gt=0,
        title="Relevance cutoff score",
        description=(
            "Minimum raw similarity score to consider a result relevant. Results with a "
            "similarity score below this threshold are not returned."
        ),
    )
    host: str | None = Field(
        default=None,
        title="PostgreSQL host",
        description="PostgreSQL host for pgvector backend (default ${env.POSTGRES_HOST}).",
    )
    port: str | int | None = Field(
        default=None,
        title="PostgreSQL port",
        description="PostgreSQL port for pgvector backend (default ${env.POSTGRES_PORT}).",
    )
    db: str | None = Field(
        default=None,
        title="PostgreSQL database",
        description=(
            "PostgreSQL database name for pgvector backend (default ${env.POSTGRES_DATABASE})."
        ),
    )
    user: str | None = Field(
        default=None,
        title="PostgreSQL user",
        description="PostgreSQL user for pgvector backend (default ${env.POSTGRES_USER}).",
    )
    password: SecretStr | None = Field(
        default=None,
        title="PostgreSQL password",
        description=(
            "PostgreSQL password for pgvector backend (default ${env.POSTGRES_PASSWORD})."
        ),
    )

    @model_validator(mode="after")
    def _check_backend(self) -> RagStore:
        if self.backend == "faiss" and self.db_path is None:
            raise_issues([("db_path", "required for the faiss backend")])
        return self


class ByokConfiguration(ConfigModel):
    """BYOK (Bring Your Own Knowledge) configuration."""

    max_chunks: PositiveInt = Field(
        default=10,
        title="Max BYOK chunks",
        description="Maximum total number of chunks returned across all BYOK stores.",
    )
    stores: list[RagStore] = Field(
        default_factory=list,
        title="BYOK RAG stores",
        description="List of BYOK RAG store configurations.",
    )


class OkpConfiguration(ConfigModel):
    """OKP (Offline Knowledge Portal) provider configuration."""

    rhokp_url: HttpUrlStr | None = Field(
        default=None,
        title="OKP base URL",
        description=(
            "Base URL for the OKP server (http or https). When unset, "
            "http://localhost:8081 is used. Searches go to <url>/solr/portal/select, or to "
            "<url>/select when the URL already names a Solr collection (.../solr/<name>)."
        ),
    )
    offline: bool = Field(
        default=True,
        title="OKP offline mode",
        description=(
            "When True, use parent_id for OKP chunk source URLs (resolved against the OKP "
            "server, which serves the document). When False, use reference_url for chunk "
            "source URLs."
        ),
    )
    chunk_filter_query: str | None = Field(
        default=None,
        title="OKP chunk filter query",
        description=(
            "Additional OKP filter query applied to every OKP search request (Solr boolean "
            "syntax, e.g. 'product:ansible AND product:*openshift*')."
        ),
    )
    search_mode: Literal["semantic", "hybrid", "keyword"] | None = Field(
        default=None,
        title="OKP search mode",
        description=(
            "Default Solr search mode for OKP queries: 'keyword' (BM25), 'hybrid' (vector + "
            "keyword) or 'semantic' (vector; query vectors are all-MiniLM-L6-v2). When unset, "
            "'hybrid' is used. A request's solr.mode overrides it."
        ),
    )
    max_chunks: PositiveInt = Field(
        default=5,
        title="Max OKP chunks",
        description="Maximum number of chunks fetched from OKP.",
    )


class RerankerConfiguration(ConfigModel):
    """Reranker configuration for RAG chunk reranking."""

    enabled: bool = Field(
        default=False,
        title="Reranker enabled",
        description=(
            "When True, reranking applied to RAG chunks (the service refuses to start if the "
            "model's weights are not on the machine). When False, reranking is disabled "
            "and original scoring used."
        ),
    )
    model: str = Field(
        default="cross-encoder/ms-marco-MiniLM-L6-v2",
        title="Reranker model",
        description=(
            "Cross-encoder for reranking RAG chunks: a local folder (config.json, "
            "model.safetensors, tokenizer.json; relative to this file) or a Hugging Face id "
            "found in the local Hugging Face cache. Nothing is downloaded."
        ),
    )


class RetrievalStrategyConfiguration(ConfigModel):
    """Configuration for a single retrieval strategy (inline or tool)."""

    sources: list[str] = Field(
        default_factory=list,
        title="RAG source IDs",
        description=(
            "RAG IDs to use for this retrieval strategy. Use 'okp' to include the OKP vector store."
        ),
    )
    max_chunks: PositiveInt = Field(
        default=10,
        title="Max chunks",
        description="Maximum number of chunks returned by this retrieval strategy.",
    )
    reranker: RerankerConfiguration | None = Field(
        default=None,
        title="Reranker configuration",
        description=(
            "Neural reranking of RAG chunks using cross-encoder. Only applicable to inline "
            "retrieval. Unset: enabled automatically when the inline sources mix BYOK stores "
            "and 'okp'."
        ),
    )


class RetrievalConfiguration(ConfigModel):
    """Configuration for inline and tool retrieval strategies."""

    inline: RetrievalStrategyConfiguration = Field(
        default_factory=RetrievalStrategyConfiguration,
        title="Inline retrieval",
        description="Inline RAG: context injected before the LLM request.",
    )
    tool: RetrievalStrategyConfiguration = Field(
        default_factory=RetrievalStrategyConfiguration,
        title="Tool retrieval",
        description="Tool RAG: LLM can call file_search on demand.",
    )


class RagConfiguration(ConfigModel):
    """Unified RAG configuration: BYOK stores, OKP provider and retrieval strategies."""

    byok: ByokConfiguration = Field(
        default_factory=ByokConfiguration,
        title="BYOK configuration",
        description="Bring Your Own Knowledge store configurations and settings.",
    )
    okp: OkpConfiguration = Field(
        default_factory=OkpConfiguration,
        title="OKP configuration",
        description=(
            "OKP provider settings. Only used when 'okp' is listed in "
            "retrieval.inline.sources or retrieval.tool.sources."
        ),
    )
    retrieval: RetrievalConfiguration = Field(
        default_factory=RetrievalConfiguration,
        title="Retrieval configuration",
        description="Inline and tool retrieval strategy settings.",
    )

    @model_validator(mode="after")
    def _check_ids(self) -> RagConfiguration:
        issues: list[Issue] = []
        rag_ids = [store.rag_id for store in self.byok.stores]
        for index, rag_id in repeated_positions(rag_ids):
            issues.append((f"byok.stores[{index}].rag_id", f"rag_id {rag_id!r} is used twice"))
        known = {*rag_ids, OKP_SOURCE_ID}
        for name in ("inline", "tool"):
            strategy: RetrievalStrategyConfiguration = getattr(self.retrieval, name)
            for index, source in enumerate(strategy.sources):
                if source not in known:
                    allowed = ", ".join(sorted(known))
                    issues.append(
                        (
                            f"retrieval.{name}.sources[{index}]",
                            f"unknown source {source!r} (known: {allowed})",
                        )
                    )
        raise_issues(issues)
        return self
