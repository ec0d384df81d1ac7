"""Service and catalog bodies: health, info, models, providers, config, authorized."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ProviderHealthStatus(BaseModel):
    """Health of one OGX provider."""

    provider_id: str
    status: str
    message: str | None = None


class ReadinessResponse(BaseModel):
    """``GET /readiness``."""

    ready: bool
    reason: str
    overall_status: Literal["healthy", "degraded", "unhealthy"]
    impacts: list[str] | None = None
    providers: list[ProviderHealthStatus]


class LivenessResponse(BaseModel):
    """``GET /liveness``."""

    alive: bool


class InfoResponse(BaseModel):
    """``GET /v1/info``."""

    name: str
    service_version: str
    llama_stack_version: str


class ModelEntry(BaseModel):
    """One model as ``/v1/models`` lists it."""

    identifier: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    api_model_type: str
    provider_id: str
    type: str = "model"
    provider_resource_id: str = ""
    model_type: str


class ModelsResponse(BaseModel):
    """``GET /v1/models``."""

    models: list[ModelEntry]


class ProviderSummary(BaseModel):
    """One provider in ``/v1/providers``."""

    provider_id: str
    provider_type: str


class ProvidersListResponse(BaseModel):
    """``GET /v1/providers`` grouped by API."""

    providers: dict[str, list[dict[str, Any]]]  # ProviderSummary items (the reference's type)


class ProviderResponse(BaseModel):
    """``GET /v1/providers/{provider_id}``."""

    api: str
    config: dict[str, Any]
    health: dict[str, Any]
    provider_id: str
    provider_type: str


class ConfigurationResponse(BaseModel):
    """``GET /v1/config``: the whole configuration, secrets masked."""

    configuration: dict[str, Any]


class AuthorizedResponse(BaseModel):
    """``POST /authorized``: who the caller is (the token is never echoed)."""

    user_id: str
    username: str
    skip_userid_check: bool
