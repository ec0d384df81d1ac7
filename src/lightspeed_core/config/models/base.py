"""Shared building blocks of the configuration models.

* :class:`ConfigModel` - base class: unknown keys are errors, instances are immutable.
* :class:`SettingsIssues` - the ``ValueError`` a cross-field validator raises; it carries
  one or more problems, each located relative to the model being validated, so the loader
  can report them at the exact key path (``authentication.jwk_config``) instead of at the
  model.
* Small reusable field types (``HttpUrlStr``, ``PortNumber``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "ConfigModel",
    "DocType",
    "HttpUrlStr",
    "Issue",
    "NonNegativeInt",
    "PortNumber",
    "PositiveInt",
    "SettingsIssues",
    "check_regex",
    "duplicates",
    "raise_issues",
    "repeated_positions",
]


class ConfigModel(BaseModel):
    """Base of every configuration model: unknown keys are rejected, instances are frozen.

    ``coerce_numbers_to_str`` lets string keys accept numbers, which happens when an
    environment substitution such as ``${env.DB_PASSWORD}`` yields digits only (the
    substitution turns such results into integers, as the reference service does).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


Issue = tuple[str, str]
"""A problem found by a validator: ``(relative key path, message)``; ``""`` = the model."""


class SettingsIssues(ValueError):
    """Raised by model validators; carries problems located relative to the model.

    Attributes:
        issues: ``(relative path, message)`` pairs. The relative path uses the same
            syntax as the reported paths (``rules[2].pattern``) and is appended to the
            location of the model that raised it.
    """

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in self.issues))


def raise_issues(issues: Iterable[Issue]) -> None:
    """Raise :class:`SettingsIssues` if ``issues`` is not empty."""
    collected = list(issues)
    if collected:
        raise SettingsIssues(collected)


def duplicates(values: Iterable[str]) -> list[str]:
    """Return the values that occur more than once, in first-seen order."""
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def repeated_positions(values: Iterable[str]) -> list[tuple[int, str]]:
    """Return ``(index, value)`` for every occurrence of a value already seen earlier."""
    seen: set[str] = set()
    found: list[tuple[int, str]] = []
    for index, value in enumerate(values):
        if value in seen:
            found.append((index, value))
        seen.add(value)
    return found


def check_regex(pattern: str, flags: int = 0) -> str | None:
    """Return an error message if ``pattern`` is not a valid regular expression."""
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        return f"invalid regular expression {pattern!r}: {exc}"
    return None


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class DocType:
    """Annotation metadata naming a type in the generated configuration reference."""

    name: str


HttpUrlStr = Annotated[
    str,
    Field(min_length=1, json_schema_extra={"format": "uri"}),
    AfterValidator(_check_http_url),
    DocType("URL (http/https)"),
]
"""An ``http``/``https`` URL, kept as the string the user wrote (no normalisation)."""

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PortNumber = Annotated[int, Field(gt=0, le=65535)]
