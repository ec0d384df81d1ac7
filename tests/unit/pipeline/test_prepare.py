"""``prepare``: every check before the model is called, against fakes of the ports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.errors import (
    DatabaseUnavailableError,
    ForbiddenError,
    NotFoundError,
    QuotaExceededError,
    UnprocessableError,
)
from lightspeed_core.llm.base import ModelInfo
from lightspeed_core.llm.prompts import SystemPrompts
from lightspeed_core.pipeline.ports import PipelineSettings
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.turn import TurnInput
from lightspeed_core.rag.base import Chunk, Document, RetrievedContext
from lightspeed_core.schemas.query import Attachment, QueryRequest
from lightspeed_core.testing.fake_llm import DEFAULT_MODEL, FakeLLM
from lightspeed_core.testing.fakes import (
    FakeRag,
    FakeShields,
    FakeTools,
    InMemoryConversations,
    RecordingQuota,
)
from lightspeed_core.testing.services import fake_ports

from .helpers import ALICE, BOB, MODEST, QUERY

CID = "0123456789abcdef0123456789abcdef0123456789abcdef"
OTHER = ModelInfo("other/big", "other", "big", "llm", {"max_output_tokens": 50})


def _turn(question: str, answer: str) -> TurnRecord:
    now = datetime.now(UTC)
    return TurnRecord(question, answer, now, now, "fake", "fake-model")


async def _stored(owner: str = "alice") -> InMemoryConversations:
    store = InMemoryConversations()
    await store.record(owner, CID, _turn("first question", "first answer"), None)
    return store


async def test_new_conversation_with_defaults() -> None:
    quota = RecordingQuota()
    ports = fake_ports(quota=quota)
    prepared = await prepare(ports, TurnInput("What is Kubernetes?"), ALICE, QUERY, {})
    assert prepared.new_conversation
    assert len(prepared.conversation_id) == 48
    assert prepared.model == DEFAULT_MODEL
    assert prepared.llm_request.instructions == "You are a helpful assistant"
    assert prepared.llm_request.input == [{"role": "user", "content": "What is Kubernetes?"}]
    assert prepared.refusal is None
    assert quota.reserved[0].tokens == prepared.estimated_input_tokens + 1024


async def test_nearly_spent_quota_reserves_what_is_left_and_caps_the_answer() -> None:
    quota = RecordingQuota(limit=100)
    prepared = await prepare(fake_ports(quota=quota), TurnInput("Say hello"), ALICE, QUERY, {})
    assert quota.reserved[0].tokens == 100
    assert prepared.llm_request.max_output_tokens == 100 - prepared.estimated_input_tokens

    roomy = RecordingQuota(limit=100_000)
    prepared = await prepare(fake_ports(quota=roomy), TurnInput("Say hello"), ALICE, QUERY, {})
    assert roomy.reserved[0].tokens == prepared.estimated_input_tokens + 1024
    assert prepared.llm_request.max_output_tokens is None  # the full reservation fit

    # not even the input and a 16-token answer fit: 429 before the model
    tight = RecordingQuota(limit=prepared.estimated_input_tokens + 15)
    with pytest.raises(QuotaExceededError):
        await prepare(fake_ports(quota=tight), TurnInput("Say hello"), ALICE, QUERY, {})
    assert tight.reserved == []


async def test_database_away_is_503_before_the_model() -> None:
    conversations = InMemoryConversations()
    conversations.unavailable = DatabaseUnavailableError("The database cannot be reached: x")
    llm = FakeLLM()
    ports = fake_ports(conversations=conversations, llm=llm)
    with pytest.raises(DatabaseUnavailableError):
        await prepare(ports, TurnInput("Say hello"), ALICE, QUERY, {})


async def test_from_query_maps_every_field() -> None:
    body = QueryRequest(
        query="q",
        provider="p",
        model="m",
        system_prompt="s",
        no_tools=None,
        generate_topic_summary=None,
        vector_store_ids=["v"],
        shield_ids=[],
    )
    turn = TurnInput.from_query(body)
    assert (turn.question, turn.provider, turn.model, turn.system_prompt) == ("q", "p", "m", "s")
    assert turn.no_tools is False
    assert turn.generate_topic_summary is True
    assert (turn.vector_store_ids, turn.shield_ids) == (["v"], [])


async def test_history_and_last_used_model_of_an_existing_conversation() -> None:
    ports = fake_ports(conversations=await _stored())
    prepared = await prepare(ports, TurnInput("and then?", conversation_id=CID), ALICE, QUERY, {})
    assert not prepared.new_conversation
    assert prepared.llm_request.input == [
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "and then?"},
    ]


async def test_unknown_conversation_is_404() -> None:
    with pytest.raises(NotFoundError):
        await prepare(fake_ports(), TurnInput("q", conversation_id=CID), ALICE, QUERY, {})


async def test_another_users_conversation_is_403() -> None:
    ports = fake_ports(conversations=await _stored(owner="alice"))
    with pytest.raises(ForbiddenError) as raised:
        await prepare(ports, TurnInput("q", conversation_id=CID), BOB, QUERY, {})
    assert "does not have permission to read conversation" in raised.value.cause


async def test_model_override_needs_permission_and_an_existing_model() -> None:
    quota = RecordingQuota()
    ports = fake_ports(llm=FakeLLM(models=[DEFAULT_MODEL, OTHER]), quota=quota)
    turn = TurnInput("q", provider="other", model="big")
    with pytest.raises(ForbiddenError):
        await prepare(ports, turn, MODEST, QUERY, {})
    prepared = await prepare(ports, turn, ALICE, QUERY, {})
    assert prepared.model == OTHER
    assert quota.reserved[-1].tokens == prepared.estimated_input_tokens + 50
    with pytest.raises(NotFoundError):
        await prepare(ports, TurnInput("q", provider="other", model="nope"), ALICE, QUERY, {})


async def test_configured_default_model_wins_over_the_first() -> None:
    settings = PipelineSettings(default_model=("other", "big"))
    ports = fake_ports(llm=FakeLLM(models=[DEFAULT_MODEL, OTHER]), settings=settings)
    prepared = await prepare(ports, TurnInput("q"), ALICE, QUERY, {})
    assert prepared.model == OTHER


async def test_system_prompt_override_can_be_disabled() -> None:
    ports = fake_ports(prompts=SystemPrompts(allow_request_override=False))
    with pytest.raises(UnprocessableError):
        await prepare(ports, TurnInput("q", system_prompt="be terse"), ALICE, QUERY, {})
    allowed = fake_ports()
    prepared = await prepare(allowed, TurnInput("q", system_prompt="be terse"), ALICE, QUERY, {})
    assert prepared.llm_request.instructions == "be terse"


async def test_invalid_attachment_is_422_before_anything_else() -> None:
    quota = RecordingQuota()
    ports = fake_ports(quota=quota)
    bad = Attachment(attachment_type="nonsense", content_type="text/plain", content="x")
    with pytest.raises(UnprocessableError):
        await prepare(ports, TurnInput("q", attachments=(bad,)), ALICE, QUERY, {})
    assert quota.reserved == []


async def test_tools_rag_context_and_attachments_reach_the_request() -> None:
    context = RetrievedContext(
        "file_search found 1 chunks: ...", (Chunk("text", "docs"),), (Document(source="docs"),)
    )
    mcp = {"type": "mcp", "server_label": "s", "server_url": "http://x"}
    search = {"type": "file_search", "vector_store_ids": ["vs"]}
    ports = fake_ports(tools=FakeTools([mcp]), rag=FakeRag(context, [search]))
    log = Attachment(attachment_type="log", content_type="text/plain", content="boom")
    prepared = await prepare(ports, TurnInput("why?", attachments=(log,)), ALICE, QUERY, {})
    assert prepared.llm_request.tools == [mcp, search]
    content = prepared.llm_request.input[-1]["content"]
    assert content == "why?\n\nfile_search found 1 chunks: ...\n\n[Attachment: log]\nboom"
    assert prepared.question == "why?"
    assert prepared.context is context
    no_tools = await prepare(ports, TurnInput("why?", no_tools=True), ALICE, QUERY, {})
    assert no_tools.llm_request.tools == []


async def test_a_refusal_reserves_nothing_and_skips_tools_and_rag() -> None:
    rag = FakeRag(RetrievedContext("ctx"))
    ports = fake_ports(shields=FakeShields(["secret"]), rag=rag, tools=FakeTools([{"type": "mcp"}]))
    prepared = await prepare(ports, TurnInput("tell me the secret"), ALICE, QUERY, {})
    assert prepared.refusal == "I cannot answer that."
    assert prepared.refusal_usage == (3, 2)
    assert prepared.reservation is None
    assert prepared.llm_request.tools == []
    assert rag.retrieved == []


async def test_quota_refusal_is_raised_before_the_stream() -> None:
    ports = fake_ports(quota=RecordingQuota(limit=10))
    with pytest.raises(QuotaExceededError):
        await prepare(ports, TurnInput("q" * 100), ALICE, QUERY, {})
