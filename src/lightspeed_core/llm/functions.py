"""Function tools this service executes itself (the model's calls round-trip through OGX).

OGX runs MCP and ``file_search`` tools on its own; a Responses ``function`` tool instead ends
the model's response with a ``function_call`` item that the caller must execute and answer
with a ``function_call_output`` item in the next call. A :class:`FunctionTools` names the
functions it offers and runs them; ``pipeline/functions.py`` drives the loop. The skill tools
(``skills/tools.py``) and the OKP search (``rag/okp_tool.py``) are implementations;
:class:`CombinedFunctionTools` offers several sets as one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lightspeed_core.llm.events import RetrievedChunk


@dataclass(frozen=True, slots=True)
class FunctionOutput:
    """What one executed function call returns to the model."""

    content: str
    ok: bool = True
    documents: tuple[RetrievedChunk, ...] = ()  # chunks found: the turn's referenced documents


class FunctionTools(Protocol):
    """A set of function tools offered to the model and executed by this service."""

    def definitions(self) -> list[dict[str, Any]]:
        """The Responses ``function`` tool definitions (empty: nothing is offered)."""
        ...

    def handles(self, name: str) -> bool:
        """Whether a ``function_call`` of this name is ours to execute."""
        ...

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        """Execute one call; failures come back as ``ok=False`` text, never as exceptions."""
        ...


class NoFunctionTools:
    """Offers nothing and handles nothing."""

    def definitions(self) -> list[dict[str, Any]]:
        return []

    def handles(self, name: str) -> bool:
        return False

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        return FunctionOutput(f"Error: unknown function {name!r}", ok=False)


class CombinedFunctionTools:
    """Several sets of function tools offered as one; a call goes to the first that handles it."""

    def __init__(self, *parts: FunctionTools) -> None:
        self.parts = parts

    def definitions(self) -> list[dict[str, Any]]:
        return [definition for part in self.parts for definition in part.definitions()]

    def handles(self, name: str) -> bool:
        return any(part.handles(name) for part in self.parts)

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        for part in self.parts:
            if part.handles(name):
                return await part.call(name, arguments)
        return FunctionOutput(f"Error: unknown function {name!r}", ok=False)
