"""The built-in baseline: a local model, local embeddings, and whatever provider keys are set.

Offline it serves Gemma 3 270M through ``lightspeed_ogx.llamacpp`` and all-MiniLM-L6-v2
through ``lightspeed_ogx.minilm``. Each remote provider below is added only when its
environment variable is set, and the first one present becomes the preferred default model:

=================  ================================  =======================================
variable           provider                          model (override variable)
=================  ================================  =======================================
OPENAI_API_KEY     ``remote::openai`` (``openai``)   ``gpt-4o-mini`` (``OPENAI_MODEL``)
VLLM_URL           ``remote::vllm`` (``vllm``)       first listed (``VLLM_MODEL``)
OLLAMA_URL         ``remote::ollama`` (``ollama``)   first listed (``OLLAMA_MODEL``)
=================  ================================  =======================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LOCAL_PROVIDER_ID = "local"
LOCAL_MODEL_ID = "gemma-3-270m"
EMBEDDING_PROVIDER_ID = "embeddings"
EMBEDDING_MODEL_ID = "all-MiniLM-L6-v2"
EMBEDDING_DIMENSION = 384


def local_inference_providers() -> list[dict[str, Any]]:
    """The offline providers: llama.cpp LLM and numpy MiniLM embeddings."""
    return [
        {
            "provider_id": LOCAL_PROVIDER_ID,
            "provider_type": "inline::lightspeed-llamacpp",
            "module": "lightspeed_ogx.llamacpp",
            "config": {
                "model_path": "${env.LIGHTSPEED_GGUF_PATH:=}",
                "n_threads": "${env.LIGHTSPEED_LLM_THREADS:=1}",
            },
        },
        embedding_provider(),
    ]


def embedding_provider() -> dict[str, Any]:
    """The local embedding provider entry."""
    return {
        "provider_id": EMBEDDING_PROVIDER_ID,
        "provider_type": "inline::lightspeed-minilm",
        "module": "lightspeed_ogx.minilm",
        "config": {},
    }


def remote_providers(env: Mapping[str, str]) -> tuple[list[dict[str, Any]], str | None]:
    """Providers enabled by environment variables, and the preferred default model id."""
    providers: list[dict[str, Any]] = []
    preferred: str | None = None
    if env.get("OPENAI_API_KEY"):
        model = env.get("OPENAI_MODEL") or "gpt-4o-mini"
        providers.append(
            {
                "provider_id": "openai",
                "provider_type": "remote::openai",
                "config": {
                    "api_key": "${env.OPENAI_API_KEY}",
                    "base_url": "${env.OPENAI_BASE_URL:=https://api.openai.com/v1}",
                    "allowed_models": [model],
                },
            }
        )
        preferred = f"openai/{model}"
    if env.get("VLLM_URL"):
        providers.append(
            {
                "provider_id": "vllm",
                "provider_type": "remote::vllm",
                "config": {
                    "base_url": "${env.VLLM_URL}",
                    "api_token": "${env.VLLM_API_TOKEN:=fake}",
                },
            }
        )
        if preferred is None and env.get("VLLM_MODEL"):
            preferred = f"vllm/{env['VLLM_MODEL']}"
    if env.get("OLLAMA_URL"):
        providers.append(
            {
                "provider_id": "ollama",
                "provider_type": "remote::ollama",
                "config": {"base_url": "${env.OLLAMA_URL}"},
            }
        )
        if preferred is None and env.get("OLLAMA_MODEL"):
            preferred = f"ollama/{env['OLLAMA_MODEL']}"
    return providers, preferred


def default_baseline(env: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    """The ``baseline: default`` run config and its preferred default model."""
    remote, preferred = remote_providers(env)
    baseline = {"providers": {"inference": local_inference_providers() + remote}}
    return baseline, preferred or f"{LOCAL_PROVIDER_ID}/{LOCAL_MODEL_ID}"
