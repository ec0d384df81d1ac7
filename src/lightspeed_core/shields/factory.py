"""``build_shields``: the shield service the configuration asks for.

A shield that cannot work stops start-up with a clear message (a question-validity shield
naming a model OGX does not serve); invalid regular expressions are already configuration
errors. No shield ever passes everything silently.
"""

from __future__ import annotations

import logging

from lightspeed_core.config import Configuration
from lightspeed_core.config.models.shields import QuestionValidityShieldConfiguration
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.llm.model_select import find_model
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.shields.base import NoShields, ShieldService
from lightspeed_core.shields.question_validity import QuestionValidityShield
from lightspeed_core.shields.redaction import RedactionShield
from lightspeed_core.shields.service import ConfiguredShields, Shield

log = logging.getLogger(__name__)


class ShieldConfigurationError(RuntimeError):
    """A configured shield cannot run."""


async def build_shields(
    config: Configuration, llm: LLMBackend, metrics: Metrics, *, degraded: bool = False
) -> ShieldService:
    """No shields configured → :class:`NoShields`; else :class:`ConfiguredShields`."""
    if not config.shields:
        return NoShields()
    models = [] if degraded else await llm.list_models()
    shields: list[Shield] = []
    for index, entry in enumerate(config.shields):
        if isinstance(entry, QuestionValidityShieldConfiguration):
            model_id = entry.config.model_id
            found = find_model(models, None, model_id)
            if found is None and not degraded:
                known = ", ".join(m.identifier for m in models if m.model_type == "llm") or "none"
                raise ShieldConfigurationError(
                    f"shields[{index}] ({entry.name}): config.model_id {model_id!r} is not a "
                    f"model OGX serves (available: {known}); fix the model id or remove the "
                    "shield"
                )
            resolved = found.identifier if found else model_id
            shields.append(QuestionValidityShield.from_config(entry.name, resolved, entry.config))
        else:
            shields.append(RedactionShield.from_config(entry.name, entry.config))
    customization = config.customization
    allow_override = not (customization and customization.disable_shield_ids_override)
    log.info("shields: %s", ", ".join(s.name for s in shields))
    return ConfiguredShields(tuple(shields), llm, metrics, allow_override)
