"""``GET /v1/shields`` bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class CatalogShield(BaseModel):
    """One configured shield."""

    name: str
    provider_id: Literal["question_validity", "redaction"]
    type: Literal["shield"] = "shield"
    config: dict[str, Any]


class ShieldsResponse(BaseModel):
    """The shields of the configuration."""

    shields: list[CatalogShield]
