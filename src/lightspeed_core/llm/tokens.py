"""Local token estimates for the history budget and quota reservations.

Two estimators with one signature (``text -> tokens``):

* :func:`approximate_tokens` - UTF-8 bytes / 4: free, close for English, fine for budgeting
  the history sent to the model.
* :func:`tiktoken_estimator` - tiktoken's ``cl100k_base`` (shipped offline in
  ``llm/data/tiktoken``): closer, but its tables cost ~38 MB per process, so the service
  uses it only when quotas are enforced and reservations should be tight.

tiktoken's byte-pair merge is quadratic in the length of one pre-tokenised piece, and a run
of letters without spaces is one piece: 10 MB of ``A`` took 19 s. The estimator therefore
encodes long text in :data:`CHUNK_CHARS` slices (linear; at most one extra token per slice
boundary), and :func:`count_tokens` runs any estimate of more than :data:`OFF_LOOP_CHARS`
characters in a worker thread, so no input size blocks the event loop.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from lightspeed_core.llm.factory import TIKTOKEN_DIR

TokenEstimator = Callable[[str], int]

CHUNK_CHARS = 4096
"""Slice size for tiktoken: bounds the cost of one piece (quadratic) to a constant."""
OFF_LOOP_CHARS = 32 * 1024
"""Longer texts are estimated in a worker thread (a few milliseconds of CPU and up)."""


def approximate_tokens(text: str) -> int:
    """About one token per four bytes of UTF-8."""
    if not text:
        return 0
    return max(1, (len(text.encode("utf-8")) + 3) // 4)


def tiktoken_estimator() -> TokenEstimator:
    """An estimator backed by tiktoken's ``cl100k_base`` (falls back to the approximation)."""
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(TIKTOKEN_DIR))
    try:
        import tiktoken

        encoding: Any = tiktoken.get_encoding("cl100k_base")
    except Exception:
        return approximate_tokens

    def estimate(text: str) -> int:
        return sum(
            len(encoding.encode(text[start : start + CHUNK_CHARS], disallowed_special=()))
            for start in range(0, len(text), CHUNK_CHARS)
        )

    return estimate


async def count_tokens(estimate: TokenEstimator, *texts: str) -> int:
    """The summed estimate of ``texts``, off the event loop when they are long."""
    if sum(len(text) for text in texts) <= OFF_LOOP_CHARS:
        return sum(estimate(text) for text in texts)
    return await asyncio.to_thread(lambda: sum(estimate(text) for text in texts))
