"""The scripted backend's tool directives used by the MCP tests."""

from __future__ import annotations

from typing import Any

from lightspeed_core.testing.scripted_backend import parse_script


def _messages(question: str, results: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    for n in range(results):
        messages.append({"role": "tool", "content": f"r{n + 1}", "tool_call_id": f"c{n}"})
    return messages


def test_one_tool_then_answer() -> None:
    first = parse_script(_messages('[[tool:add {"a": 1}]]', 0))
    assert first.tool == ("add", '{"a": 1}')
    assert first.tool_round == 1
    after = parse_script(_messages('[[tool:add {"a": 1}]]', 1))
    assert after.tool is None
    assert after.text == "Tool said: r1"


def test_several_tools_one_per_round() -> None:
    question = "[[tool:a {}]] [[tool:b {}]]"
    assert parse_script(_messages(question, 0)).tool == ("a", "{}")
    second = parse_script(_messages(question, 1))
    assert second.tool == ("b", "{}")
    assert second.tool_round == 2
    assert parse_script(_messages(question, 2)).text == "Tool said: r2"


def test_loop_never_stops() -> None:
    assert parse_script(_messages("[[loop:add {}]]", 7)).tool == ("add", "{}")
