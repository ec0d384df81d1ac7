"""Run-config enrichment for BYOK stores and runtime vector-store providers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.runconfig.rag import resolve_embedding_model
from lightspeed_core.llm.runconfig.synthesize import build_run_config

BASE: dict[str, Any] = {
    "name": "t",
    "service": {},
    "llama_stack": {"use_as_library_client": True, "config": {"baseline": "empty"}},
    "user_data_collection": {},
    "inference": {"providers": [{"type": "openai", "id": "stub", "api_key_env": "K"}]},
}


def _run(tmp_path: Path, **sections: Any) -> dict[str, Any]:
    config = configuration_from_data({**BASE, **sections}, base_dir=tmp_path)
    run, _ = build_run_config(config, tmp_path, tmp_path / "state", env={})
    return run


def test_faiss_store_gets_provider_backend_and_registration(tmp_path: Path) -> None:
    rag = {
        "byok": {
            "stores": [
                {
                    "rag_id": "docs",
                    "vector_db_id": "vs_docs",
                    "db_path": "kb/docs.db",
                    "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
                    "embedding_dimension": 384,
                }
            ]
        }
    }
    run = _run(tmp_path, rag=rag)
    vector_io = run["providers"]["vector_io"]
    assert [p["provider_id"] for p in vector_io] == ["faiss", "byok_docs"]
    backend = vector_io[1]["config"]["persistence"]["backend"]
    assert run["storage"]["backends"][backend] == {
        "type": "kv_sqlite",
        "db_path": str((tmp_path / "kb" / "docs.db").resolve()),
    }
    assert run["registered_resources"]["vector_stores"] == [
        {
            "vector_store_id": "vs_docs",
            "provider_id": "byok_docs",
            "embedding_model": "embeddings/all-MiniLM-L6-v2",
            "embedding_dimension": 384,
        }
    ]
    assert run["registered_resources"]["models"][0]["provider_id"] == "embeddings"
    assert run["vector_stores"]["default_provider_id"] == "faiss"
    assert "file_processors" not in run["providers"]


def test_pgvector_store_and_sentence_transformers_model(tmp_path: Path) -> None:
    rag = {
        "byok": {
            "stores": [
                {
                    "rag_id": "pg",
                    "backend": "pgvector",
                    "vector_db_id": "vs_pg",
                    "host": "db.local",
                    "user": "rag",
                }
            ]
        }
    }
    run = _run(tmp_path, rag=rag)
    pg = next(p for p in run["providers"]["vector_io"] if p["provider_id"] == "byok_pg")
    assert pg["provider_type"] == "remote::pgvector"
    assert pg["config"]["host"] == "db.local"
    assert pg["config"]["port"] == "${env.POSTGRES_PORT:=5432}"
    assert pg["config"]["password"] == "${env.POSTGRES_PASSWORD:=}"
    st = [p for p in run["providers"]["inference"] if p["provider_id"] == "sentence-transformers"]
    assert st[0]["provider_type"] == "inline::sentence-transformers"
    assert run["registered_resources"]["vector_stores"][0]["embedding_model"] == (
        "sentence-transformers/all-mpnet-base-v2"
    )


def test_runtime_providers_add_the_file_processor(tmp_path: Path) -> None:
    vector_store = {
        "default_provider": "rt",
        "providers": [
            {
                "id": "rt",
                "type": "faiss",
                "embedding_model": "all-MiniLM-L6-v2",
                "embedding_dimension": 384,
                "config": {"path": "rt.db"},
            }
        ],
    }
    run = _run(tmp_path, vector_store=vector_store)
    assert run["vector_stores"]["default_provider_id"] == "rt"
    assert run["vector_stores"]["default_embedding_model"]["provider_id"] == "embeddings"
    assert run["providers"]["file_processors"][0]["provider_type"] == "inline::pypdf"
    assert "file_processors" in run["apis"]


def test_nothing_configured_changes_nothing(tmp_path: Path) -> None:
    run = _run(tmp_path)
    # only the skeleton's always-registered local embedding model, no RAG resources
    registered = run["registered_resources"]
    assert [(m["provider_id"], m["model_id"]) for m in registered["models"]] == [
        ("embeddings", "all-MiniLM-L6-v2")
    ]
    assert "vector_stores" not in registered
    assert "file_processors" not in run["providers"]


def test_minilm_names_map_to_the_local_provider() -> None:
    for name in (
        "all-MiniLM-L6-v2",
        "sentence-transformers/all-MiniLM-L6-v2",
        "x/all-minilm-l6-v2",
    ):
        assert resolve_embedding_model(name) == "embeddings/all-MiniLM-L6-v2"
    assert (
        resolve_embedding_model("openai/text-embedding-3-small") == "openai/text-embedding-3-small"
    )
