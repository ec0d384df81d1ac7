"""Parse OGX catalog objects (models, providers) the same way in both modes."""

from __future__ import annotations

from typing import Any

from lightspeed_core.llm.base import ModelInfo, ProviderInfo

_MODEL_KEYS = {"model_type", "provider_id", "provider_resource_id"}


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    dump = getattr(value, "model_dump", None)
    return dict(dump()) if callable(dump) else {}


def unwrap_list(listing: Any) -> list[Any]:
    """Items of an OGX list answer (plain list, ``.data``, or ogx-client's oneOf wrapper)."""
    listing = getattr(listing, "actual_instance", None) or listing
    if isinstance(listing, list):
        return listing
    data = getattr(listing, "data", None)
    return list(data) if data is not None else []


def parse_model(model: Any) -> ModelInfo:
    """Build a :class:`ModelInfo` from an OpenAI-style OGX model object."""
    meta = _as_dict(getattr(model, "custom_metadata", None))
    identifier = str(getattr(model, "id", "") or getattr(model, "identifier", ""))
    provider_id = str(meta.get("provider_id") or identifier.partition("/")[0])
    resource = str(meta.get("provider_resource_id") or identifier.partition("/")[2] or identifier)
    return ModelInfo(
        identifier=identifier,
        provider_id=provider_id,
        provider_resource_id=resource,
        model_type=str(meta.get("model_type") or "llm"),
        metadata={k: v for k, v in meta.items() if k not in _MODEL_KEYS},
    )


def parse_provider(provider: Any) -> ProviderInfo:
    """Build a :class:`ProviderInfo` from an OGX provider object."""
    return ProviderInfo(
        api=str(getattr(provider, "api", "")),
        provider_id=str(getattr(provider, "provider_id", "")),
        provider_type=str(getattr(provider, "provider_type", "")),
        config=_as_dict(getattr(provider, "config", None)),
        health=_as_dict(getattr(provider, "health", None)),
    )
