"""The MiniLM runner: the same vectors as the encoder, one thread, duplicates computed once."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from lightspeed_ogx.minilm.encoder import Array, MiniLMEncoder, shared_encoder
from lightspeed_ogx.minilm.runner import EncoderRunner, shared_runner

REFERENCE = Path(__file__).parents[2] / "data" / "minilm_reference.json"
SENTENCES: list[str] = json.loads(REFERENCE.read_text())["sentences"]


def _sorted_batches(encoder: MiniLMEncoder, texts: list[str], batch_size: int = 32) -> Array:
    """What ``encode`` computed before ``encode_counted``: each sorted batch tokenized anew."""
    lengths = [sum(e.attention_mask) for e in encoder._tokenizer.encode_batch(texts)]
    order = sorted(range(len(texts)), key=lambda i: lengths[i])
    out = np.zeros((len(texts), encoder.dimension), np.float32)
    for start in range(0, len(order), batch_size):
        picked = order[start : start + batch_size]
        out[picked] = encoder._encode_batch([texts[i] for i in picked])
    return out


@pytest.mark.parametrize("count", [1, 4])
def test_encode_counted_is_bit_for_bit_the_previous_encoding(count: int) -> None:
    encoder = shared_encoder()
    texts = SENTENCES[:count]
    vectors, tokens = encoder.encode_counted(texts)
    assert np.array_equal(vectors, _sorted_batches(encoder, texts))
    assert np.array_equal(encoder.encode(texts), vectors)
    assert tokens == encoder.count_tokens(texts)


def test_more_texts_than_a_batch_are_batched_as_before() -> None:
    encoder = shared_encoder()
    texts = SENTENCES[:5]  # three batches of at most two
    vectors, tokens = encoder.encode_counted(texts, batch_size=2)
    assert np.array_equal(vectors, _sorted_batches(encoder, texts, batch_size=2))
    assert tokens == encoder.count_tokens(texts)
    empty, none = encoder.encode_counted([])
    assert empty.shape == (0, 384)
    assert none == 0


async def test_runner_gives_the_encoders_vectors_from_its_own_thread() -> None:
    runner = shared_runner()
    vectors, tokens = await runner.encode(SENTENCES[:3])
    expected, counted = shared_encoder().encode_counted(SENTENCES[:3])
    assert np.array_equal(vectors, expected)
    assert tokens == counted
    assert shared_runner(None) is runner  # one per process and model folder
    assert shared_encoder(None) is shared_encoder()


class CountingRunner(EncoderRunner):
    """A runner whose computations wait for ``release`` and are counted (and named)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[list[str], str]] = []
        self.release = threading.Event()

    def _encode(self, texts: list[str]) -> tuple[Array, int]:
        self.calls.append((texts, threading.current_thread().name))
        self.release.wait(10)
        return np.full((len(texts), 384), float(len(self.calls)), np.float32), len(texts)


async def _until(condition: object) -> None:
    for _ in range(1000):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never met")


async def test_concurrent_calls_for_the_same_text_share_one_computation() -> None:
    runner = CountingRunner()
    first = asyncio.create_task(runner.encode(["question"]))
    await _until(lambda: runner.calls)
    second = asyncio.create_task(runner.encode(["question"]))
    other = asyncio.create_task(runner.encode(["another question"]))
    await asyncio.sleep(0.02)
    runner.release.set()
    (a, _), (b, _), (c, _) = await asyncio.gather(first, second, other)
    assert [texts for texts, _ in runner.calls] == [["question"], ["another question"]]
    assert a is b
    assert not np.array_equal(a, c)
    assert {thread for _, thread in runner.calls} == {runner.calls[0][1]}
    assert runner.calls[0][1].startswith("minilm")


async def test_nothing_is_kept_once_computed() -> None:
    runner = CountingRunner()
    runner.release.set()
    await runner.encode(["question"])
    await runner.encode(["question"])
    assert len(runner.calls) == 2  # asked again later: embedded again
    assert runner._running == {}


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    runner = CountingRunner()
    first = asyncio.create_task(runner.encode(["question"]))
    await _until(lambda: runner.calls)
    second = asyncio.create_task(runner.encode(["question"]))
    await asyncio.sleep(0.01)
    first.cancel()
    runner.release.set()
    vectors, tokens = await second
    assert vectors.shape == (1, 384)
    assert tokens == 1
    assert first.cancelled()
    assert len(runner.calls) == 1


async def test_a_failure_reaches_every_caller_and_is_not_kept() -> None:
    class Failing(EncoderRunner):
        def _encode(self, texts: list[str]) -> tuple[Array, int]:
            raise ValueError("broken")

    runner = Failing()
    results = await asyncio.gather(
        runner.encode(["q"]), runner.encode(["q"]), return_exceptions=True
    )
    assert [type(r) for r in results] == [ValueError, ValueError]
    assert runner._running == {}


async def test_a_forked_process_starts_its_own_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CountingRunner()
    runner.release.set()
    await runner.encode(["question"])
    parent = runner._executor
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as seen from a child after fork
    await runner.encode(["question"])
    assert runner._executor is not parent
    assert len(runner.calls) == 2
