"""The ``redaction`` shield: regular-expression rules rewrite the question before it is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lightspeed_core.config.models.shields import RedactionConfig


@dataclass(frozen=True)
class RedactionShield:
    """Applies its rules in order; never refuses."""

    name: str
    rules: tuple[tuple[re.Pattern[str], str], ...]

    @classmethod
    def from_config(cls, name: str, config: RedactionConfig) -> RedactionShield:
        return cls(name, tuple(config.compiled()))

    def redact(self, text: str) -> tuple[str, int]:
        """The rewritten text and the number of replacements made."""
        total = 0
        for pattern, replacement in self.rules:
            text, count = pattern.subn(replacement, text)
            total += count
        return text, total
