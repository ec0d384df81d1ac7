"""``${env.NAME}`` substitution over a parsed YAML tree, compatible with OGX ``replace_env_vars``.

Forms (``NAME`` is upper-case letters, digits and ``_``; several may appear in one string):

* ``${env.NAME}`` - the variable's value; unset *or empty* is an error;
* ``${env.NAME:=default}`` - the value, or ``default`` when unset/empty (``default`` may be
  empty);
* ``${env.NAME:+value}`` - ``value`` when the variable is set and non-empty, else ``""``.

As in the reference service: only string *values* are substituted (never keys), a leading
``~`` in a substituted value is expanded to the home directory, a string that contained a
substitution and ends up empty becomes ``None`` (so ``api_key: ${env.KEY:=}`` means "not
set"), and a string that was exactly one substitution yielding only digits becomes an
``int`` (unless it has leading zeros, so ``0123`` stays a string; string settings accept the
integer back, see ``ConfigModel``). Unlike OGX, every unset variable is collected (with its
key path) instead of stopping at the first one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lightspeed_core.config.keypaths import PathSegment, format_path

__all__ = ["UnsetVariable", "substitute_env", "substitute_string"]

_REFERENCE = re.compile(r"\$\{env\.([A-Z0-9_]+)(?::([=+])([^}]*))?\}")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class UnsetVariable:
    """A ``${env.NAME}`` reference without default whose variable is not set.

    Attributes:
        path: Key path of the value containing the reference (``llama_stack.api_key``).
        name: The environment variable name.
    """

    path: str
    name: str


def substitute_string(value: str, environ: Mapping[str, str]) -> tuple[object, list[str]]:
    """Substitute every reference in ``value``.

    Returns:
        The result (a ``str``, or ``None``/``int`` per the coercions described in the module
        docstring) and the names of referenced variables that are unset.
    """
    if _REFERENCE.search(value) is None:
        return value, []
    unset: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, operator, operand = match.group(1), match.group(2), match.group(3)
        current = environ.get(name) or ""
        if operator == "=":
            chosen = current or operand
        elif operator == "+":
            chosen = operand if current else ""
        else:
            if not current:
                unset.append(name)
            chosen = current
        return os.path.expanduser(chosen) if chosen else ""

    result = _REFERENCE.sub(replace, value)
    if result == "":
        return None, unset
    if _REFERENCE.fullmatch(value) and _DIGITS.fullmatch(result) and str(int(result)) == result:
        return int(result), unset
    return result, unset


def substitute_env(
    tree: object,
    environ: Mapping[str, str] | None = None,
    *,
    keep_raw: Collection[tuple[str, ...]] = (),
) -> tuple[object, list[UnsetVariable]]:
    """Return a copy of ``tree`` with every string value substituted.

    Args:
        tree: Parsed YAML (dicts, lists and scalars).
        environ: Variables to use; ``os.environ`` when ``None``.
        keep_raw: Key paths (tuples of mapping keys) whose subtree is copied unchanged,
            e.g. ``("llama_stack", "config", "native_override")``.

    Returns:
        The substituted tree and every unset variable found, in document order.
    """
    env = os.environ if environ is None else environ
    unset: list[UnsetVariable] = []
    raw = {tuple(path) for path in keep_raw}

    def walk(node: object, path: tuple[PathSegment, ...]) -> object:
        if isinstance(node, dict):
            result: dict[object, object] = {}
            for key, child in node.items():
                child_path = (*path, str(key))
                result[key] = child if child_path in raw else walk(child, child_path)
            return result
        if isinstance(node, list):
            return [walk(child, (*path, index)) for index, child in enumerate(node)]
        if isinstance(node, str):
            value, names = substitute_string(node, env)
            unset.extend(UnsetVariable(format_path(path), name) for name in names)
            return value
        return node

    return walk(tree, ()), unset
