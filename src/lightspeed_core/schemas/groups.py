"""The JSON Schemas of the API's bodies, grouped as ``lightspeed-stack --dump-models`` does.

:func:`group_schemas` sorts the component schemas of an OpenAPI document (the running
service's own) into the reference's groups:

=========================  ============================================================
``requests``               request bodies
``successful_responses``   bodies of 2xx answers
``error_responses``        bodies of 4xx/5xx answers
``conversation_summary``   the conversation listing and detail items (``Conversation*``)
``agents``                 the A2A agent card and its parts (``Agent*``)
``common_responses``       types used inside answers only
``common``                 every other type used by the API (inside requests, or both)
=========================  ============================================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

GROUPS = (
    "conversation_summary",
    "requests",
    "successful_responses",
    "error_responses",
    "common",
    "agents",
    "common_responses",
)
_REF = "#/components/schemas/"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            yield ref[len(_REF) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _closure(names: set[str], schemas: Mapping[str, Any]) -> set[str]:
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        pending.extend(_refs(schemas[name]))
    return seen


def group_schemas(openapi: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{group: {schema name: JSON Schema}}`` for every group (each schema in one group)."""
    schemas: Mapping[str, Any] = openapi.get("components", {}).get("schemas", {})
    requests: set[str] = set()
    ok: set[str] = set()
    errors: set[str] = set()
    for path in openapi.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            requests.update(_refs(operation.get("requestBody", {})))
            for status, answer in operation.get("responses", {}).items():
                (ok if str(status).startswith("2") else errors).update(_refs(answer))
    inside_requests = _closure(requests, schemas)
    inside_answers = _closure(ok | errors, schemas)

    def group_of(name: str) -> str:
        if name in requests:
            return "requests"
        if name in errors and name not in ok:
            return "error_responses"
        if name in ok:
            return "successful_responses"
        if name.startswith("Conversation"):
            return "conversation_summary"
        if name.startswith("Agent"):
            return "agents"
        if name in inside_answers and name not in inside_requests:
            return "common_responses"
        return "common"

    grouped: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    for name in sorted(schemas):
        grouped[group_of(name)][name] = schemas[name]
    return grouped
