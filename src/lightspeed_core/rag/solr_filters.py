"""The request's ``solr.filters`` as Solr filter queries (``fq``).

Accepted forms (the reference's ``SolrVectorSearchRequest.filters``, contract 1.3):

* a comparison ``{"key": "product", "type": "eq", "value": "openshift"}``; ``type`` is
  ``eq``, ``ne``, ``in``, ``nin`` (``value`` a list), ``gt``, ``gte``, ``lt`` or ``lte``;
* a compound ``{"type": "and" | "or", "filters": [<comparison or compound>, ...]}``;
* a wrapper ``{"filters": <comparison or compound>}`` (the form of the OpenAPI examples);
* the legacy ``{"fq": "<Solr query>" | ["<Solr query>", ...]}``, passed through verbatim.

Values are quoted and escaped, so a value never changes the query's structure; field names
must be plain identifiers. Anything else raises :class:`SolrFilterError` (the request is
answered 422).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lightspeed_core.errors import UnprocessableError

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_RANGES = {"gt": "{{{} TO *]", "gte": "[{} TO *]", "lt": "[* TO {}}}", "lte": "[* TO {}]"}
_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


class SolrFilterError(UnprocessableError):
    """``solr.filters`` has a shape or an operator this service does not know."""

    def __init__(self, cause: str) -> None:
        super().__init__("Invalid solr filters", cause)


def escape_text(text: str) -> str:
    """Escape Lucene's special characters in free text (``q`` of a keyword search)."""
    return _SPECIAL.sub(r"\\\1", text)


def _quote(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _comparison(item: Mapping[str, Any]) -> str:
    key, kind, value = item.get("key"), item.get("type"), item.get("value")
    if not isinstance(key, str) or not _FIELD.match(key):
        raise SolrFilterError(f"solr filter key must be a field name, not {key!r}")
    if kind in ("eq", "ne"):
        clause = f"{key}:{_quote(value)}"
        return clause if kind == "eq" else f"(*:* -{clause})"
    if kind in ("in", "nin"):
        if not isinstance(value, list) or not value:
            raise SolrFilterError(f"solr filter {kind!r} needs a non-empty list value")
        clause = f"{key}:({' OR '.join(_quote(v) for v in value)})"
        return clause if kind == "in" else f"(*:* -{clause})"
    if kind in _RANGES:
        return f"{key}:{_RANGES[kind].format(_quote(value))}"
    raise SolrFilterError(f"unknown solr filter type {kind!r}")


def _clause(item: Any) -> str:
    if not isinstance(item, Mapping):
        raise SolrFilterError("a solr filter must be an object")
    kind = item.get("type")
    if kind in ("and", "or") and "filters" in item:
        parts = item["filters"]
        if not isinstance(parts, list) or not parts:
            raise SolrFilterError("a compound solr filter needs a non-empty 'filters' list")
        return "(" + f" {kind.upper()} ".join(_clause(part) for part in parts) + ")"
    return _comparison(item)


def filter_queries(filters: Mapping[str, Any] | None) -> list[str]:
    """The ``fq`` parameters for ``filters`` (``[]`` for none)."""
    if not filters:
        return []
    if "fq" in filters and len(filters) == 1:
        legacy = filters["fq"]
        queries = [legacy] if isinstance(legacy, str) else legacy
        if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
            raise SolrFilterError("solr 'fq' must be a string or a list of strings")
        return [q for q in queries if q.strip()]
    if set(filters) == {"filters"}:
        return [_clause(filters["filters"])]
    return [_clause(filters)]
