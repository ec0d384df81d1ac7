from __future__ import annotations

from typing import Any

import pytest

from lightspeed_core.config import built_in_default_configuration, inactive_settings
from lightspeed_core.config.inactive import INACTIVE_SETTINGS

from .helpers import load, minimal

# One document per row of INACTIVE_SETTINGS that sets exactly that key.
CASES: dict[str, dict[str, Any]] = {
    "approvals": {"approvals": {"approval_timeout_seconds": 60}},
    "rag.retrieval.tool.reranker.enabled": {
        "rag": {"retrieval": {"tool": {"reranker": {"enabled": True}}}}
    },
    "service.auth_enabled": {"service": {"auth_enabled": True}},
    "service.color_log": {"service": {"color_log": False}},
}


def test_every_row_has_a_case() -> None:
    assert sorted(row.key for row in INACTIVE_SETTINGS) == sorted(CASES)


def test_defaults_have_no_inactive_settings() -> None:
    assert inactive_settings(load(minimal())) == []
    assert inactive_settings(built_in_default_configuration()) == []


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_row_warns_only_for_its_key(key: str) -> None:
    (message,) = inactive_settings(load(minimal(**CASES[key])))
    assert message.startswith(key)
    assert message.endswith("the setting has no effect")


def test_okp_and_the_inline_reranker_work() -> None:
    inline = {"sources": ["okp"], "reranker": {"enabled": True}}
    cfg = load(minimal(rag={"okp": {"max_chunks": 3}, "retrieval": {"inline": inline}}))
    assert inactive_settings(cfg) == []


def test_okp_as_a_tool_works() -> None:
    cfg = load(minimal(rag={"retrieval": {"tool": {"sources": ["okp"], "max_chunks": 4}}}))
    assert inactive_settings(cfg) == []


def test_splunk_is_not_reported_enabled_or_not() -> None:
    assert inactive_settings(load(minimal(splunk={"enabled": False}))) == []
    enabled = {"enabled": True, "url": "https://s", "token_path": "/t", "index": "i"}
    assert inactive_settings(load(minimal(splunk=enabled))) == []


@pytest.mark.parametrize(
    "document",
    [
        {"skills": {"paths": ["/skills"]}},
        {"rlsapi_v1": {"allow_verbose_infer": True, "quota_subject": "user_id"}},
        {"compaction": {"enabled": True}},
    ],
    ids=["skills", "rlsapi_v1", "compaction"],
)
def test_implemented_features_are_not_reported(document: dict[str, Any]) -> None:
    assert inactive_settings(load(minimal(**document))) == []
