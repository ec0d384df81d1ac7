r"""Plain-completion prompt format for a *base* (not instruction-tuned) model.

Gemma 3 270M base answers nothing through its chat template, so the provider renders the
chat messages itself (measured in ``ogx-notes`` A.1)::

    <system text>

    Question: <earlier question>
    Answer: <earlier answer>
    Question: <question>
    Answer:

Generation stops at ``"\\nQuestion:"`` or a blank line, so the model answers in one
paragraph instead of inventing the next question.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def message_text(content: Any) -> str:
    """Flatten an OpenAI message ``content`` (str, parts or None) to text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for part in content:
        text = getattr(part, "text", None)
        if text is None and isinstance(part, dict):
            text = part.get("text")
        if isinstance(text, str):
            parts.append(text)
    return "\n".join(parts)


def render_prompt(messages: Iterable[Any]) -> str:
    """Render chat messages (objects with ``role`` and ``content``) as a completion prompt."""
    system: list[str] = []
    lines: list[str] = []
    pending_context: list[str] = []
    for message in messages:
        role = getattr(message, "role", None) or message.get("role")
        content = (
            getattr(message, "content", None)
            if not isinstance(message, dict)
            else (message.get("content"))
        )
        text = message_text(content).strip()
        if role in ("system", "developer"):
            if text:
                system.append(text)
        elif role == "user":
            if pending_context:
                lines.append("Context: " + " ".join(pending_context))
                pending_context.clear()
            lines.append(f"Question: {text}")
        elif role == "assistant":
            if text:
                lines.append(f"Answer: {text}")
        elif role == "tool" and text:
            pending_context.append(text)
    if pending_context:
        lines.append("Context: " + " ".join(pending_context))
    lines.append("Answer:")
    head = "\n\n".join(system)
    body = "\n".join(lines)
    return f"{head}\n\n{body}" if head else body
