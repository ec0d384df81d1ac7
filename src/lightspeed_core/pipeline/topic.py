"""Topic summaries: a separate short model call for a new conversation's first question.

Not charged to quota. Runs in the background so it never delays the answer; the summary is
stored when it arrives (and is updatable via PUT).
"""

from __future__ import annotations

import logging

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import LLMBackend, ResponseRequest
from lightspeed_core.llm.events import Completed

log = logging.getLogger(__name__)
MAX_TOPIC_TOKENS = 24


def clean_topic(text: str) -> str:
    """One line, no quotes or trailing punctuation, at most 1000 characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line.strip().strip("\"'`*").rstrip(".!?:;").strip()[:1000]


async def summarize_topic(llm: LLMBackend, model: str, question: str, prompt: str) -> str:
    """The topic of ``question`` in a few words ("" when the call fails)."""
    request = ResponseRequest(
        model=model,
        input=[{"role": "user", "content": question}],
        instructions=prompt,
        max_output_tokens=MAX_TOPIC_TOKENS,
    )
    text = ""
    try:
        async for event in llm.respond(request):
            if isinstance(event, Completed):
                text = event.text
    except LightspeedError as error:
        log.warning("topic summary failed: %s", error.cause)
        return ""
    return clean_topic(text)
