"""``build_backend``: the one place that decides library vs server mode."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from lightspeed_core.config import Configuration
from lightspeed_core.config.settings import Environment
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.llm.cached import CachedModelsBackend
from lightspeed_core.llm.ports import Files, ToolCatalogue, VectorStores
from lightspeed_core.llm.prompt_store import LibraryPromptStore, PromptStore, ServerPromptStore
from lightspeed_core.llm.resources import (
    LibraryToolCatalogue,
    LibraryVectorStores,
    OgxFiles,
    OgxVectorStores,
    ServerToolCatalogue,
)
from lightspeed_core.llm.runconfig import synthesize_run_config

log = logging.getLogger(__name__)
TIKTOKEN_DIR = Path(__file__).parent / "data" / "tiktoken"


def prepare_offline_environment() -> None:
    """Environment OGX needs to run without network (set only what the user did not)."""
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(TIKTOKEN_DIR))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("OGX_LOGGING", "all=warning")
    os.environ.setdefault("OGX_DISABLE_VERSION_CHECK", "1")


@dataclass(frozen=True)
class BackendPlan:
    """The backend to start, its resource ports, and the model the baseline prefers."""

    backend: LLMBackend
    preferred_model: str | None
    vector_stores: VectorStores
    files: Files
    tool_catalogue: ToolCatalogue
    prompts: PromptStore


def build_backend(config: Configuration, config_dir: Path, env: Environment) -> BackendPlan:
    """Create (not start) the backend the configuration asks for."""
    stack = config.llama_stack
    if stack.library_mode:
        prepare_offline_environment()
        from lightspeed_core.llm.library import LibraryBackend

        run = synthesize_run_config(
            config, config_dir, env.ogx_state_dir, env.run_config_path, env.variables
        )
        log.info("library mode: OGX run config written to %s", run.path)
        library = LibraryBackend(run.path)
        return BackendPlan(
            CachedModelsBackend(library),
            run.preferred_model,
            LibraryVectorStores(library.client, library.stack),
            OgxFiles(library.client),
            LibraryToolCatalogue(library.stack),  # both read ``.impls``: no client needed
            LibraryPromptStore(library.stack),
        )
    from lightspeed_core.llm.server import ServerBackend

    assert stack.url is not None  # the configuration validator guarantees it
    api_key = stack.api_key.get_secret_value() if stack.api_key else None
    backend = ServerBackend(str(stack.url), api_key, float(stack.timeout))
    return BackendPlan(
        CachedModelsBackend(backend),
        None,
        OgxVectorStores(backend.client, embeds_in_process=False),
        OgxFiles(backend.client),
        ServerToolCatalogue(backend.client),
        ServerPromptStore(backend.client),
    )
