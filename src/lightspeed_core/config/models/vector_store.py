"""The ``vector_store`` section: provider capacity for runtime ``POST /v1/vector-stores``.

Not the same as ``rag.byok.stores`` (static, pre-built corpora). Providers are a
discriminated union on ``type``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    PositiveInt,
    raise_issues,
    repeated_positions,
)

__all__ = [
    "FaissVectorStoreProvider",
    "FaissVectorStoreProviderConfig",
    "PgvectorVectorStoreProvider",
    "PgvectorVectorStoreProviderConfig",
    "VectorStoreConfiguration",
    "VectorStoreProvider",
]

_ProviderId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class FaissVectorStoreProviderConfig(ConfigModel):
    """Storage config for a FAISS dynamic vector-store provider."""

    path: Path = Field(title="DB path", description="On-disk FAISS/SQLite path for this provider.")


class PgvectorVectorStoreProviderConfig(ConfigModel):
    """Storage config for a pgvector dynamic vector-store provider."""

    host: str | None = Field(
        default=None,
        title="PostgreSQL host",
        description="PostgreSQL host. Defaults to ${env.POSTGRES_HOST}.",
    )
    port: str | int | None = Field(
        default=None,
        title="PostgreSQL port",
        description="PostgreSQL port. Defaults to ${env.POSTGRES_PORT}.",
    )
    db: str | None = Field(
        default=None,
        title="PostgreSQL database",
        description="PostgreSQL database name. Defaults to ${env.POSTGRES_DATABASE}.",
    )
    user: str | None = Field(
        default=None,
        title="PostgreSQL user",
        description="PostgreSQL user. Defaults to ${env.POSTGRES_USER}.",
    )
    password: SecretStr | None = Field(
        default=None,
        title="PostgreSQL password",
        description="PostgreSQL password. Defaults to ${env.POSTGRES_PASSWORD}.",
    )


class _DynamicVectorStoreProvider(ConfigModel):
    """What every dynamic vector-store provider has (its type and storage come per kind)."""

    id: _ProviderId = Field(
        title="Provider ID",
        description="Llama Stack vector_io provider_id (surrounding whitespace is stripped).",
    )
    embedding_model: str = Field(
        min_length=1,
        title="Embedding model",
        description="Embedding model used for stores created against this provider.",
    )
    embedding_dimension: PositiveInt = Field(
        title="Embedding dimension",
        description="Dimensionality of embedding vectors for this provider.",
    )


class FaissVectorStoreProvider(_DynamicVectorStoreProvider):
    """Dynamic FAISS vector-store provider (runtime create capacity)."""

    type: Literal["faiss"] = Field(
        default="faiss",
        title="Provider type",
        description="Product type for this dynamic vector-store provider.",
    )
    config: FaissVectorStoreProviderConfig = Field(
        title="Storage config", description="FAISS storage settings for this provider."
    )


class PgvectorVectorStoreProvider(_DynamicVectorStoreProvider):
    """Dynamic pgvector vector-store provider (runtime create capacity)."""

    type: Literal["pgvector"] = Field(
        default="pgvector",
        title="Provider type",
        description="Product type for this dynamic vector-store provider.",
    )
    config: PgvectorVectorStoreProviderConfig = Field(
        title="Storage config", description="pgvector connection settings for this provider."
    )


VectorStoreProvider = Annotated[
    FaissVectorStoreProvider | PgvectorVectorStoreProvider,
    Field(discriminator="type"),
]


class VectorStoreConfiguration(ConfigModel):
    """Dynamic vector-store providers plus the default one."""

    default_provider: str | None = Field(
        default=None,
        title="Default provider",
        description=(
            "Provider id used for vector_stores.default_* in the synthesized Llama Stack "
            "config. Required when providers is non-empty; must match one of providers[].id."
        ),
    )
    providers: list[VectorStoreProvider] = Field(
        default_factory=list,
        title="Vector store providers",
        description=(
            "Dynamic vector-store provider capacity for runtime POST /v1/vector-stores "
            "creates. Not the same as rag.byok.stores (static registered corpora)."
        ),
    )

    @model_validator(mode="after")
    def _check_default(self) -> VectorStoreConfiguration:
        issues: list[Issue] = []
        ids = [provider.id for provider in self.providers]
        for index, repeated in repeated_positions(ids):
            issues.append((f"providers[{index}].id", f"provider id {repeated!r} is used twice"))
        if ids and self.default_provider is None:
            issues.append(("default_provider", "required when providers are configured"))
        elif not ids and self.default_provider is not None:
            issues.append(("default_provider", "must be omitted when no providers are configured"))
        elif self.default_provider is not None and self.default_provider.strip() not in ids:
            issues.append(
                (
                    "default_provider",
                    f"{self.default_provider!r} is not one of the provider ids: {', '.join(ids)}",
                )
            )
        raise_issues(issues)
        return self
