"""The function-tool loop: skill calls executed by us, results sent back to the model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.config.models.misc import SkillsConfiguration
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import Completed, ToolCall, ToolResult, Usage
from lightspeed_core.llm.functions import FunctionOutput
from lightspeed_core.pipeline.events import (
    EndEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.functions import SKIPPED, respond_with_functions
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import TurnInput
from lightspeed_core.skills.library import build_skills
from lightspeed_core.skills.tools import SkillFunctions
from lightspeed_core.testing.fake_llm import FakeLLM, Reply, ScriptedTool
from lightspeed_core.testing.services import fake_ports

from .helpers import ALICE, QUERY, collect


@pytest.fixture
async def functions(tmp_path: Path) -> SkillFunctions:
    skill = tmp_path / "skills" / "code-review"
    (skill / "references").mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: code-review\ndescription: Review code\n---\nCheck the tests first.\n"
    )
    (skill / "references" / "checklist.md").write_text("1. tests\n2. names\n")
    (tmp_path / "secret.txt").write_text("top secret")
    return SkillFunctions(await build_skills(SkillsConfiguration(paths=[tmp_path / "skills"])))


def _call(name: str, **args: object) -> ScriptedTool:
    return ScriptedTool(name, dict(args), kind="function_call")


async def test_skill_call_is_executed_and_round_tripped(functions: SkillFunctions) -> None:
    llm = FakeLLM([Reply("", tools=(_call("load_skill", skill_name="code-review"),)), Reply("ok")])
    ports = fake_ports(llm=llm, functions=functions)
    prepared = await prepare(ports, TurnInput("review my code"), ALICE, QUERY, {})
    offered = {t.get("name") for t in prepared.llm_request.tools}
    assert {"list_skills", "load_skill", "read_skill_resource"} <= offered

    events = await collect(run(ports, prepared))
    kinds = [type(e) for e in events]
    assert kinds == [
        StartEvent,
        ToolCallEvent,
        ToolResultEvent,
        TokenEvent,
        TurnCompleteEvent,
        EndEvent,
    ]
    result = events[2]
    assert isinstance(result, ToolResultEvent)
    assert result.status == "success"
    assert "Check the tests first." in result.content
    assert "references/checklist.md" in result.content
    # the second model call carries the call and its output
    assert len(llm.requests) == 2
    second = llm.requests[1].input
    assert second[-2]["type"] == "function_call"
    assert second[-2]["name"] == "load_skill"
    assert second[-1]["type"] == "function_call_output"
    assert second[-1]["call_id"] == second[-2]["call_id"]
    assert "Check the tests first." in second[-1]["output"]
    end = events[-1]
    assert isinstance(end, EndEvent)
    assert end.input_tokens > 0  # usage summed over both calls


async def test_resource_outside_the_skill_is_refused(functions: SkillFunctions) -> None:
    escape = _call(
        "read_skill_resource", skill_name="code-review", resource_name="../../secret.txt"
    )
    llm = FakeLLM([Reply("", tools=(escape,)), Reply("sorry")])
    ports = fake_ports(llm=llm, functions=functions)
    prepared = await prepare(ports, TurnInput("read it"), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    (result,) = [e for e in events if isinstance(e, ToolResultEvent)]
    assert result.status == "failure"
    assert "top secret" not in result.content
    assert "top secret" not in llm.requests[1].input[-1]["output"]


async def test_loop_is_bounded(functions: SkillFunctions) -> None:
    llm = FakeLLM([Reply("", tools=(_call("list_skills"),))])  # calls a tool every time
    events = [
        e
        async for e in respond_with_functions(
            llm, ResponseRequest("m", [{"role": "user", "content": "x"}]), functions, 3
        )
    ]
    assert len(llm.requests) == 3
    # the last round's call is run and shown too (as OGX does): every call has its result
    assert [e.round for e in events if isinstance(e, ToolResult)] == [1, 2, 3]
    assert sum(isinstance(e, ToolCall) for e in events) == 3
    completed = events[-1]
    assert isinstance(completed, Completed)
    assert completed.usage.output_tokens == 0
    assert completed.usage.input_tokens >= 3


async def test_other_tools_pass_through_untouched(functions: SkillFunctions) -> None:
    mcp = ScriptedTool("search", {"q": 1}, output="found", kind="mcp_call")
    llm = FakeLLM([Reply("done", tools=(mcp,), usage=Usage(5, 1))])
    request = ResponseRequest("m", [{"role": "user", "content": "x"}])
    events = [e async for e in respond_with_functions(llm, request, functions)]
    assert len(llm.requests) == 1
    assert [type(e).__name__ for e in events][:2] == ["ToolCall", "ToolResult"]
    assert isinstance(events[1], ToolResult)
    assert events[1].content == "found"
    assert events[-1] == Completed("done", Usage(5, 1), "completed", "resp-1")


async def test_without_skills_nothing_is_offered(tmp_path: Path) -> None:
    empty = SkillFunctions(await build_skills(None))
    ports = fake_ports(functions=empty)
    prepared = await prepare(ports, TurnInput("hi"), ALICE, QUERY, {})
    assert prepared.llm_request.tools == []
    assert not empty.handles("list_skills")


class Adder:
    """One function tool, ``add``, standing for a server MCP tool run by this service."""

    def definitions(self) -> list[dict[str, object]]:
        return [{"type": "function", "name": "add", "parameters": {"type": "object"}}]

    def handles(self, name: str) -> bool:
        return name == "add"

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        return FunctionOutput(str(int(arguments["a"]) + int(arguments["b"])))


async def test_limited_calls_stop_at_max_tool_calls_as_ogx_did() -> None:
    """Past ``max_tool_calls`` a call is answered "skipped" to the model and not shown."""
    add = _call("add", a=1, b=2)
    llm = FakeLLM([Reply("", tools=(add,)), Reply("", tools=(add,)), Reply("done")])
    request = ResponseRequest(model="m", input=[{"role": "user", "content": "q"}], max_tool_calls=1)
    events = [e async for e in respond_with_functions(llm, request, Adder(), 5, Adder())]
    calls = [e for e in events if isinstance(e, ToolCall)]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [c.name for c in calls] == ["add"]
    assert [(r.content, r.round) for r in results] == [("3", 1)]
    assert isinstance(events[-1], Completed)
    assert len(llm.requests) == 3
    assert llm.requests[2].input[-1]["output"] == SKIPPED.format(limit=1)
    unlimited = FakeLLM([Reply("", tools=(add,)), Reply("", tools=(add,)), Reply("done")])
    events = [e async for e in respond_with_functions(unlimited, request, Adder(), 5)]
    assert len([e for e in events if isinstance(e, ToolResult)]) == 2  # skills: not limited
