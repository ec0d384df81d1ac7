"""Contract 1.3 field rules of ``QueryRequest`` on both query endpoints (shared app)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from lightspeed_core.auth.base import ANONYMOUS_USER_ID
from lightspeed_core.llm.prompts import DEFAULT_TOPIC_SUMMARY_PROMPT
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp

pytestmark = pytest.mark.xdist_group("app")
ENDPOINTS = ["/v1/query", "/v1/streaming_query"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 16
TYPES = (
    "{'alert', 'api object', 'configuration', 'error message', 'event', 'image', 'log', "
    "'stack trace'}"
)
CONTENT_TYPES = (
    "{'application/json', 'application/xml', 'application/yaml', 'image/jpeg', 'image/png', "
    "'text/plain'}"
)
MISMATCH = "attachment_type and content_type are inconsistent"  # the reference's texts


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def attachment(kind: str, content_type: str, content: str) -> dict[str, str]:
    return {"attachment_type": kind, "content_type": content_type, "content": content}


def last_chat(backend: BackgroundServer) -> dict[str, Any]:
    chats = [
        r
        for r in backend.backend.requests
        if r["messages"][0].get("content") != DEFAULT_TOPIC_SUMMARY_PROMPT
    ]
    return chats[-1]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("item", "cause"),
    [
        (
            attachment("bogus", "text/plain", "x"),
            f"Invalid attachment type bogus: must be one of {TYPES}",
        ),
        (
            attachment("log", "text/html", "x"),
            f"Invalid attachment content type text/html: must be one of {CONTENT_TYPES}",
        ),
        (attachment("image", "text/plain", "x"), MISMATCH),
        (attachment("log", "image/png", b64(PNG)), MISMATCH),
        (
            attachment("image", "image/png", "not base64!"),
            "Invalid base64 content for image attachment",
        ),
        (
            attachment("image", "image/png", b64(JPEG)),
            "invalid image data",
        ),
        (
            attachment("image", "image/jpeg", b64(PNG)),
            "invalid image data",
        ),
    ],
)
async def test_invalid_attachments_are_422(
    client: httpx.AsyncClient, endpoint: str, item: dict[str, str], cause: str
) -> None:
    response = await client.post(endpoint, json={"query": "q", "attachments": [item]})
    assert response.status_code == 422
    assert response.json() == {"detail": {"response": "Invalid attribute value", "cause": cause}}


async def test_attachment_schema_is_strict(client: httpx.AsyncClient) -> None:
    item = {**attachment("log", "text/plain", "x"), "name": "extra"}
    response = await client.post("/v1/query", json={"query": "q", "attachments": [item]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_text_attachments_are_inlined(
    client: httpx.AsyncClient, clear_requests: BackgroundServer, endpoint: str
) -> None:
    items = [
        attachment("log", "text/plain", "line 1\nline 2"),
        attachment("configuration", "application/yaml", "a: 1"),
    ]
    body = {"query": "What failed?", "attachments": items, "generate_topic_summary": False}
    response = await client.post(endpoint, json=body)
    assert response.status_code == 200
    sent = last_chat(clear_requests)["messages"][-1]
    assert sent == {
        "role": "user",
        "content": "What failed?\n\n[Attachment: log]\nline 1\nline 2"
        "\n\n[Attachment: configuration]\na: 1",
    }


@pytest.mark.parametrize(("content_type", "data"), [("image/png", PNG), ("image/jpeg", JPEG)])
async def test_images_are_sent_as_image_parts(
    client: httpx.AsyncClient, clear_requests: BackgroundServer, content_type: str, data: bytes
) -> None:
    items = [attachment("image", content_type, b64(data)), attachment("log", "text/plain", "x")]
    body = {"query": "Look", "attachments": items, "generate_topic_summary": False}
    assert (await client.post("/v1/query", json=body)).status_code == 200
    content = last_chat(clear_requests)["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "Look\n\n[Attachment: log]\nx"}
    assert content[1]["type"] == "image_url"
    assert content[1]["image_url"]["url"] == f"data:{content_type};base64,{b64(data)}"


async def test_conversation_id_forms_are_normalised(app: RunningApp) -> None:
    client = app.client
    first = await client.post("/v1/query", json={"query": "hi", "generate_topic_summary": False})
    cid = first.json()["conversation_id"]
    for form in (cid, f"conv_{cid}", cid.upper(), f"conv_{cid.upper()}"):
        reply = await client.post("/v1/query", json={"query": "again", "conversation_id": form})
        assert reply.status_code == 200
        assert reply.json()["conversation_id"] == cid
    uuid_id = "123e4567-e89b-12d3-a456-426614174000"
    turns = await app.services.conversations.turns(cid)
    await app.services.conversations.record(ANONYMOUS_USER_ID, uuid_id, turns[0], None)
    reply = await client.post(
        "/v1/query", json={"query": "again", "conversation_id": uuid_id.upper()}
    )
    assert reply.status_code == 200
    assert reply.json()["conversation_id"] == uuid_id
    assert len(await app.services.conversations.turns(uuid_id)) == 2


@pytest.mark.parametrize(
    ("directive", "status", "summary"),
    [
        ("[[error:context]]", 413, "Prompt is too long"),
        ("[[error:413]]", 413, "Prompt is too long"),
        ("[[error:429]]", 429, "The model quota has been exceeded"),
        ("[[error:500]]", 500, "Internal server error"),
    ],
)
async def test_stream_errors_are_events(
    client: httpx.AsyncClient, directive: str, status: int, summary: str
) -> None:
    response = await client.post("/v1/streaming_query", json={"query": directive})
    assert response.status_code == 200
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line]
    assert [e["event"] for e in events] == ["start", "error"]
    assert events[1]["data"]["status_code"] == status
    assert events[1]["data"]["response"] == summary
    text = await client.post(
        "/v1/streaming_query", json={"query": directive, "media_type": "text/plain"}
    )
    assert text.text.startswith(f"Status: {status} - {summary} - ")
