"""The skill tools the model is offered, and how ``GET /v1/tools`` lists them.

:func:`run_skill_tool` executes one call and returns the text for the model;
:class:`SkillFunctions` offers the tools to the model through the pipeline's function-tool
loop (``pipeline/functions.py``), which runs the model's calls here. The names are
the reference's (pydantic-ai-skills' ``SkillsCapability``): ``list_skills``,
``load_skill`` and ``read_skill_resource``; script execution is not offered. The tools run
in this service (not in OGX), so their catalogue entries carry :data:`SKILLS_SOURCE` as
provider, tool group and source (the reference's values are not recorded; see
docs/differences.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lightspeed_core.llm.functions import FunctionOutput
from lightspeed_core.schemas.mcp import CatalogTool, CatalogToolParameter
from lightspeed_core.skills.library import SkillError, SkillLibrary

SKILLS_SOURCE = "skills"
LIST_SKILLS, LOAD_SKILL, READ_SKILL_RESOURCE = "list_skills", "load_skill", "read_skill_resource"

_SKILL_NAME = {"type": "string", "description": "Name of the skill, as list_skills reports it."}


@dataclass(frozen=True, slots=True)
class SkillTool:
    """A function tool: its name, what it does, and its JSON-schema parameters."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def function_tool(self) -> dict[str, Any]:
        """The OpenAI Responses ``function`` tool definition."""
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": self.parameters,
        }


SKILL_TOOLS: tuple[SkillTool, ...] = (
    SkillTool(
        LIST_SKILLS,
        "List the available skills with their descriptions. Call it first to find a skill "
        "that helps with the task.",
        {"type": "object", "properties": {}, "required": []},
    ),
    SkillTool(
        LOAD_SKILL,
        "Load the full instructions of a skill, and the names of the resource files it has.",
        {"type": "object", "properties": {"skill_name": _SKILL_NAME}, "required": ["skill_name"]},
    ),
    SkillTool(
        READ_SKILL_RESOURCE,
        "Read a resource file of a skill (a file load_skill listed, e.g. references/guide.md).",
        {
            "type": "object",
            "properties": {
                "skill_name": _SKILL_NAME,
                "resource_name": {
                    "type": "string",
                    "description": "Path of the file relative to the skill's folder.",
                },
            },
            "required": ["skill_name", "resource_name"],
        },
    ),
)


def _parameters(schema: dict[str, Any]) -> list[CatalogToolParameter]:
    required = set(schema.get("required", ()))
    return [
        CatalogToolParameter(
            name=name,
            description=str(spec.get("description", "")),
            parameter_type=str(spec.get("type", "string")),
            required=name in required,
        )
        for name, spec in schema.get("properties", {}).items()
    ]


def skill_catalog(library: SkillLibrary) -> list[CatalogTool]:
    """The ``/v1/tools`` entries of the skill tools (none when no skill is configured)."""
    if not library.enabled:
        return []
    return [
        CatalogTool(
            identifier=tool.name,
            description=tool.description,
            parameters=_parameters(tool.parameters),
            provider_id=SKILLS_SOURCE,
            toolgroup_id=SKILLS_SOURCE,
            server_source=SKILLS_SOURCE,
        )
        for tool in SKILL_TOOLS
    ]


_ERROR = "Error: "


async def run_skill_tool(library: SkillLibrary, name: str, arguments: Mapping[str, Any]) -> str:
    """Execute one skill tool call; the result (or what went wrong) as text for the model."""
    try:
        if name == LIST_SKILLS:
            return json.dumps({s.name: s.description for s in library.skills})
        if name == LOAD_SKILL:
            loaded = await library.load(str(arguments.get("skill_name", "")))
            resources = "".join(f"\n- {r}" for r in loaded.resources) or " none"
            return f"{loaded.instructions.rstrip()}\n\nResources of this skill:{resources}\n"
        if name == READ_SKILL_RESOURCE:
            return await library.read_resource(
                str(arguments.get("skill_name", "")), str(arguments.get("resource_name", ""))
            )
    except SkillError as exc:
        return f"{_ERROR}{exc}"
    return f"{_ERROR}unknown skill tool {name!r}"


class SkillFunctions:
    """The skill tools as :class:`~lightspeed_core.llm.functions.FunctionTools`."""

    def __init__(self, library: SkillLibrary) -> None:
        self.library = library
        self._names = frozenset(tool.name for tool in SKILL_TOOLS)

    def definitions(self) -> list[dict[str, Any]]:
        """The three function tools, when at least one skill is configured."""
        if not self.library.enabled:
            return []
        return [tool.function_tool() for tool in SKILL_TOOLS]

    def handles(self, name: str) -> bool:
        return self.library.enabled and name in self._names

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        text = await run_skill_tool(self.library, name, arguments)
        return FunctionOutput(text, ok=not text.startswith(_ERROR))
