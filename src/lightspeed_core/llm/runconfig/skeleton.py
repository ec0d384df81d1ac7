"""The parts of a run config this service relies on, added where the baseline lacks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lightspeed_core.llm.runconfig.baseline import (
    EMBEDDING_DIMENSION,
    EMBEDDING_MODEL_ID,
    EMBEDDING_PROVIDER_ID,
    embedding_provider,
)

REQUIRED_APIS = ("inference", "responses", "files", "tool_runtime", "vector_io")


def _providers(state: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        "files": [
            {
                "provider_id": "localfs",
                "provider_type": "inline::localfs",
                "config": {
                    "storage_dir": str(state / "files"),
                    "metadata_store": {"backend": "sql_default", "table_name": "files_metadata"},
                },
            }
        ],
        "tool_runtime": [
            {"provider_id": "file-search", "provider_type": "inline::file-search", "config": {}},
            {
                "provider_id": "model-context-protocol",
                "provider_type": "remote::model-context-protocol",
                "config": {},
            },
        ],
        "responses": [
            {
                "provider_id": "builtin",
                "provider_type": "inline::builtin",
                "config": {
                    "persistence": {
                        "agent_state": {"backend": "kv_default", "namespace": "responses"},
                        "responses": {"backend": "sql_default", "table_name": "responses"},
                    }
                },
            }
        ],
    }


def _storage(state: Path) -> dict[str, Any]:
    return {
        "backends": {
            "kv_default": {"type": "kv_sqlite", "db_path": str(state / "kvstore.db")},
            "sql_default": {"type": "sql_sqlite", "db_path": str(state / "sql_store.db")},
        },
        "stores": {
            "metadata": {"backend": "kv_default", "namespace": "registry"},
            # We never read OGX's chat-completion log; disabling it saves a SQL write per call.
            "inference": {
                "backend": "sql_default",
                "table_name": "inference_store",
                "enabled": False,
            },
            "conversations": {"backend": "sql_default", "table_name": "openai_conversations"},
            "prompts": {"backend": "sql_default", "table_name": "prompts"},
            "connectors": {"backend": "sql_default", "table_name": "connectors"},
        },
    }


DEFAULT_VECTOR_IO = {
    "provider_id": "faiss",
    "provider_type": "inline::faiss",
    "config": {"persistence": {"backend": "kv_default", "namespace": "vector_io::faiss"}},
}


def ensure_skeleton(
    run: dict[str, Any], state: Path, *, default_vector_store: bool = True
) -> dict[str, Any]:
    """Fill in what is missing; never replaces what the baseline or profile set.

    ``default_vector_store`` adds a faiss ``vector_io`` provider (runtime vector stores out of
    the box). Without it OGX still serves Responses - the ``vector_io`` API just has no
    provider - and the process saves the ~67 MB that faiss and tiktoken's encoding cost.
    """
    run.setdefault("version", 2)
    run.setdefault("distro_name", "lightspeed-core")
    apis = list(run.get("apis") or [])
    run["apis"] = apis + [api for api in REQUIRED_APIS if api not in apis]
    providers = run.setdefault("providers", {})
    for api, entries in _providers(state).items():
        if not providers.get(api):
            providers[api] = entries
    inference = providers.setdefault("inference", [])
    if not any(p.get("provider_id") == EMBEDDING_PROVIDER_ID for p in inference):
        inference.append(embedding_provider())
    models = run.setdefault("registered_resources", {}).setdefault("models", [])
    if not any(m.get("provider_id") == EMBEDDING_PROVIDER_ID for m in models):
        models.append(
            {
                "model_id": EMBEDDING_MODEL_ID,
                "provider_id": EMBEDDING_PROVIDER_ID,
                "provider_model_id": EMBEDDING_MODEL_ID,
                "model_type": "embedding",
                "metadata": {"embedding_dimension": EMBEDDING_DIMENSION},
            }
        )
    storage = run.setdefault("storage", {})
    defaults = _storage(state)
    for key in ("backends", "stores"):
        section = storage.setdefault(key, {})
        for name, value in defaults[key].items():
            section.setdefault(name, value)
    vector_stores = run.setdefault("vector_stores", {})
    if default_vector_store and not providers.get("vector_io"):
        providers["vector_io"] = [dict(DEFAULT_VECTOR_IO)]
    if not providers.get("vector_io"):
        return run
    vector_stores.setdefault("default_provider_id", providers["vector_io"][0]["provider_id"])
    vector_stores.setdefault(
        "default_embedding_model",
        {
            "provider_id": EMBEDDING_PROVIDER_ID,
            "model_id": EMBEDDING_MODEL_ID,
            "embedding_dimensions": EMBEDDING_DIMENSION,
        },
    )
    return run
