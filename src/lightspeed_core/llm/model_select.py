"""Which model answers a query.

Order (contract 1.3): the request's ``provider``+``model`` → the conversation's last used
model → ``inference.default_provider``/``default_model`` → the model the OGX baseline prefers
(e.g. ``openai/gpt-4o-mini`` when ``OPENAI_API_KEY`` is set) → the first LLM → 404.
The chosen model must exist in OGX's list, else 404 ``Model with ID <m> does not exist``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lightspeed_core.errors import NotFoundError
from lightspeed_core.llm.base import ModelInfo


def find_model(models: Sequence[ModelInfo], provider: str | None, model: str) -> ModelInfo | None:
    """Match ``model`` (bare, or ``provider/model``) against the OGX model list."""
    for info in models:
        if provider is not None and info.provider_id != provider:
            continue
        if model in (info.identifier, info.provider_resource_id):
            return info
        if provider is not None and info.identifier == f"{provider}/{model}":
            return info
    return None


def select_model(
    models: Sequence[ModelInfo],
    *,
    requested: tuple[str, str] | None,
    last_used: tuple[str, str] | None,
    configured: tuple[str, str] | None,
    preferred: str | None,
) -> ModelInfo:
    """Apply the selection order; ``(provider, model)`` pairs as in the request/config."""
    for choice in (requested, last_used, configured):
        if choice is not None:
            provider, model = choice
            found = find_model(models, provider, model)
            if found is None and choice is not last_used:
                raise NotFoundError("Model", model)
            if found is not None:
                return found
    if preferred is not None:
        found = find_model(models, None, preferred)
        if found is not None and found.model_type == "llm":
            return found
    for info in models:
        if info.model_type == "llm":
            return info
    raise NotFoundError("Model", "default")
