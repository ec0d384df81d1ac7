"""Local token estimates for the history budget and quota reservations.

Two estimators with one signature (``text -> tokens``):

* :func:`approximate_tokens` - UTF-8 bytes / 4: free, close for English, fine for budgeting
  the history sent to the model.
* :func:`tiktoken_estimator` - tiktoken's ``cl100k_base`` (shipped offline in
  ``llm/data/tiktoken``): closer, but its tables cost ~38 MB per process, so the service
  uses it only when quotas are enforced and reservations should be tight.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from lightspeed_core.llm.factory import TIKTOKEN_DIR

TokenEstimator = Callable[[str], int]


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
        return len(encoding.encode(text, disallowed_special=())) if text else 0

    return estimate
