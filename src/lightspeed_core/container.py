"""The typed services container.

Every long-lived object the routes use, built once in the
application's lifespan and stored on ``app.state.services``. No module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.authz.policy import AccessPolicy
from lightspeed_core.config import Configuration
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.pipeline.prompts import SystemPrompts


@dataclass(frozen=True)
class BackendState:
    """What startup learned about OGX."""

    version: str | None
    degraded: bool
    preferred_model: str | None


@dataclass(frozen=True)
class Services:
    """Everything a request may need."""

    config: Configuration
    config_dir: Path
    llm: LLMBackend
    backend_state: BackendState
    metrics: Metrics
    auth: AuthBackend
    policy: AccessPolicy
    prompts: SystemPrompts
