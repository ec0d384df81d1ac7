"""Start the backend with the reference's retry and degraded-mode rules."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from lightspeed_core.config.models.llama_stack import LlamaStackConfiguration
from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import LLMBackend

log = logging.getLogger(__name__)


class BackendStartupError(RuntimeError):
    """OGX could not be reached and degraded mode is not allowed."""


@dataclass(frozen=True)
class BackendStatus:
    """Outcome of startup: the OGX version, or degraded mode."""

    version: str | None
    degraded: bool


async def start_backend(backend: LLMBackend, settings: LlamaStackConfiguration) -> BackendStatus:
    """Start and version-check the backend: ``max_retries`` attempts, ``retry_delay`` apart."""
    await backend.start()
    attempts = settings.max_retries
    last_error = ""
    for attempt in range(1, attempts + 1):
        try:
            version = await backend.version()
        except (LightspeedError, OSError) as exc:
            last_error = str(exc)
            log.warning("OGX not reachable (attempt %d/%d): %s", attempt, attempts, last_error)
            if attempt < attempts:
                await asyncio.sleep(settings.retry_delay)
            continue
        log.info("connected to OGX %s (%s mode)", version, backend.mode)
        return BackendStatus(version, degraded=False)
    if settings.allow_degraded_mode:
        log.error("starting in DEGRADED mode: OGX unreachable (%s)", last_error)
        return BackendStatus(None, degraded=True)
    raise BackendStartupError(
        f"cannot reach OGX at {settings.url} after {attempts} attempts: {last_error}. "
        "Start the OGX server, fix llama_stack.url, or set llama_stack.allow_degraded_mode."
    )
