"""Run-config enrichment for RAG: BYOK stores, runtime vector-store providers, ingestion.

* every ``rag.byok.stores`` entry becomes a ``vector_io`` provider ``byok_<rag_id>``
  (``inline::faiss`` whose kv persistence is the store's ``db_path``, or
  ``remote::pgvector``) and a ``registered_resources.vector_stores`` entry, so OGX serves
  the pre-built store under its ``vector_db_id``;
* its embedding model is registered explicitly (OGX registers resources before it asks
  providers for their models): any ``…/all-MiniLM-L6-v2`` name maps to the offline
  ``embeddings/all-MiniLM-L6-v2``; ``<provider>/<model>`` is registered under that
  provider (``sentence-transformers/…`` adds ``inline::sentence-transformers``, which needs
  the optional ``sentence-transformers`` package);
* every ``vector_store.providers`` entry becomes a ``vector_io`` provider for runtime
  ``POST /v1/vector-stores`` and ``default_provider`` the default; configuring any of them
  also adds the ``inline::pypdf`` file processor that ingestion of uploaded files needs
  (it runs in two spawned worker processes, ~280 MB, so it is opt-in).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from lightspeed_core.config import Configuration
from lightspeed_core.config.models.rag import RagStore
from lightspeed_core.config.models.vector_store import (
    FaissVectorStoreProvider,
    PgvectorVectorStoreProvider,
)
from lightspeed_core.llm.runconfig.baseline import (
    EMBEDDING_DIMENSION,
    EMBEDDING_MODEL_ID,
    EMBEDDING_PROVIDER_ID,
)
from lightspeed_core.llm.runconfig.skeleton import DEFAULT_VECTOR_IO

log = logging.getLogger(__name__)

LOCAL_EMBEDDING = f"{EMBEDDING_PROVIDER_ID}/{EMBEDDING_MODEL_ID}"
SENTENCE_TRANSFORMERS = "sentence-transformers"
FILE_PROCESSOR = {"provider_id": "pypdf", "provider_type": "inline::pypdf", "config": {}}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def byok_provider_id(rag_id: str) -> str:
    """The ``vector_io`` provider id of a BYOK store."""
    return "byok_" + _UNSAFE.sub("_", rag_id)


def resolve_embedding_model(name: str) -> str:
    """The OGX model identifier serving ``name`` (local MiniLM for any MiniLM-L6-v2 name)."""
    if name.rsplit("/", 1)[-1].lower() == EMBEDDING_MODEL_ID.lower():
        return LOCAL_EMBEDDING
    return name


def _pg_value(value: Any, env: str, default: str) -> Any:
    return value if value is not None else "${env." + env + ":=" + default + "}"


def _pgvector_config(source: RagStore | PgvectorVectorStoreProvider, namespace: str) -> Any:
    fields = source if isinstance(source, RagStore) else source.config
    password = fields.password.get_secret_value() if fields.password else None
    return {
        "host": _pg_value(fields.host, "POSTGRES_HOST", "localhost"),
        "port": _pg_value(fields.port, "POSTGRES_PORT", "5432"),
        "db": _pg_value(fields.db, "POSTGRES_DATABASE", "postgres"),
        "user": _pg_value(fields.user, "POSTGRES_USER", "postgres"),
        "password": _pg_value(password, "POSTGRES_PASSWORD", ""),
        "persistence": {"backend": "kv_default", "namespace": namespace},
    }


def _faiss(run: dict[str, Any], provider_id: str, db_path: Path) -> dict[str, Any]:
    # OGX keeps storage backends in a process-global table by name: name them by file.
    backend = f"{provider_id}_{hashlib.sha256(str(db_path).encode()).hexdigest()[:8]}"
    run["storage"]["backends"][backend] = {"type": "kv_sqlite", "db_path": str(db_path)}
    return {
        "provider_id": provider_id,
        "provider_type": "inline::faiss",
        "config": {"persistence": {"backend": backend, "namespace": "vector_io::faiss"}},
    }


def _register_model(run: dict[str, Any], identifier: str, dimension: int) -> None:
    provider_id, _, model_id = identifier.partition("/")
    if not model_id:
        return  # an unqualified id: OGX must already know it
    inference = run["providers"].setdefault("inference", [])
    if provider_id == SENTENCE_TRANSFORMERS and not any(
        p.get("provider_id") == provider_id for p in inference
    ):
        inference.append(
            {
                "provider_id": SENTENCE_TRANSFORMERS,
                "provider_type": "inline::sentence-transformers",
                "config": {"trust_remote_code": False},
            }
        )
    models = run.setdefault("registered_resources", {}).setdefault("models", [])
    if any(m.get("provider_id") == provider_id and m.get("model_id") == model_id for m in models):
        return
    models.append(
        {
            "model_id": model_id,
            "provider_id": provider_id,
            "provider_model_id": model_id,
            "model_type": "embedding",
            "metadata": {"embedding_dimension": dimension},
        }
    )


def _add_byok_store(run: dict[str, Any], store: RagStore, config_dir: Path) -> None:
    provider_id = byok_provider_id(store.rag_id)
    if store.backend == "faiss":
        assert store.db_path is not None  # the configuration validator guarantees it
        db_path = (config_dir / store.db_path.expanduser()).resolve()
        if not db_path.exists():
            log.warning("rag.byok store %s: %s does not exist (empty store)", store.rag_id, db_path)
        entry = _faiss(run, provider_id, db_path)
    else:
        entry = {
            "provider_id": provider_id,
            "provider_type": "remote::pgvector",
            "config": _pgvector_config(store, f"vector_io::pgvector::{store.rag_id}"),
        }
    run["providers"].setdefault("vector_io", []).append(entry)
    model = resolve_embedding_model(store.embedding_model)
    dimension = EMBEDDING_DIMENSION if model == LOCAL_EMBEDDING else store.embedding_dimension
    _register_model(run, model, dimension)
    run.setdefault("registered_resources", {}).setdefault("vector_stores", []).append(
        {
            "vector_store_id": store.vector_db_id,
            "provider_id": provider_id,
            "embedding_model": model,
            "embedding_dimension": dimension,
        }
    )


def _add_dynamic_provider(
    run: dict[str, Any],
    provider: FaissVectorStoreProvider | PgvectorVectorStoreProvider,
    config_dir: Path,
) -> None:
    vector_io = run["providers"].setdefault("vector_io", [])
    vector_io[:] = [p for p in vector_io if p.get("provider_id") != provider.id]
    if isinstance(provider, FaissVectorStoreProvider):
        path = (config_dir / provider.config.path.expanduser()).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        vector_io.append(_faiss(run, provider.id, path))
    else:
        vector_io.append(
            {
                "provider_id": provider.id,
                "provider_type": "remote::pgvector",
                "config": _pgvector_config(provider, f"vector_io::pgvector::{provider.id}"),
            }
        )


def _ensure_runtime_provider(run: dict[str, Any]) -> None:
    """Runtime stores must not land in a BYOK file: keep a plain faiss provider as default."""
    vector_io = run["providers"].setdefault("vector_io", [])
    if not any(not str(p.get("provider_id", "")).startswith("byok_") for p in vector_io):
        vector_io.insert(0, dict(DEFAULT_VECTOR_IO))
    vector_stores = run.setdefault("vector_stores", {})
    vector_stores.setdefault("default_provider_id", vector_io[0]["provider_id"])
    vector_stores.setdefault(
        "default_embedding_model",
        {
            "provider_id": EMBEDDING_PROVIDER_ID,
            "model_id": EMBEDDING_MODEL_ID,
            "embedding_dimensions": EMBEDDING_DIMENSION,
        },
    )


def add_rag(run: dict[str, Any], config: Configuration, config_dir: Path) -> dict[str, Any]:
    """Add BYOK stores, runtime vector-store providers and (if needed) a file processor."""
    for store in config.rag.byok.stores:
        _add_byok_store(run, store, config_dir)
    if config.rag.byok.stores:
        _ensure_runtime_provider(run)
    dynamic = config.vector_store
    for provider in dynamic.providers:
        _add_dynamic_provider(run, provider, config_dir)
    if dynamic.default_provider is not None:
        default = next(p for p in dynamic.providers if p.id == dynamic.default_provider.strip())
        model = resolve_embedding_model(default.embedding_model)
        dimension = EMBEDDING_DIMENSION if model == LOCAL_EMBEDDING else default.embedding_dimension
        _register_model(run, model, dimension)
        provider_id, _, model_id = model.partition("/")
        run.setdefault("vector_stores", {})["default_provider_id"] = default.id
        run["vector_stores"]["default_embedding_model"] = {
            "provider_id": provider_id,
            "model_id": model_id,
            "embedding_dimensions": dimension,
        }
    if dynamic.providers and not run["providers"].get("file_processors"):
        run["providers"]["file_processors"] = [dict(FILE_PROCESSOR)]
    if run["providers"].get("file_processors") and "file_processors" not in run["apis"]:
        run["apis"].append("file_processors")
    return run
