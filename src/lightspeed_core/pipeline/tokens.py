"""Local token estimates (for the history budget and quota reservations).

Uses tiktoken's ``cl100k_base`` (shipped offline in ``llm/data/tiktoken``); a count that is
close, not exact, for any model. Falls back to 4 characters per token.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from lightspeed_core.llm.factory import TIKTOKEN_DIR


@functools.cache
def _encoding() -> Any:
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(TIKTOKEN_DIR))
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base")
    except Exception:
        return None


def estimate_tokens(text: str) -> int:
    """Approximate number of tokens in ``text``."""
    if not text:
        return 0
    encoding = _encoding()
    if encoding is None:
        return max(1, len(text) // 4)
    return len(encoding.encode(text, disallowed_special=()))
