"""Every route of the reference exists here, with the same request and response schemas.

The reference's OpenAPI document (``tests/data/wire-samples/openapi.json``) is compared with
our application's, method+path by method+path: the success status (200 or 201), the JSON
request body schema and the JSON success response schema must agree.

Schemas are compared after :func:`shape` resolves every ``$ref`` and keeps what a client's
code depends on: property names, ``required`` lists and types (``string``, ``integer``,
``number``, ``boolean``, ``null``, arrays with their item shape, objects with their
properties, maps with their value shape, unions as sets of shapes, recursively). It ignores
what does not change the shape of the JSON: titles, descriptions, examples, defaults,
``format``, enum and const values, length and range constraints, ``readOnly`` /
``deprecated`` / ``writeOnly``, ``additionalProperties`` of objects that declare properties,
discriminators, the order of union members, and the names of the component schemas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.app import create_app
from lightspeed_core.config.defaults import built_in_default_configuration
from lightspeed_core.config.settings import Settings

REFERENCE = Path(__file__).parents[1] / "data" / "wire-samples" / "openapi.json"
METHODS = ("get", "post", "put", "delete", "patch")
Route = tuple[str, str]

# Routes other engineers are building now. This set must equal the reference's routes that
# are still missing, so it shrinks to empty as they land (the test fails on a stale entry).
PENDING: frozenset[Route] = frozenset()

# Differences on purpose, each listed in docs/differences.md: (route) -> the exact lines
# :func:`differences` reports for it.
DELIBERATE: dict[Route, set[str]] = {
    # configuration keys of our own (docs/differences.md, "configuration keys")
    ("GET", "/v1/config"): {
        "response.configuration.a2a_state.postgres.pool_size: only ours",
        "response.configuration.conversation_cache.postgres.pool_size: only ours",
        "response.configuration.database.postgres.pool_size: only ours",
        "response.configuration.quota_handlers.postgres.pool_size: only ours",
        "response.configuration.mcp_registration: only ours",
        "response.configuration.mcp_servers[].client_headers: only ours",
        "response.configuration.quota_handlers.default_output_tokens: only ours",
        "response.configuration.quota_handlers.rate_limit: only ours",
        "response.configuration.quota_handlers.reservation_timeout: only ours",
        "response.configuration.service.max_request_body_bytes: only ours",
        "response.configuration.service.request_body_timeout: only ours",
        "response.configuration.service.shutdown_grace_period: only ours",
    },
    # the agent card also lists the protocol versions /a2a serves (docs/differences.md, "A2A")
    ("GET", "/.well-known/agent.json"): {"response.supportedInterfaces: only ours"},
    ("GET", "/.well-known/agent-card.json"): {"response.supportedInterfaces: only ours"},
    # MCP servers left out because they failed (docs/differences.md, "/v1/tools")
    ("GET", "/v1/tools"): {"response.unavailable_servers: only ours"},
}


def shape(document: dict[str, Any], schema: Any, seen: tuple[str, ...] = ()) -> Any:
    """The comparable shape of ``schema`` (see the module docstring for what is kept)."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return {"recursive": name}
        target = document["components"]["schemas"][name]
        return shape(document, target, (*seen, name))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _union([shape(document, s, seen) for s in schema[key]])
    if len(schema.get("allOf", ())) == 1:
        return shape(document, schema["allOf"][0], seen)
    kind = schema.get("type")
    if isinstance(kind, list):
        return _union([shape(document, {**schema, "type": k}, seen) for k in kind])
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if not properties and isinstance(schema.get("additionalProperties"), dict):
            return {"map": shape(document, schema["additionalProperties"], seen)}
        return {
            "object": {name: shape(document, s, seen) for name, s in sorted(properties.items())},
            "required": sorted(schema.get("required", [])),
        }
    if kind == "array":
        return {"array": shape(document, schema.get("items", {}), seen)}
    if kind is not None:
        return kind
    if "const" in schema:
        return {str: "string", int: "integer", bool: "boolean"}.get(type(schema["const"]), "any")
    return "any"


def _union(members: list[Any]) -> Any:
    unique = sorted({json.dumps(m, sort_keys=True) for m in members})
    if len(unique) == 1:
        return json.loads(unique[0])
    return {"union": unique}


