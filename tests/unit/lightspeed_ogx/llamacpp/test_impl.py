"""The OGX provider object: chat completions, streaming, serialisation, cancel, shutdown."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from lightspeed_ogx.llamacpp.generate import ContextLengthExceededError
from lightspeed_ogx.llamacpp.impl import LlamaCppInference

from .chat import Make, complete, content, open_stream, request, stream
from .fakes import BOS, FakeTokenModel

PROMPT = "Question: Why?\nAnswer:"
PROMPT_TOKENS = 1 + len(PROMPT)
SCRIPT = [b" ", b"Pods", b" run", b" cont", "ainers é".encode()[:-1], b"\xa9", b".\n\nQu", b"x"]


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_non_streaming_answer_with_usage(make: Make) -> None:
    model = FakeTokenModel(SCRIPT)
    result = await complete(make(model), request())
    assert result.model == "gemma-3-270m"
    choice = result.choices[0]
    assert (choice.message.content, choice.finish_reason) == ("Pods run containers é.", "stop")
    assert result.usage.model_dump(exclude_none=True) == {
        "prompt_tokens": PROMPT_TOKENS,
        "completion_tokens": 7,
        "total_tokens": PROMPT_TOKENS + 7,
    }
    assert model.prompts == [[BOS, *PROMPT.encode()]]


async def test_streamed_deltas_concatenate_to_the_non_streamed_text(make: Make) -> None:
    whole = await complete(make(FakeTokenModel(SCRIPT)), request())
    params = request(stream=True, stream_options={"include_usage": True})
    chunks = await stream(make(FakeTokenModel(SCRIPT)), params)
    assert content(chunks) == whole.choices[0].message.content
    first, finish, usage = chunks[0], chunks[-2], chunks[-1]
    assert (first.choices[0].delta.role, first.choices[0].delta.content) == ("assistant", "")
    assert (finish.choices[0].finish_reason, finish.choices[0].delta.content) == ("stop", None)
    assert (usage.choices, usage.usage) == ([], whole.usage)
    assert len({c.id for c in chunks}) == 1
    for chunk in chunks[1:-2]:
        assert "\n" not in chunk.choices[0].delta.content
        assert chunk.choices[0].finish_reason is None


async def test_usage_chunk_only_on_request(make: Make) -> None:
    chunks = await stream(make(FakeTokenModel(SCRIPT)), request(stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
async def test_token_limit_finishes_with_length(make: Make, field: str) -> None:
    result = await complete(make(FakeTokenModel(filler=b"ab")), request(**{field: 3}))
    assert (result.choices[0].message.content, result.choices[0].finish_reason) == (
        "ababab",
        "length",
    )
    assert result.usage.completion_tokens == 3
    chunks = await stream(make(FakeTokenModel(filler=b"ab")), request(stream=True, **{field: 3}))
    assert (content(chunks), chunks[-1].choices[0].finish_reason) == ("ababab", "length")


async def test_max_tokens_is_bounded_by_the_remaining_context(make: Make) -> None:
    impl = make(FakeTokenModel(filler=b"a", n_ctx=PROMPT_TOKENS + 4), max_tokens=1000)
    result = await complete(impl, request(max_tokens=500))
    assert (result.usage.completion_tokens, result.choices[0].finish_reason) == (4, "length")


async def test_a_prompt_longer_than_the_context_is_rejected(make: Make) -> None:
    model = FakeTokenModel([b"ok"], n_ctx=PROMPT_TOKENS + 1)
    impl = make(model)
    with pytest.raises(ContextLengthExceededError, match="context_length_exceeded"):
        await complete(impl, request("Why?" + " padding" * 10))
    chunks = await open_stream(impl, request("Why?" * 5, stream=True))
    assert (await anext(chunks)).choices[0].delta.content == ""  # the role chunk comes first
    with pytest.raises(ContextLengthExceededError, match="context length"):
        await anext(chunks)
    assert model.sampling == []
    result = await complete(impl, request())
    assert result.choices[0].message.content == "ok"


async def test_request_stop_sequences_join_the_configured_ones(make: Make) -> None:
    pieces = [b"A", b"E", b"N", b"D", b" B"]
    result = await complete(make(FakeTokenModel(pieces)), request(stop="END"))
    assert (result.choices[0].message.content, result.choices[0].finish_reason) == ("A", "stop")
    chunks = await stream(make(FakeTokenModel(pieces)), request(stop=["END"], stream=True))
    assert content(chunks) == "A"
    default = [b"A", b"\n", b"\n", b"B"]
    result = await complete(make(FakeTokenModel(default)), request(stop=["END"]))
    assert result.choices[0].message.content == "A"


async def test_sampling_settings_come_from_request_extra_body_and_config(make: Make) -> None:
    model = FakeTokenModel([b"x"])
    impl = make(model, temperature=0.0, repeat_penalty=1.5)
    await complete(impl, request())
    await complete(impl, request(temperature=0.8, repeat_penalty=1.1))
    assert model.sampling == [
        {"temp": 0.0, "repeat_penalty": 1.5, "top_k": 1},
        {"temp": 0.8, "repeat_penalty": 1.1},
    ]


async def test_concurrent_requests_run_one_at_a_time(make: Make) -> None:
    model = FakeTokenModel(filler=b"a", delay=0.002)
    impl = make(model)
    results = await asyncio.gather(*(complete(impl, request(max_tokens=5)) for _ in range(3)))
    assert [r.choices[0].message.content for r in results] == ["aaaaa"] * 3
    assert model.most_active == 1


async def test_closing_a_stream_early_stops_the_generation(make: Make) -> None:
    model = FakeTokenModel(filler=b"a", delay=0.001)
    impl = make(model)
    chunks = await open_stream(impl, request(stream=True, max_tokens=100_000))
    seen = [await anext(chunks) for _ in range(3)]
    assert content(seen) == "aa"
    await chunks.aclose()
    await until(lambda: model.active == 0)
    result = await complete(impl, request(max_tokens=2))
    assert result.choices[0].message.content == "aa"


async def test_cancelling_the_caller_stops_the_generation(make: Make) -> None:
    model = FakeTokenModel(filler=b"a", delay=0.001)
    impl = make(model)
    task = asyncio.create_task(complete(impl, request(max_tokens=100_000)))
    assert await asyncio.to_thread(model.started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert model.active == 0
    assert model.yielded < 100_000
    result = await complete(impl, request(max_tokens=1))
    assert result.choices[0].finish_reason == "length"


async def test_shutdown_cancels_the_generation_in_flight_and_frees_the_model_once(
    make: Make,
) -> None:
    model = FakeTokenModel(filler=b"a", delay=0.001)
    impl = make(model)
    chunks = await open_stream(impl, request(stream=True, max_tokens=100_000))
    seen = [await anext(chunks), await anext(chunks)]
    await asyncio.wait_for(impl.shutdown(), 5)
    assert model.close_calls == 1
    assert model.misuse == []
    assert model.active == 0
    assert not any(thread.is_alive() for thread in model.threads)
    assert model.yielded < 100_000
    seen += [chunk async for chunk in chunks]
    assert seen[-1].choices[0].finish_reason == "stop"
    assert set(content(seen)) == {"a"}
    await impl.shutdown()
    assert model.close_calls == 1
    assert await impl.health() == {"status": "Error"}


async def test_a_request_after_shutdown_fails_without_touching_the_model(make: Make) -> None:
    model = FakeTokenModel([b"x"])
    impl = make(model)
    await impl.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        await complete(impl, request())
    with pytest.raises(RuntimeError, match="shut down"):
        await stream(impl, request(stream=True))
    assert (model.sampling, model.misuse, model.close_calls) == ([], [], 1)


async def test_a_request_queued_during_shutdown_fails_with_the_clear_error(make: Make) -> None:
    model = FakeTokenModel(filler=b"a", delay=0.001)
    impl = make(model)
    chunks = await open_stream(impl, request(stream=True, max_tokens=100_000))
    assert content([await anext(chunks), await anext(chunks)]) == "a"  # holds the lock now
    queued = asyncio.create_task(complete(impl, request()))
    await impl.shutdown()
    assert not queued.done()
    assert [chunk async for chunk in chunks][-1].choices[0].finish_reason == "stop"
    with pytest.raises(RuntimeError, match="shut down"):
        await queued
    assert (len(model.sampling), model.misuse, model.close_calls) == (1, [], 1)


async def race_shutdown(impl: LlamaCppInference, model: FakeTokenModel) -> asyncio.Task[Any]:
    """Shut down while one request generates and another waits for the lock."""
    first = asyncio.create_task(complete(impl, request(max_tokens=100_000)))
    assert await asyncio.to_thread(model.started.wait, 5)
    queued = asyncio.create_task(complete(impl, request(max_tokens=200)))
    await asyncio.sleep(0.01)
    await asyncio.wait_for(impl.shutdown(), 5)
    assert (await first).choices[0].finish_reason == "stop"
    return queued


@pytest.mark.parametrize(
    "late",
    [
        "join",  # the thread join returns late: the queued request takes the lock meanwhile
        "start",  # asyncio's default executor is busy: the pool shutdown starts late
    ],
)
async def test_a_request_taking_the_lock_during_shutdown_is_refused(
    make: Make, monkeypatch: pytest.MonkeyPatch, late: str
) -> None:
    model = FakeTokenModel(filler=b"a", delay=0.001)
    impl = make(model)
    join = impl._pool.shutdown

    def slow_shutdown(wait: bool = True, *, cancel_futures: bool = False) -> None:
        if late == "start":
            time.sleep(0.3)
        join(wait=wait, cancel_futures=cancel_futures)
        if late == "join":
            time.sleep(0.3)

    monkeypatch.setattr(impl._pool, "shutdown", slow_shutdown)
    queued = await race_shutdown(impl, model)
    with pytest.raises(RuntimeError, match="shut down"):
        await queued
    assert impl._running is None
    assert len(model.sampling) == 1


async def test_shutdown_of_a_provider_that_never_loaded_a_model(make: Make) -> None:
    impl = make(None)
    await impl.shutdown()
    assert await impl.health() == {"status": "Error"}


async def test_health_models_and_unsupported_endpoints(make: Make) -> None:
    impl = make(FakeTokenModel(), model_id="tiny", n_ctx=512)
    impl.__provider_id__ = "lightspeed-llamacpp"
    assert await impl.health() == {"status": "OK"}
    assert await impl.should_refresh_models() is False
    models = await impl.list_models()
    assert models is not None
    assert [(m.identifier, m.provider_id, m.metadata) for m in models] == [
        ("tiny", "lightspeed-llamacpp", {"context_length": 512})
    ]
    with pytest.raises(NotImplementedError):
        await impl.openai_completion(None)
    with pytest.raises(NotImplementedError):
        await impl.openai_embeddings(None)
