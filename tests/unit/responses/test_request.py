"""A ``/v1/responses`` body as a ``TurnInput``: context, model, tools, options, size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.errors import ForbiddenError, NotFoundError, UnprocessableError
from lightspeed_core.pipeline.turn import Endpoint, ForkPoint
from lightspeed_core.responses.request import check_size, turn_input
from lightspeed_core.schemas.responses import ResponsesRequest
from lightspeed_core.testing.fakes import InMemoryConversations
from lightspeed_core.testing.services import fake_ports
from lightspeed_core.vocabulary.actions import Action
from tests.unit.pipeline.helpers import ALICE, BOB

RESPONSES = Endpoint("/v1/responses", Action.RESPONSES)
CID = "0123456789abcdef0123456789abcdef0123456789abcdef"


async def _store() -> InMemoryConversations:
    store = InMemoryConversations()
    now = datetime.now(UTC)
    for number in (1, 2):
        turn = TurnRecord(f"q{number}", f"a{number}", now, now, response_id=f"resp_{number}")
        await store.record("alice", CID, turn, None)
    return store


async def test_previous_response_continues_or_forks() -> None:
    ports = fake_ports(conversations=await _store())
    latest = ResponsesRequest(input="next", previous_response_id="resp_2")
    turn = await turn_input(ports, latest, ALICE, RESPONSES, {})
    assert turn.conversation_id == CID
    assert turn.fork is None
    older = latest.model_copy(update={"previous_response_id": "resp_1"})
    turn = await turn_input(ports, older, ALICE, RESPONSES, {})
    assert turn.conversation_id is None
    assert turn.fork == ForkPoint(CID, 1)
    unknown = ResponsesRequest(input="x", previous_response_id="resp_9")
    with pytest.raises(NotFoundError):
        await turn_input(ports, unknown, ALICE, RESPONSES, {})
    with pytest.raises(ForbiddenError):  # bob may not read alice's conversations
        await turn_input(ports, latest, BOB, RESPONSES, {})


async def test_body_fields_become_the_turn() -> None:
    body = ResponsesRequest.model_validate(
        {
            "input": [{"role": "user", "content": "Hello"}],
            "model": "openai/gpt-4o",
            "instructions": "Be brief.",
            "tools": [{"type": "function", "name": "f", "parameters": {}}],
            "tool_choice": "required",
            "text": {"format": {"type": "text"}},
            "temperature": 0.5,
            "max_output_tokens": 64,
            "include": ["file_search_call.results"],
            "store": False,
            "shield_ids": [],
            "generate_topic_summary": False,
        }
    )
    headers = {"x-lcs-merge-server-tools": "True"}
    turn = await turn_input(fake_ports(), body, ALICE, RESPONSES, headers)
    assert turn.question == "Hello"
    assert turn.input_items == ({"type": "message", "role": "user", "content": "Hello"},)
    assert (turn.provider, turn.model) == ("openai", "gpt-4o")
    assert turn.system_prompt == "Be brief."
    assert turn.client_tools is not None
    assert turn.client_tools[0]["name"] == "f"
    assert turn.merge_server_tools
    assert turn.store is False
    assert turn.generate_topic_summary is False
    assert turn.shield_ids == []
    options = turn.options
    assert options.raw_events == "final"
    assert options.extra == {"tool_choice": "required", "text": {"format": {"type": "text"}}}
    assert (options.temperature, options.max_output_tokens) == (0.5, 64)
    assert options.include == ("file_search_call.results",)


def test_schema_checks() -> None:
    with pytest.raises(ValidationError, match="mutually exclusive"):
        ResponsesRequest(input="x", conversation=CID, previous_response_id="resp_1")
    with pytest.raises(ValidationError, match="You cannot provide context by moderation"):
        ResponsesRequest(input="x", previous_response_id="modr_1")
    with pytest.raises(ValidationError, match="Improper conversation ID"):
        ResponsesRequest(input="x", conversation="nope")
    with pytest.raises(ValidationError):
        ResponsesRequest.model_validate({"input": "x", "unknown": 1})


def test_body_size_limit() -> None:
    check_size(b"x" * 65_536)
    check_size("é".encode() * 40_000)  # 80,000 bytes but 40,000 characters
    with pytest.raises(UnprocessableError):
        check_size(b"x" * 65_537)
