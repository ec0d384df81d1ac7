"""Shaping of conversation bodies: IDs from paths, timestamps, chat history entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lightspeed_core.conversations.service import timestamp
from lightspeed_core.conversations.sources import conversation_id_from_path, turn_body
from lightspeed_core.errors import BadRequestError
from lightspeed_core.schemas.conversations import ConversationDeleteResponse

HEX48 = "f36589cbe1fcb61b0f3fd6d947988b43a393d568af0537c2"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (HEX48, HEX48),
        (f"conv_{HEX48}", HEX48),
        (HEX48.upper(), HEX48),
        ("123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
    ],
)
def test_conversation_ids_are_normalised(raw: str, normalised: str) -> None:
    assert conversation_id_from_path(raw) == normalised


@pytest.mark.parametrize("raw", ["bad", "conv_123", "g" * 48, f"conv_conv_{HEX48}"])
def test_malformed_ids_are_400(raw: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        conversation_id_from_path(raw)
    assert caught.value.response == "Invalid conversation ID format"
    assert caught.value.cause == f"The conversation ID {raw} has invalid format."


def test_turn_timestamps_are_utc_seconds_with_z() -> None:
    local = datetime(2026, 11, 22, 4, 27, 28, 999_000, tzinfo=timezone(timedelta(hours=2)))
    assert timestamp(local) == "2026-11-22T02:27:28Z"
    assert timestamp(datetime(2026, 11, 22, 2, 27, 28)) == "2026-11-22T02:27:28Z"  # noqa: DTZ001
    assert timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


def test_turn_body_field_order_matches_the_reference() -> None:
    body = turn_body(
        "Say hello",
        "Hello from stub",
        "openai",
        "gpt-4o-mini",
        ("2026-11-22T02:27:28Z", "2026-11-22T02:27:29Z"),
        ([], [], []),
    )
    assert body.model_dump_json() == (
        '{"messages":[{"content":"Say hello","type":"user","referenced_documents":null},'
        '{"content":"Hello from stub","type":"assistant","referenced_documents":null}],'
        '"tool_calls":[],"tool_results":[],"provider":"openai","model":"gpt-4o-mini",'
        '"started_at":"2026-11-22T02:27:28Z","completed_at":"2026-11-22T02:27:29Z"}'
    )


def test_turn_body_keeps_documents_and_tools() -> None:
    body = turn_body(
        "q",
        "a",
        None,
        None,
        ("s", "c"),
        (
            [{"doc_url": "https://x", "doc_title": "X", "source": None, "document_id": None}],
            [{"id": "1", "name": "t", "args": {"a": 1}, "type": "tool_call"}],
            [{"id": "1", "status": "success", "content": "r", "type": "tool_result", "round": 1}],
        ),
    )
    assert body.provider == body.model == ""
    documents = body.messages[1].referenced_documents
    assert documents is not None
    assert documents[0].doc_title == "X"
    assert body.tool_calls[0].args == {"a": 1}
    assert body.tool_results[0].round == 1


def test_delete_body() -> None:
    assert ConversationDeleteResponse.of("c", True).model_dump() == {
        "deleted": True,
        "conversation_id": "c",
        "response": "Conversation deleted successfully",
        "success": True,
    }
    assert ConversationDeleteResponse.of("c", False).response == "Conversation not found"
