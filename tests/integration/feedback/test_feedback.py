"""``/v1/feedback`` and ``/v1/feedback/status`` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.conversations.support import ALICE, BOB, OWN_ONLY, converse
from tests.support.app import running_app, stub_config
from tests.support.wire import sample

pytestmark = pytest.mark.xdist_group("feedback")
ADMINS = {"access_rules": [{"role": "*", "actions": ["admin"]}]}


def feedback_config(
    base_url: str, storage: Path, database: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    data = {"feedback_enabled": True, "feedback_storage": str(storage)}
    return stub_config(base_url, user_data_collection=data, database=database, **overrides)


def body(conversation_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "user_question": "Say hello",
        "llm_response": "Hello from stub",
        **extra,
    }


async def test_feedback_is_stored_as_a_json_file(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    storage = tmp_path / "feedback"
    config = feedback_config(scripted.base_url, storage, database_block, authorization=OWN_ONLY)
    async with running_app(config, tmp_path) as app:
        cid = await converse(app, "Say hello")
        sent = body(f"conv_{cid}", sentiment=1, user_feedback="ok", categories=["other"])
        response = await app.client.post("/v1/feedback", json=sent, params=ALICE)
        assert response.status_code == 200
        assert response.text == sample("07-feedback.txt")[2].strip()
        (stored,) = storage.glob("*.json")
        record = json.loads(stored.read_text())
        assert list(record) == [
            "user_id",
            "timestamp",
            "conversation_id",
            "user_question",
            "llm_response",
            "sentiment",
            "user_feedback",
            "categories",
        ]
        assert record["user_id"] == "alice"
        assert {k: record[k] for k in sent} == sent
        assert len(stored.stem) == 36  # <uuid4>.json
        assert list(storage.iterdir()) == [stored]  # no temporary file left behind

        unknown = await app.client.post("/v1/feedback", json=body("b" * 48, sentiment=-1))
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == {
            "response": "Conversation not found",
            "cause": f"Conversation with ID {'b' * 48} does not exist",
        }
        foreign = await app.client.post("/v1/feedback", json=body(cid, sentiment=1), params=BOB)
        assert foreign.status_code == 403
        assert foreign.json()["detail"] == {
            "response": "User does not have permission to perform this action",
            "cause": f"User bob does not have permission to submit feedback for conversation "
            f"with ID {cid}",
        }
        invalid = await app.client.post("/v1/feedback", json=body(cid), params=ALICE)
        assert invalid.status_code == 422
        assert "At least one form of feedback" in invalid.json()["detail"][0]["msg"]
        assert len(list(storage.glob("*.json"))) == 1


async def test_disabled_feedback_is_403(scripted: BackgroundServer, tmp_path: Path) -> None:
    async with running_app(stub_config(scripted.base_url), tmp_path) as app:
        cid = await converse(app, "Say hello")
        response = await app.client.post("/v1/feedback", json=body(cid, sentiment=1), params=ALICE)
        assert response.status_code == 403
        assert response.json() == {
            "detail": {
                "response": "Storing feedback is disabled",
                "cause": "Storing feedback is disabled.",
            }
        }
        status = await app.client.get("/v1/feedback/status")
        assert status.json() == {"functionality": "feedback", "status": {"enabled": False}}


async def test_failed_write_is_a_clear_500(scripted: BackgroundServer, tmp_path: Path) -> None:
    storage = tmp_path / "feedback"
    database = {"sqlite": {"db_path": str(tmp_path / "db.sqlite")}}
    async with running_app(feedback_config(scripted.base_url, storage, database), tmp_path) as app:
        cid = await converse(app, "Say hello")
        storage.write_text("a file where the directory should be")
        response = await app.client.post("/v1/feedback", json=body(cid, sentiment=1), params=ALICE)
        assert response.status_code == 500
        assert response.json()["detail"] == {
            "response": "Failed to store feedback",
            "cause": f"Failed to store feedback at directory: {storage}",
        }


async def test_status_toggle_is_shared_and_survives_restart(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    storage = tmp_path / "feedback"
    config = feedback_config(scripted.base_url, storage, database_block, authorization=ADMINS)
    async with running_app(config, tmp_path) as app:
        cid = await converse(app, "Say hello")
        assert (await app.client.get("/v1/feedback/status")).json()["status"] == {"enabled": True}
        changed = await app.client.put("/v1/feedback/status", json={"status": False}, params=ALICE)
        assert changed.status_code == 200
        status = changed.json()["status"]
        assert list(status) == ["previous_status", "updated_status", "updated_by", "timestamp"]
        assert status["previous_status"] is True
        assert status["updated_status"] is False
        assert status["updated_by"] == "alice"
        refused = await app.client.post("/v1/feedback", json=body(cid, sentiment=1), params=ALICE)
        assert refused.status_code == 403
    async with running_app(config, tmp_path) as app:  # a restart keeps the toggle
        assert (await app.client.get("/v1/feedback/status")).json()["status"] == {"enabled": False}
        again = await app.client.put("/v1/feedback/status", json={"status": True})
        assert again.json()["status"]["previous_status"] is False
        accepted = await app.client.post("/v1/feedback", json=body(cid, sentiment=1), params=ALICE)
        assert accepted.status_code == 200
        await app.client.put("/v1/feedback/status", json={"status": False})
    edited = feedback_config(scripted.base_url, storage, database_block)
    edited["user_data_collection"]["feedback_enabled"] = False
    async with running_app(edited, tmp_path) as app:  # an edited configuration resets it
        assert (await app.client.get("/v1/feedback/status")).json()["status"] == {"enabled": False}
    async with running_app(config, tmp_path) as app:  # ... also when edited back
        assert (await app.client.get("/v1/feedback/status")).json()["status"] == {"enabled": True}


async def test_status_update_needs_admin(scripted: BackgroundServer, tmp_path: Path) -> None:
    async with running_app(stub_config(scripted.base_url), tmp_path) as app:
        denied = await app.client.put("/v1/feedback/status", json={"status": True}, params=ALICE)
        assert denied.status_code == 403
        assert denied.json()["detail"]["cause"] == (
            "User alice is not authorized to access this endpoint."
        )
        invalid = await app.client.put("/v1/feedback/status", json={"status": True, "x": 1})
        assert invalid.status_code in (403, 422)
