"""CombinedFunctionTools: several sets of our function tools offered as one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lightspeed_core.llm.functions import CombinedFunctionTools, FunctionOutput, NoFunctionTools


class Named:
    """Offers one function that answers with its own name and arguments."""

    def __init__(self, name: str) -> None:
        self.name = name

    def definitions(self) -> list[dict[str, Any]]:
        return [{"type": "function", "name": self.name}]

    def handles(self, name: str) -> bool:
        return name == self.name

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        return FunctionOutput(f"{self.name}: {dict(arguments)}")


async def test_definitions_are_concatenated_and_calls_dispatched() -> None:
    combined = CombinedFunctionTools(Named("load_skill"), NoFunctionTools(), Named("search_okp"))
    assert [d["name"] for d in combined.definitions()] == ["load_skill", "search_okp"]
    assert combined.handles("search_okp")
    assert combined.handles("load_skill")
    assert not combined.handles("other")
    output = await combined.call("search_okp", {"query": "q"})
    assert output == FunctionOutput("search_okp: {'query': 'q'}")


async def test_an_unknown_function_is_an_error_for_the_model() -> None:
    combined = CombinedFunctionTools()
    assert combined.definitions() == []
    output = await combined.call("other", {})
    assert (output.ok, output.content) == (False, "Error: unknown function 'other'")
