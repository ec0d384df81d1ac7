"""Topic summaries: a separate short model call for a new conversation's first question.

Not charged to quota, and never on the request path: :class:`TopicSummarizer` queues the
work and runs it one call at a time when the worker is quiet (no query in flight and none
started for ``QUIET`` seconds), or once an item has waited ``max_wait`` seconds, so steady
load cannot starve it. Under a
burst of new conversations the answers are not slowed by a second model call each; the
topics arrive shortly after. Interrupted streams schedule theirs the same way.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import LLMBackend, ResponseRequest
from lightspeed_core.tracing import NOOP_SPAN, Span

log = logging.getLogger(__name__)
MAX_TOPIC_TOKENS = 24
MAX_PENDING = 10_000
QUIET = 0.2  # seconds without a new query before background summaries run

Store = Callable[[str, str, str], Awaitable[object]]  # (user_id, conversation_id, topic)


def clean_topic(text: str) -> str:
    """One line, no quotes or trailing punctuation, at most 1000 characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    previous = None
    while line != previous:
        previous = line
        line = line.strip().strip("\"'`*").rstrip(".!?:;")
    return line[:1000]


async def summarize_topic(llm: LLMBackend, model: str, question: str, prompt: str) -> str:
    """The topic of ``question`` in a few words ("" when the call fails)."""
    request = ResponseRequest(
        model=model,
        input=[{"role": "user", "content": question}],
        instructions=prompt,
        max_output_tokens=MAX_TOPIC_TOKENS,
    )
    try:
        text = await llm.complete(request)
    except LightspeedError as error:
        log.warning("topic summary failed: %s", error.cause)
        return ""
    return clean_topic(text)


@dataclass(frozen=True, slots=True)
class TopicJob:
    """A summary waiting to be generated."""

    user_id: str
    conversation_id: str
    model: str
    question: str
    queued_at: float
    parent: Span = NOOP_SPAN  # the request's span: ``topic.summary`` is its child


class TopicSummarizer:
    """Low-priority queue of topic summaries (per process; see module docstring)."""

    def __init__(
        self, llm: LLMBackend, prompt: str, store: Store, *, max_wait: float = 30.0
    ) -> None:
        self.llm = llm
        self.prompt = prompt
        self.store = store
        self.max_wait = max_wait
        self._pending: collections.deque[TopicJob] = collections.deque(maxlen=MAX_PENDING)
        self._wakeup = asyncio.Event()
        self._in_flight = 0
        self._last_start = 0.0
        self._flushing = False  # closing: run pending summaries without waiting for quiet
        self._working = False  # a summary is being generated
        self._task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Mark a query in flight while the block runs."""
        self._in_flight += 1
        self._last_start = time.monotonic()
        try:
            yield
        finally:
            self._in_flight -= 1

    def schedule(
        self,
        user_id: str,
        conversation_id: str,
        model: str,
        question: str,
        *,
        parent: Span = NOOP_SPAN,
    ) -> None:
        """Queue a summary; it is written with ``store`` when generated."""
        if len(self._pending) == self._pending.maxlen:
            log.warning("topic summary queue full; dropping the oldest pending summary")
        job = TopicJob(user_id, conversation_id, model, question, time.monotonic(), parent)
        self._pending.append(job)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="topic-summaries")
        self._wakeup.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def _run(self) -> None:
        while True:
            while not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            now = time.monotonic()
            quiet = self._flushing or (self._in_flight == 0 and now - self._last_start >= QUIET)
            if not quiet and now - self._pending[0].queued_at < self.max_wait:
                await asyncio.sleep(QUIET / 2)
                continue
            job = self._pending.popleft()
            self._working = True
            try:
                await self._summarize(job)
            finally:
                self._working = False

    async def _summarize(self, job: TopicJob) -> None:
        with job.parent.child("topic.summary") as span:
            span.event("topic.summary.task.started")
            topic = await summarize_topic(self.llm, job.model, job.question, self.prompt)
            span.set({"topic.summary.success": bool(topic)})
            span.event("topic.summary.task.finished")
        if not topic:
            return
        try:
            await self.store(job.user_id, job.conversation_id, topic)
        except Exception:  # a lost topic is logged; the turn itself is stored
            log.exception("storing the topic of %s failed", job.conversation_id)

    async def close(self, grace: float = 10.0) -> None:
        """Finish pending summaries for up to ``grace`` seconds, then stop.

        They run at once, one after another: requests still counted in flight (a request
        cancelled at shutdown may never finish) no longer hold them back.
        """
        deadline = time.monotonic() + grace
        self._flushing = True
        running = self._task is not None and not self._task.done()
        while running and (self._pending or self._working) and time.monotonic() < deadline:
            self._wakeup.set()
            await asyncio.sleep(0.05)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pending:
            log.warning("%d topic summaries not generated before shutdown", len(self._pending))
