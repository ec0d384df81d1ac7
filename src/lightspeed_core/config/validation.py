"""Turn a pydantic ``ValidationError`` into :class:`ConfigProblem` entries with YAML key paths."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lightspeed_core.config.errors import ConfigProblem
from lightspeed_core.config.introspect import Location, unwrap, walk_location
from lightspeed_core.config.keypaths import format_path, join_path
from lightspeed_core.config.models.base import SettingsIssues

__all__ = ["MOVED_KEYS", "problems_from_validation_error"]

MOVED_KEYS: dict[str, str] = {
    "byok_rag": "BYOK stores moved to rag.byok.stores in lightspeed-stack 0.7",
    "okp": "OKP settings moved to rag.okp in lightspeed-stack 0.7",
    "reranker": "reranker settings moved to rag.retrieval.inline.reranker in lightspeed-stack 0.7",
}
"""Hints for keys the reference service renamed; shown with the unknown-key error."""

_MAPPING_TYPES = frozenset({"model_type", "model_attributes_type", "dict_type"})
_SCALAR_INPUTS = (str, int, float, bool, type(None))


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _message(error: ErrorDetails, location: Location) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        owner = location.owner
        allowed = ", ".join(owner.model_fields) if owner is not None else ""
        message = f"unknown key (allowed keys: {allowed})"
        key = location.segments[-1] if location.segments else ""
        if len(location.segments) == 1 and isinstance(key, str) and key in MOVED_KEYS:
            message += f"; {MOVED_KEYS[key]}"
        return message
    if kind in _MAPPING_TYPES:
        return f"expected a mapping of keys, got {_kind(value)}"
    if kind == "list_type":
        return f"expected a list, got {_kind(value)}"
    if kind in ("too_short", "string_too_short") and value == "":
        return "must not be empty"
    text = error["msg"].removeprefix("Value error, ")
    if isinstance(value, _SCALAR_INPUTS) and kind != "value_error":
        text += f", got {value!r}"
    return text


def _problems_for(error: ErrorDetails, location: Location) -> list[ConfigProblem]:
    path = format_path(location.segments)
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    cause = ctx.get("error")
    if isinstance(cause, SettingsIssues):
        return [ConfigProblem(join_path(path, rel), message) for rel, message in cause.issues]
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = str(ctx.get("discriminator", "")).strip("'")
        expected = ctx.get("expected_tags")
        if kind == "union_tag_not_found":
            message = "required key is missing"
        else:
            message = f"unknown value {ctx.get('tag')!r}"
        if expected:
            message += f" (expected one of: {expected})"
        return [ConfigProblem(join_path(path, key), message)]
    return [ConfigProblem(path, _message(error, location))]


def _at_member(location: Location) -> bool:
    return location.union_at is not None and len(location.segments) == location.union_at


def _wrong_shape(error: ErrorDetails, location: Location) -> bool:
    """True for a union-member error caused only by the input having the other shape."""
    if not _at_member(location):
        return False
    if _member_is_model(location):
        return error["type"] in _MAPPING_TYPES
    return isinstance(error.get("input"), dict | list)


def _member_is_model(location: Location) -> bool:
    member, _ = unwrap(location.union_member)
    return isinstance(member, type) and issubclass(member, BaseModel)


def _union_group(items: list[tuple[ErrorDetails, Location]]) -> list[ConfigProblem]:
    """Problems for the errors of one plain union (one error per member tried)."""
    relevant = [item for item in items if not _wrong_shape(*item)] or items
    if len(relevant) > 1 and all(
        _at_member(location) and not _member_is_model(location) for _, location in relevant
    ):
        # Every member rejected the value itself: one problem listing the expectations.
        messages = [_message(error, location).split(", got ")[0] for error, location in relevant]
        merged = messages[0] + "".join(
            " or " + message.removeprefix("Input should be ") for message in messages[1:]
        )
        value = relevant[0][0].get("input")
        if isinstance(value, _SCALAR_INPUTS):
            merged += f", got {value!r}"
        else:
            merged += f", got {_kind(value)}"
        return [ConfigProblem(format_path(relevant[0][1].segments), merged)]
    return [problem for error, location in relevant for problem in _problems_for(error, location)]


def _unique(problems: Iterable[ConfigProblem]) -> list[ConfigProblem]:
    return list(dict.fromkeys(problems))


def problems_from_validation_error(
    exc: ValidationError, root: type[BaseModel]
) -> list[ConfigProblem]:
    """Convert ``exc`` (raised validating ``root``) into problems located by YAML key path."""
    # Errors in document order; those of one plain union are grouped at its first error.
    entries: list[list[tuple[ErrorDetails, Location]]] = []
    unions: dict[tuple[Any, ...], list[tuple[ErrorDetails, Location]]] = {}
    for error in exc.errors():
        location = walk_location(root, tuple(error["loc"]))
        if location.union_at is None:
            entries.append([(error, location)])
            continue
        key = tuple(location.segments[: location.union_at])
        if key not in unions:
            unions[key] = []
            entries.append(unions[key])
        unions[key].append((error, location))
    problems: list[ConfigProblem] = []
    for entry in entries:
        if entry[0][1].union_at is None:
            problems.extend(_problems_for(*entry[0]))
        else:
            problems.extend(_union_group(entry))
    return _unique(problems)
