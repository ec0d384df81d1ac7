"""Read a YAML configuration file into plain Python data, reporting failures as ``ConfigError``.

Duplicate keys in a mapping are an error (PyYAML silently keeps the last one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lightspeed_core.config.errors import ConfigError, ConfigProblem

__all__ = ["parse_yaml", "read_yaml_file"]


class _StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` that rejects duplicate mapping keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # unhashable key: construct_mapping reports it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError, source: str) -> ConfigProblem:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        detail = exc.problem or "syntax error"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        return ConfigProblem(
            source, f"malformed YAML at line {mark.line + 1}, column {mark.column + 1}: {detail}"
        )
    return ConfigProblem(source, f"malformed YAML: {exc}")


def parse_yaml(text: str, source: str = "<string>") -> object:
    """Parse YAML ``text``; ``source`` names it in error messages."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigError([_yaml_problem(exc, source)], source) from exc


def read_yaml_file(path: Path) -> object:
    """Read and parse the YAML file at ``path``."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(source, "file not found")], source) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(source, "is a directory, not a file")], source) from None
    except PermissionError:
        raise ConfigError([ConfigProblem(source, "permission denied")], source) from None
    except UnicodeDecodeError as exc:
        problem = ConfigProblem(source, f"not UTF-8 text (byte {exc.start})")
        raise ConfigError([problem], source) from None
    except OSError as exc:
        problem = ConfigProblem(source, f"cannot be read: {exc.strerror or exc}")
        raise ConfigError([problem], source) from None
    return parse_yaml(text, source)
