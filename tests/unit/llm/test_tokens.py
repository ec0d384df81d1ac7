"""Token estimates: linear in the input, and off the event loop for long texts."""

from __future__ import annotations

import threading

from lightspeed_core.llm.tokens import (
    CHUNK_CHARS,
    OFF_LOOP_CHARS,
    approximate_tokens,
    count_tokens,
    tiktoken_estimator,
)


def test_tiktoken_counts_short_text_exactly_and_long_text_in_slices() -> None:
    import tiktoken

    estimate = tiktoken_estimator()
    encoding = tiktoken.get_encoding("cl100k_base")
    text = "The quick brown fox jumps over the lazy dog. " * 50
    assert estimate(text[:CHUNK_CHARS]) == len(encoding.encode(text[:CHUNK_CHARS]))
    long_text = text * 40
    exact = len(encoding.encode(long_text))
    slices = -(-len(long_text) // CHUNK_CHARS)
    assert exact <= estimate(long_text) <= exact + slices
    assert estimate("") == 0


def test_one_long_word_is_counted_slice_by_slice() -> None:
    """A run of letters is one tiktoken piece (quadratic merge): sliced, it is linear."""
    estimate = tiktoken_estimator()
    word = "A" * (CHUNK_CHARS * 256)  # 1 MiB
    assert estimate(word) == 256 * estimate("A" * CHUNK_CHARS)


async def test_long_texts_are_counted_in_a_worker_thread() -> None:
    threads: list[int] = []

    def estimate(text: str) -> int:
        threads.append(threading.get_ident())
        return approximate_tokens(text)

    loop_thread = threading.get_ident()
    assert await count_tokens(estimate, "short", "text") == 3
    assert set(threads) == {loop_thread}
    threads.clear()
    long_text = "x" * (OFF_LOOP_CHARS + 1)
    assert await count_tokens(estimate, long_text) == approximate_tokens(long_text)
    assert threads
    assert loop_thread not in threads