def routes(document: dict[str, Any]) -> dict[Route, dict[str, Any]]:
    """Per method+path: success status, request body shape, success response shape."""
    table: dict[Route, dict[str, Any]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            status = next((c for c in ("200", "201") if c in operation["responses"]), None)
            answer = operation["responses"].get(status, {}).get("content", {})
            response = answer.get("application/json")
            table[(method.upper(), path)] = {
                "status": status,
                "request": shape(document, body["schema"]) if body else None,
                "response": shape(document, response["schema"]) if response else None,
            }
    return table


def differences(reference: Any, ours: Any, where: str = "") -> list[str]:
    """Readable differences between two shapes (``where`` is a dotted location)."""
    if isinstance(reference, dict) and isinstance(ours, dict):
        if "object" in reference and "object" in ours:
            found = []
            names = set(reference["object"]) | set(ours["object"])
            for name in sorted(names):
                here = f"{where}.{name}"
                if name not in ours["object"]:
                    found.append(f"{here}: only reference")
                elif name not in reference["object"]:
                    found.append(f"{here}: only ours")
                else:
                    found += differences(reference["object"][name], ours["object"][name], here)
            if reference["required"] != ours["required"]:
                found.append(f"{where}: required {reference['required']} != {ours['required']}")
            return found
        if reference.keys() == ours.keys() and len(reference) == 1:
            (key,) = reference
            if key in ("array", "map"):
                return differences(reference[key], ours[key], f"{where}[]")
            if key == "union":  # e.g. null | object: name the one member that differs
                theirs = [m for m in reference["union"] if m not in ours["union"]]
                mine = [m for m in ours["union"] if m not in reference["union"]]
                if len(theirs) == len(mine) == 1:
                    return differences(json.loads(theirs[0]), json.loads(mine[0]), where)
    if reference != ours:
        return [f"{where}: {json.dumps(reference)} != {json.dumps(ours)}"]
    return []


def compare(reference: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    found = []
    if reference["status"] != ours["status"]:
        found.append(f"status: {reference['status']} != {ours['status']}")
    for part in ("request", "response"):
        found += differences(reference[part], ours[part], part)
    return found


@pytest.fixture(scope="module")
def reference() -> dict[Route, dict[str, Any]]:
    return routes(json.loads(REFERENCE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def ours() -> dict[Route, dict[str, Any]]:
    app = create_app(Settings(built_in_default_configuration(), Path.cwd()))
    return routes(app.openapi())


def test_missing_routes_are_exactly_the_pending_ones(
    reference: dict[Route, Any], ours: dict[Route, Any]
) -> None:
    assert set(reference) - set(ours) == PENDING


def test_schemas_match_the_reference(reference: dict[Route, Any], ours: dict[Route, Any]) -> None:
    found = {
        route: set(compare(reference[route], ours[route]))
        for route in sorted(set(reference) & set(ours))
    }
    unexpected = {
        route: sorted(lines - DELIBERATE.get(route, set()))
        for route, lines in found.items()
        if lines - DELIBERATE.get(route, set())
    }
    assert unexpected == {}
    stale = {
        route: sorted(lines - found.get(route, set()))
        for route, lines in DELIBERATE.items()
        if lines - found.get(route, set())
    }
    assert stale == {}, "documented differences that no longer exist: remove them"


def test_the_normaliser_sees_what_matters() -> None:
    """Names, required lists and types count; descriptions and constraints do not."""
    document: dict[str, Any] = {"components": {"schemas": {}}}

    def of(schema: dict[str, Any]) -> Any:
        return shape(document, schema)

    base = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    same = {
        "type": "object",
        "title": "T",
        "additionalProperties": False,
        "properties": {"a": {"type": "string", "minLength": 1, "description": "d"}},
        "required": ["a"],
    }
    assert differences(of(base), of(same)) == []
    assert differences(of(base), of({**base, "required": []})) == [": required ['a'] != []"]
    renamed = {**base, "properties": {"b": {"type": "string"}}}
    assert differences(of(base), of(renamed)) == [".a: only reference", ".b: only ours"]
    retyped = {**base, "properties": {"a": {"type": "integer"}}}
    assert differences(of(base), of(retyped)) == ['.a: "string" != "integer"']
    nullable = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert of(nullable) == of({"anyOf": [{"type": "null"}, {"type": "string"}]})
    assert of(nullable) != of({"type": "string"})
    optional = {"anyOf": [base, {"type": "null"}]}
    widened = {
        "anyOf": [{**base, "properties": {"a": {"type": "string"}, "z": {}}}, {"type": "null"}]
    }
    assert differences(of(optional), of(widened)) == [".z: only ours"]  # inside the union
