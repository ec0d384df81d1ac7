"""Tool items of a Responses stream become call/result pairs; function calls keep their call_id."""

from __future__ import annotations

from types import SimpleNamespace

from lightspeed_core.llm.normalize import tool_events


def test_function_call_keeps_its_call_id() -> None:
    item = SimpleNamespace(
        type="function_call", id="fc_1", call_id="call_9", name="load_skill", arguments='{"a": 1}'
    )
    pair = tool_events(item, 1)
    assert pair is not None
    call, result = pair
    # a function call is known by the id a client answers with (function_call_output.call_id)
    assert (call.id, call.call_id, call.name, call.args) == (
        "call_9",
        "call_9",
        "load_skill",
        {"a": 1},
    )
    assert call.kind == "function_call"
    assert result.id == "call_9"


def test_mcp_call_has_no_call_id() -> None:
    item = SimpleNamespace(
        type="mcp_call", id="mcp_1", name="search", arguments="{}", server_label="s", output="ok"
    )
    pair = tool_events(item, 2)
    assert pair is not None
    assert pair[0].call_id is None
    assert pair[1].content == "ok"
    assert pair[1].round == 2
