"""OGX keeps no prompt or answer text, even when the run.yaml profile declares its stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.conversations.support import ALICE, OWN_ONLY, converse
from tests.support.app import running_app, stub_config

pytestmark = pytest.mark.xdist_group("conversations")

QUESTION = "Where does the zebra4711 sleep?"
ANSWER = "The quokka0815 naps under the gum tree"


def production_profile(state: Path) -> dict[str, Any]:
    """The shape of the usual lightspeed-stack run.yaml: every store declared, on SQLite."""
    sql = {"backend": "sql_default"}
    return {
        "version": 2,
        "distro_name": "lightspeed-production-shaped",
        "apis": ["files", "inference", "responses", "tool_runtime", "vector_io"],
        "providers": {
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {
                        "storage_dir": str(state / "files"),
                        "metadata_store": {**sql, "table_name": "files_metadata"},
                    },
                }
            ],
            "responses": [
                {
                    "provider_id": "builtin",
                    "provider_type": "inline::builtin",
                    "config": {
                        "persistence": {
                            "agent_state": {"backend": "kv_default", "namespace": "agent_state"},
                            "responses": {**sql, "table_name": "responses"},
                        }
                    },
                }
            ],
        },
        "storage": {
            "backends": {
                "kv_default": {"type": "kv_sqlite", "db_path": str(state / "kv_store.db")},
                "sql_default": {"type": "sql_sqlite", "db_path": str(state / "sql_store.db")},
            },
            "stores": {
                "metadata": {"backend": "kv_default", "namespace": "registry"},
                "inference": {**sql, "table_name": "inference_store"},
                "conversations": {**sql, "table_name": "openai_conversations"},
                "prompts": {"backend": "kv_default", "namespace": "prompts"},
            },
        },
    }


def files_containing(folder: Path, *needles: str) -> list[str]:
    """Every file under ``folder`` whose bytes contain one of ``needles``."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path}: {n!r}" for n in needles if n.encode() in data]
    return found


async def test_ogx_files_hold_no_question_or_answer(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    state = tmp_path / "ogx-profile-state"
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(production_profile(state)))
    config = stub_config(
        scripted.base_url,
        llama_stack={"config": {"profile": "run.yaml", "baseline": None}},
        authorization=OWN_ONLY,
    )
    prompt = f"{QUESTION} [[say:{ANSWER}]]"
    async with running_app(config, tmp_path) as app:
        cid = await converse(app, prompt, prompt)
        body = {"query": prompt, "conversation_id": cid}
        streamed = await app.client.post("/v1/streaming_query", json=body, params=ALICE)
        assert streamed.status_code == 200
        assert "quokka0815" in streamed.text
        deleted = await app.client.delete(f"/v1/conversations/{cid}", params=ALICE)
        assert deleted.status_code == 200, deleted.text
    # the profile's SQLite files exist (OGX used them) but hold nothing of the exchange
    assert (state / "sql_store.db").is_file()
    assert files_containing(state, "zebra4711", "quokka0815") == []
    assert files_containing(tmp_path / "data", "zebra4711", "quokka0815") == []
    # nor does anything else the service wrote (its own database overwrites deleted rows)
    assert files_containing(tmp_path, "zebra4711", "quokka0815") == []
