"""The tools of a turn: server tools, client tools replacing them, or both merged."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from lightspeed_core.errors import ConflictError
from lightspeed_core.pipeline.tools import turn_tools
from lightspeed_core.pipeline.turn import TurnInput
from lightspeed_core.testing.fakes import FakeTools
from lightspeed_core.testing.services import fake_ports

from .helpers import ALICE

SERVER = {"type": "mcp", "server_label": "calc", "server_url": "http://calc/mcp"}
MINE = {"type": "mcp", "server_label": "mine", "server_url": "http://mine/mcp"}
FUNCTION = {"type": "function", "name": "f", "parameters": {}}


async def _tools(**turn: Any) -> list[dict[str, Any]]:
    ports = fake_ports(tools=FakeTools([SERVER]))
    return await turn_tools(ports, replace(TurnInput("q"), **turn), ALICE, {})


async def test_without_client_tools_the_server_tools_are_used() -> None:
    assert await _tools() == [SERVER]
    assert await _tools(no_tools=True) == []


async def test_client_tools_replace_the_server_tools() -> None:
    assert await _tools(client_tools=(MINE, FUNCTION)) == [MINE, FUNCTION]
    assert await _tools(client_tools=()) == []


async def test_merged_tools_put_the_clients_first() -> None:
    merged = await _tools(client_tools=(MINE,), merge_server_tools=True)
    assert merged == [MINE, SERVER]


async def test_a_label_clash_is_a_conflict() -> None:
    clash = {**MINE, "server_label": "calc"}
    with pytest.raises(ConflictError) as error:
        await _tools(client_tools=(clash,), merge_server_tools=True)
    assert error.value.response == "Tool conflict"
    assert await _tools(client_tools=(clash,)) == [clash]  # replacing: no clash
