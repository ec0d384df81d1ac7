from __future__ import annotations

from typing import Any

import pytest

from lightspeed_core.config import built_in_default_configuration, inactive_settings
from lightspeed_core.config.inactive import INACTIVE_SETTINGS

from .helpers import load, minimal

# One document per row of INACTIVE_SETTINGS that sets exactly that key.
CASES: dict[str, dict[str, Any]] = {
    "splunk.enabled": {
        "splunk": {"enabled": True, "url": "https://s", "token_path": "/t", "index": "i"}
    },
    "skills": {"skills": {"paths": ["/skills"]}},
    "compaction.enabled": {"compaction": {"enabled": True}},
    "approvals": {"approvals": {"approval_timeout_seconds": 60}},
    "rlsapi_v1": {"rlsapi_v1": {"allow_verbose_infer": True}},
    "rag.okp": {"rag": {"okp": {"max_chunks": 3}}},
    "rag.retrieval.inline.reranker.enabled": {
        "rag": {"retrieval": {"inline": {"reranker": {"enabled": True}}}}
    },
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


def test_okp_listed_as_source_counts_as_set() -> None:
    cfg = load(minimal(rag={"retrieval": {"inline": {"sources": ["okp"]}}}))
    assert [m.split(" ")[0] for m in inactive_settings(cfg)] == ["rag.okp"]


def test_splunk_block_disabled_is_not_reported() -> None:
    assert inactive_settings(load(minimal(splunk={"enabled": False}))) == []
