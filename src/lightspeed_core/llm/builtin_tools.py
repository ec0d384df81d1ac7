"""OGX's built-in tools, derived from a server's providers.

A remote OGX 1.5 server answers 500 on ``/v1/admin/tools`` (its admin API lacks the
tool-groups dependency), and it has no other route that lists tools. Its built-in tool groups
follow from its ``tool_runtime`` providers, though: OGX's provider registry ties each
provider type to one group (``inline::file-search`` serves ``builtin::file_search``), and the
group's tools are fixed by OGX's implementation. :data:`BUILTIN_GROUPS` copies those of OGX
1.5 (a test compares them with what library mode's tool-groups router lists).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lightspeed_core.llm.base import ProviderInfo
from lightspeed_core.llm.ports import BuiltinTool

_FILE_SEARCH_QUERY = {
    "type": "object",
    "properties": {
        "query": {
            "type": "string",
            "description": (
                "The query to search for. Can be a natural language sentence or keywords."
            ),
        }
    },
    "required": ["query"],
}

BUILTIN_GROUPS: dict[str, tuple[str, tuple[tuple[str, str, Mapping[str, Any]], ...]]] = {
    # provider type: (tool group, ((tool, description, input schema), ...))
    "inline::file-search": (
        "builtin::file_search",
        (
            ("insert_into_memory", "Insert documents into memory", {}),
            ("file_search", "Search files for relevant information", _FILE_SEARCH_QUERY),
        ),
    ),
}


def builtin_tools(providers: Iterable[ProviderInfo]) -> list[BuiltinTool]:
    """The built-in tools the server's ``tool_runtime`` providers serve, in provider order."""
    tools: list[BuiltinTool] = []
    for provider in providers:
        group = BUILTIN_GROUPS.get(provider.provider_type)
        if group is None:
            continue
        toolgroup_id, definitions = group
        tools.extend(
            BuiltinTool(name, description, schema, toolgroup_id, provider.provider_id)
            for name, description, schema in definitions
        )
    return tools
