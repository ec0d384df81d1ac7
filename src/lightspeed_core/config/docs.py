"""Generate ``docs/configuration.md``, the reference of every ``lightspeed-stack.yaml`` key.

Run ``uv run python -m lightspeed_core.config.docs > docs/configuration.md``; a unit test
fails when the committed file differs from :func:`render_config_docs`.
"""

from __future__ import annotations

import enum
import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel, SecretStr, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from lightspeed_core.config.introspect import union_members, unwrap
from lightspeed_core.config.models.base import DocType
from lightspeed_core.config.models.misc import otel_settings_from_environment
from lightspeed_core.config.models.root import Configuration

__all__ = ["render_config_docs"]

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    SecretStr: "string (secret)",
    Any: "any",
}
_BOUNDS = (
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Ge, "ge", "≥"),
    (annotated_types.Lt, "lt", "<"),
    (annotated_types.Le, "le", "≤"),
)


def _constraints(metadata: list[Any]) -> str:
    parts: list[str] = []
    for item in metadata:
        for kind, attribute, symbol in _BOUNDS:
            if isinstance(item, kind):
                parts.append(f"{symbol} {getattr(item, attribute)}")
        if isinstance(item, annotated_types.MinLen | StringConstraints) and item.min_length:
            parts.append("non-empty")
    return f" ({', '.join(parts)})" if parts else ""


def _type_name(annotation: Any, metadata: list[Any] | None = None) -> str:
    metadata = list(metadata or [])
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        for item in extra:
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    for item in metadata:
        if isinstance(item, DocType):
            return item.name
    members = union_members(annotation)
    if members is not None:
        names = list(dict.fromkeys(_type_name(member) for member in members))
        if len(members) < len(get_args(annotation)):
            names.append("null")
        return " or ".join(names)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " or ".join(f'`"{value}"`' for value in args)
    if origin is list and args:
        return f"list of {_type_name(args[0])}"
    if origin is dict and len(args) == 2:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = ", ".join(f"`{member.value}`" for member in annotation)
        return f"{annotation.__name__} (one of {values})"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation))) + (
        _constraints(metadata)
    )


def _default(info: FieldInfo) -> str:
    factory = info.default_factory
    if factory is not None:
        if isinstance(factory, type) and issubclass(factory, BaseModel):
            return "see below"
        if factory is otel_settings_from_environment:
            return "from `OTEL_*` variables"
        return f"`{json.dumps(factory())}`"  # type: ignore[call-arg]
    value = info.default
    if value is PydanticUndefined:
        return "**required**"
    if isinstance(value, str) and ("\n" in value or len(value) > 48):
        return "(long text)"
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{json.dumps(value)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


@dataclass(frozen=True)
class _Row:
    path: str
    type: str
    default: str
    description: str


def _models_in(annotation: Any) -> tuple[list[type[BaseModel]], str, str | None]:
    """Models reachable through ``annotation`` plus the path suffix (``[]`` for lists)."""
    bare, discriminator = unwrap(annotation)
    suffix = ""
    if get_origin(bare) is list:
        bare, discriminator = unwrap(get_args(bare)[0])
        suffix = "[]"
    candidates = union_members(bare) or [bare]
    models = [
        unwrap(member)[0]
        for member in candidates
        if isinstance(unwrap(member)[0], type) and issubclass(unwrap(member)[0], BaseModel)
    ]
    return models, suffix, discriminator


def _rows(model: type[BaseModel], prefix: str) -> list[_Row]:
    rows: list[_Row] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        rows.append(
            _Row(
                path,
                _type_name(info.annotation, info.metadata),
                _default(info),
                info.description or info.title or "",
            )
        )
        models, suffix, discriminator = _models_in(info.annotation)
        if discriminator is None and isinstance(info.discriminator, str):
            discriminator = info.discriminator
        if discriminator is None or len(models) < 2:
            for child in models:
                rows.extend(_rows(child, path + suffix))
            continue
        rows.extend(_variant_rows(models, discriminator, path + suffix))
    return list(dict.fromkeys(rows))


def _variant_rows(models: list[type[BaseModel]], discriminator: str, prefix: str) -> list[_Row]:
    """Rows of a discriminated union; rows not shared by every variant name their variant."""
    variants = []
    for child in models:
        tag = get_args(unwrap(child.model_fields[discriminator].annotation)[0])[0]
        variants.append((tag, _rows(child, prefix)))
    counts = Counter(row for _, variant_rows in variants for row in variant_rows)
    rows: list[_Row] = []
    for tag, variant_rows in variants:
        for row in variant_rows:
            if counts[row] < len(variants):
                row = replace(row, description=f"({discriminator}: {tag}) {row.description}")
            rows.append(row)
    return rows


def _table(rows: list[_Row]) -> list[str]:
    lines = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    lines.extend(
        f"| `{row.path}` | {_cell(row.type)} | {_cell(row.default)} | {_cell(row.description)} |"
        for row in rows
    )
    return lines


_INTRO = """\
# Configuration reference (`lightspeed-stack.yaml`)

<!-- Generated from the models in src/lightspeed_core/config/models; do not edit by hand.
     Regenerate with: uv run python -m lightspeed_core.config.docs > docs/configuration.md -->

Regenerate this file with `uv run python -m lightspeed_core.config.docs > docs/configuration.md`.

Lightspeed Core reads the same `lightspeed-stack.yaml` as the reference service
(lightspeed-stack). Unknown keys are errors. String values may use `${env.NAME}` (error if
unset or empty), `${env.NAME:=default}` and `${env.NAME:+value-if-set}`; a value that is
exactly one substitution and yields only digits becomes an integer, and one that yields an
empty string becomes `null`. `llama_stack.config.native_override` is not substituted.
`[]` in a key marks the items of a list.
"""


def render_config_docs() -> str:
    """Return the Markdown reference of every configuration key."""
    lines = [_INTRO, "## Top-level keys", ""]
    lines.extend(_table(_rows_top_level()))
    for name, info in Configuration.model_fields.items():
        if not _models_in(info.annotation)[0]:
            continue
        lines.extend(["", f"## `{name}`", ""])
        lines.append(_cell(info.description or info.title or ""))
        lines.append("")
        lines.extend(_table([row for row in _rows(Configuration, "") if _under(row.path, name)]))
    return "\n".join(lines) + "\n"


def _under(path: str, name: str) -> bool:
    return path.startswith((f"{name}.", f"{name}[]."))


def _rows_top_level() -> list[_Row]:
    return [
        _Row(
            name, _type_name(info.annotation, info.metadata), _default(info), info.description or ""
        )
        for name, info in Configuration.model_fields.items()
    ]


if __name__ == "__main__":
    sys.stdout.write(render_config_docs())
