"""Responses input items (``/v1/responses`` sends a list of them instead of one question).

The question of such a turn is the text of its last user message; ``prepare`` puts the
prepared question (shielded, with inline RAG context and attachments) in that message's
place. A ``function_call_output`` answering a call the items do not contain gets that call
back from the stored turn that made it, so a stateless model call sees the pair.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.errors import BadRequestError


def _text_parts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    parts = content if isinstance(content, list) else []
    return [
        str(p.get("text", ""))
        for p in parts
        if isinstance(p, dict) and p.get("type") in ("input_text", "output_text", "text")
    ]


def _last_user(items: Sequence[dict[str, Any]]) -> int | None:
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if item.get("role") == "user" and item.get("type", "message") == "message":
            return index
    return None


def question_of(items: Sequence[dict[str, Any]]) -> str:
    """The text of the last user message (empty when there is none)."""
    index = _last_user(items)
    return "\n".join(_text_parts(items[index].get("content"))) if index is not None else ""


def context_text(items: Sequence[dict[str, Any]]) -> str:
    """The text of every item but the question (for the token estimate of the input)."""
    index = _last_user(items)
    rest = [item for number, item in enumerate(items) if number != index]
    return json.dumps(rest) if rest else ""


def with_question(items: Sequence[dict[str, Any]], content: Any) -> list[dict[str, Any]]:
    """``items`` with the last user message's text replaced by ``content``.

    Non-text parts of that message (images, files) are kept after the new text.
    """
    result = [dict(i) for i in items]
    index = _last_user(result)
    if index is None:
        return result
    old = result[index].get("content")
    if isinstance(old, list) and isinstance(content, str):
        kept = [p for p in old if not (isinstance(p, dict) and p.get("type") == "input_text")]
        if kept:
            content = [{"type": "input_text", "text": content}, *kept]
    result[index] = {**result[index], "content": content}
    return result


def missing_function_calls(
    items: Sequence[dict[str, Any]], turns: Sequence[TurnRecord]
) -> list[dict[str, Any]]:
    """``function_call`` items for outputs in ``items`` whose call is only in stored turns.

    An output whose call is neither in ``items`` nor in ``turns`` is a 400.
    """
    present = {i.get("call_id") for i in items if i.get("type") == "function_call"}
    wanted = [
        str(i.get("call_id"))
        for i in items
        if i.get("type") == "function_call_output" and i.get("call_id") not in present
    ]
    if not wanted:
        return []
    known = {str(c.get("id")): c for t in turns for c in t.tool_calls}
    for call_id in wanted:
        if call_id not in known:  # OGX would fail the call: say what is wrong instead
            raise BadRequestError(
                "Invalid input",
                f"No function call with call_id {call_id!r} precedes its function_call_output:"
                " send the function_call item with it, or continue the response that made"
                " the call (previous_response_id or conversation).",
            )
    return [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": str(known[call_id].get("name", "")),
            "arguments": json.dumps(known[call_id].get("args") or {}),
        }
        for call_id in wanted
    ]
