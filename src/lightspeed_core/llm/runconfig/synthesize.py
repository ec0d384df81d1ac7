"""Build and write the run config for library mode."""

from __future__ import annotations

import copy
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lightspeed_core.config import Configuration
from lightspeed_core.config.models.inference import UnifiedInferenceProvider
from lightspeed_core.errors import InternalError
from lightspeed_core.llm.runconfig.baseline import default_baseline
from lightspeed_core.llm.runconfig.rag import add_rag
from lightspeed_core.llm.runconfig.retention import disable_inference_store
from lightspeed_core.llm.runconfig.skeleton import ensure_skeleton

log = logging.getLogger(__name__)

PROVIDER_TYPES: dict[str, str] = {
    "openai": "remote::openai",
    "ollama": "remote::ollama",
    "vllm": "remote::vllm",
    "vllm_rhaiis": "remote::vllm",
    "vllm_rhel_ai": "remote::vllm",
    "sentence_transformers": "inline::sentence-transformers",
    "azure": "remote::azure",
    "vertexai": "remote::vertexai",
    "watsonx": "remote::watsonx",
}


@dataclass(frozen=True)
class SynthesizedRunConfig:
    """Where the run config was written, and the model the baseline prefers as default."""

    path: Path
    preferred_model: str | None


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Maps merge recursively; lists and scalars in ``override`` replace."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def provider_entry(provider: UnifiedInferenceProvider) -> dict[str, Any]:
    """Expand one ``inference.providers`` item into an OGX provider entry."""
    config: dict[str, Any] = {}
    if provider.api_key_env:
        key_field = "api_token" if provider.type.startswith("vllm") else "api_key"
        config[key_field] = "${env." + provider.api_key_env + "}"
    if provider.allowed_models is not None:
        config["allowed_models"] = list(provider.allowed_models)
    config.update(copy.deepcopy(provider.extra))
    return {
        "provider_id": provider.provider_id,
        "provider_type": PROVIDER_TYPES[provider.type],
        "config": config,
    }


def disable_azure_model_validation(run: dict[str, Any]) -> None:
    """``model_validation: false`` on every ``remote::azure`` provider and its models.

    With Entra ID the provider has no key at start-up (tokens come per request), so OGX must
    not try to reach Azure to validate its models then (as the reference's enrichment).
    """
    providers = run.get("providers", {}).get("inference") or []
    azure = [p for p in providers if p.get("provider_type") == "remote::azure"]
    for provider in azure:
        provider.setdefault("config", {})["model_validation"] = False
    ids = {p.get("provider_id") for p in azure}
    for model in (run.get("registered_resources") or {}).get("models") or []:
        if isinstance(model, dict) and model.get("provider_id") in ids:
            model["model_validation"] = False


def _load_yaml(path: Path, what: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InternalError(
            "Configuration is not loaded", f"cannot read {what} {path}: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise InternalError("Configuration is not loaded", f"{what} {path} is not a YAML mapping")
    return data


def _baseline(
    config: Configuration, config_dir: Path, env: Mapping[str, str]
) -> tuple[dict[str, Any], str | None]:
    stack = config.llama_stack
    if stack.library_client_config_path is not None:
        log.warning(
            "llama_stack.library_client_config_path is deprecated; use llama_stack.config.profile"
        )
        return _load_yaml(config_dir / stack.library_client_config_path, "run config"), None
    unified = stack.config
    if unified is not None and unified.profile is not None:
        return _load_yaml(config_dir / unified.profile, "llama_stack.config.profile"), None
    if unified is not None and unified.baseline == "empty":
        return {}, None
    if unified is None and config.inference.providers:
        return {}, None
    return default_baseline(env)


def _source(config: Configuration, config_dir: Path) -> str:
    """Where the run config's baseline came from, for log lines."""
    stack = config.llama_stack
    if stack.library_client_config_path is not None:
        return f"run config {config_dir / stack.library_client_config_path}"
    if stack.config is not None and stack.config.profile is not None:
        return f"profile {config_dir / stack.config.profile}"
    return "the synthesised run config"


def build_run_config(
    config: Configuration, config_dir: Path, state_dir: Path, env: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], str | None]:
    """Return the run config dict and the baseline's preferred default model."""
    environ = os.environ if env is None else env
    run, preferred = _baseline(config, config_dir, environ)
    lean = config.llama_stack.config is not None and config.llama_stack.config.baseline == "empty"
    run = ensure_skeleton(copy.deepcopy(run), state_dir, default_vector_store=not lean)
    inference = run["providers"].setdefault("inference", [])
    for provider in config.inference.providers:
        inference[:] = [p for p in inference if p.get("provider_id") != provider.provider_id]
        inference.append(provider_entry(provider))
    if config.azure_entra_id is not None:
        disable_azure_model_validation(run)
    run = add_rag(run, config, config_dir)
    override = config.llama_stack.config.native_override if config.llama_stack.config else {}
    run = deep_merge(run, override)
    disable_inference_store(run, _source(config, config_dir), override)
    return run, preferred


def synthesize_run_config(
    config: Configuration,
    config_dir: Path,
    state_dir: Path,
    output: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> SynthesizedRunConfig:
    """Build the run config and write it (mode 0600); OGX resolves its ``${env.*}`` itself."""
    run, preferred = build_run_config(config, config_dir, state_dir, env)
    target = output or state_dir / "run.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    # Workers start together and each writes this file: write aside, then rename atomically,
    # so no process ever reads a half-written run config.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".run-", suffix=".yaml")
    with os.fdopen(fd, "w") as handle:  # mkstemp creates the file with mode 0600
        yaml.safe_dump(run, handle, sort_keys=False)
    Path(temporary).replace(target)
    return SynthesizedRunConfig(target, preferred)
