"""Which Responses calls are one chat completion in OGX, and that completion's request.

OGX's Responses layer makes a call whose tools are all ``function`` tools one streamed chat
completion: it ends at the model's first answer, tool calls or not (the caller runs function
calls). :func:`plain` says when a request is such a call in every detail that matters - text
messages, the ``function_call`` / ``function_call_output`` items of our own tool loop,
``function`` tools only, nothing else (no raw events, ``include``, extra body fields such as
``tool_choice`` or ``parallel_tool_calls``); anything else goes through the Responses layer.
:func:`chat_messages` and :func:`chat_tools` build what OGX's Responses layer sends for it
(``convert_response_input_to_chat_messages``, ``_process_new_tools``): instructions as the
system message, each ``function_call`` as an assistant message with one tool call followed
by its output as a ``tool`` message, each tool as ``{"type": "function", "function": ...}``.
"""

from __future__ import annotations

from typing import Any

from lightspeed_core.llm.base import ResponseRequest

_ROLES = frozenset({"user", "assistant", "system"})
_FUNCTION_FIELDS = ("type", "name", "description", "parameters", "strict")  # OGX's model order


def _text_message(item: dict[str, Any]) -> bool:
    return (
        item.get("type", "message") == "message"
        and item.get("role") in _ROLES
        and isinstance(item.get("content"), str)
        and set(item) <= {"type", "role", "content"}
    )


def _function_call(item: dict[str, Any]) -> bool:
    return (
        item.get("type") == "function_call"
        and set(item) == {"type", "call_id", "name", "arguments"}
        and all(isinstance(item[key], str) for key in ("call_id", "name", "arguments"))
    )


def _function_output(item: dict[str, Any]) -> bool:
    return (
        item.get("type") == "function_call_output"
        and set(item) == {"type", "call_id", "output"}
        and isinstance(item["call_id"], str)
        and isinstance(item["output"], str)
    )


def _function_tool(tool: dict[str, Any]) -> bool:
    """A Responses ``function`` tool as OGX validates it (``parameters`` is required)."""
    return (
        tool.get("type") == "function"
        and "parameters" in tool
        and set(tool) <= set(_FUNCTION_FIELDS)
        and isinstance(tool.get("name"), str)
        and isinstance(tool.get("description") or "", str)
        and isinstance(tool["parameters"] or {}, dict)
        and isinstance(tool.get("strict") or False, bool)
    )


def _paired(items: list[dict[str, Any]]) -> bool:
    """Every output answers exactly one function call of the input (OGX raises otherwise)."""
    calls = [item["call_id"] for item in items if item.get("type") == "function_call"]
    outputs = {item["call_id"] for item in items if item.get("type") == "function_call_output"}
    return len(calls) == len(set(calls)) and outputs <= set(calls)


def _at_least_one(value: int | None) -> bool:
    return value is None or value >= 1


def plain(request: ResponseRequest) -> bool:
    """Whether ``request`` is one chat completion in OGX (see the module's docstring)."""
    if request.raw_events != "none" or request.include or request.extra:
        return False
    if not all(map(_at_least_one, (request.max_tool_calls, request.max_infer_iters))):
        return False  # OGX rejects or loops differently: its own answer
    if request.max_output_tokens is not None and request.max_output_tokens < 1:
        return False
    if not all(_function_tool(tool) for tool in request.tools):
        return False
    items = request.input
    if not all(_text_message(i) or _function_call(i) or _function_output(i) for i in items):
        return False
    return _paired(items)


def chat_tools(request: ResponseRequest) -> list[dict[str, Any]] | None:
    """The request's function tools as OGX hands them to the provider (``None``: no tools)."""
    if not request.tools:
        return None
    return [
        {
            "type": "function",
            "function": {
                key: tool[key] for key in _FUNCTION_FIELDS if tool.get(key, None) is not None
            },
        }
        for tool in request.tools
    ]


def chat_messages(request: ResponseRequest) -> list[dict[str, Any]]:
    """The request's instructions and input as OGX's chat-completion messages."""
    messages: list[dict[str, Any]] = []
    if request.instructions:
        messages.append({"role": "system", "content": request.instructions})
    outputs = {
        item["call_id"]: item["output"]
        for item in request.input
        if item.get("type") == "function_call_output"
    }
    for item in request.input:
        kind = item.get("type", "message")
        if kind == "message":
            messages.append({"role": item["role"], "content": item["content"]})
        elif kind == "function_call":
            call_id = item["call_id"]
            function = {"name": item["name"], "arguments": item["arguments"]}
            call = {"index": 0, "id": call_id, "type": "function", "function": function}
            messages.append({"role": "assistant", "tool_calls": [call]})
            if call_id in outputs:
                output = outputs.pop(call_id)
                messages.append({"role": "tool", "tool_call_id": call_id, "content": output})
    return messages
