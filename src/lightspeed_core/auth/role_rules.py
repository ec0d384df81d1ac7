"""JWT role rules: roles from claims, by JSONPath and an operator (contract section 5).

Each rule evaluates its ``jsonpath`` against the (verified) claims and compares the list of
matched values with ``value``:

* ``equals`` - the match list equals ``value`` (hence configurations write ``[true]``);
* ``contains`` - ``value`` is one of the matches;
* ``in`` - the match list is an element of ``value`` (the reference's reading), or there is
  exactly one match and it is an element of ``value`` (what ``in`` reads like);
* ``match`` - some matched string satisfies the regular expression (``re.search``);

``negate`` inverts the result. The caller gets the union of the roles of every rule that
holds, plus ``*``. A rule whose evaluation fails (a type error while comparing) does
not hold, whatever its ``negate``: role rules fail closed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonpath_ng import JSONPath
from jsonpath_ng.ext.parser import parse

from lightspeed_core.auth.base import EVERYONE
from lightspeed_core.config.models.auth import JsonPathOperator, JwtRoleRule

__all__ = ["RoleRule", "compile_rules", "resolve_roles"]


@dataclass(frozen=True)
class RoleRule:
    """A compiled :class:`JwtRoleRule`."""

    path: JSONPath
    operator: JsonPathOperator
    negate: bool
    value: Any
    roles: frozenset[str]
    pattern: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, rule: JwtRoleRule) -> RoleRule:
        pattern = None
        if rule.operator is JsonPathOperator.MATCH:
            pattern = re.compile(str(rule.value))
        return cls(
            parse(rule.jsonpath),
            rule.operator,
            rule.negate,
            rule.value,
            frozenset(rule.roles),
            pattern,
        )

    def holds(self, claims: Mapping[str, Any]) -> bool:
        """Whether the rule grants its roles; an evaluation error never does (even negated)."""
        try:
            matches = [found.value for found in self.path.find(claims)]
            return self._compare(matches) != self.negate
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            return False

    def _compare(self, matches: list[Any]) -> bool:
        match self.operator:
            case JsonPathOperator.EQUALS:
                return bool(matches == self.value)
            case JsonPathOperator.CONTAINS:
                return self.value in matches
            case JsonPathOperator.IN:
                if len(matches) == 1 and _element_of(matches[0], self.value):
                    return True
                return isinstance(self.value, list | tuple) and matches in self.value
            case JsonPathOperator.MATCH:
                assert self.pattern is not None
                return any(
                    isinstance(m, str) and self.pattern.search(m) is not None for m in matches
                )


def _element_of(item: Any, container: Any) -> bool:
    return isinstance(container, list | tuple) and item in container


def compile_rules(rules: Sequence[JwtRoleRule]) -> tuple[RoleRule, ...]:
    """Compile the configured rules once (JSONPath and regex parsing)."""
    return tuple(RoleRule.compile(rule) for rule in rules)


def resolve_roles(rules: Sequence[RoleRule], claims: Mapping[str, Any]) -> frozenset[str]:
    """The union of the roles of every rule that holds for ``claims``, plus ``*``."""
    roles = {EVERYONE}
    for rule in rules:
        if rule.holds(claims):
            roles |= rule.roles
    return frozenset(roles)
