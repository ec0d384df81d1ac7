"""Every section parses with its defaults, and the defaults are those of the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from lightspeed_core.config import (
    built_in_default_configuration,
    dump_configuration,
    load_configuration,
)
from lightspeed_core.config.models import Configuration

from .helpers import REPO_ROOT, load, minimal


def test_minimal_document_gets_reference_defaults() -> None:
    cfg = load(minimal())
    assert cfg.service.host == "localhost"
    assert cfg.service.port == 8080
    assert cfg.service.workers == 1
    assert cfg.service.root_path == ""
    assert cfg.service.cors.allow_origins == ["*"]
    assert cfg.service.cors.allow_credentials is False
    assert cfg.service.cors.allow_methods == ["*"]
    assert cfg.service.cors.allow_headers == ["*"]
    assert cfg.llama_stack.timeout == 180
    assert cfg.llama_stack.max_retries == 5
    assert cfg.llama_stack.retry_delay == 2
    assert cfg.llama_stack.use_as_library_client is False
    assert cfg.database.sqlite is not None
    assert str(cfg.database.sqlite.db_path) == "/tmp/lightspeed-stack.db"
    assert cfg.database.db_type == "sqlite"
    assert cfg.authentication.module == "noop"
    assert cfg.authorization is None
    assert cfg.inference.max_infer_iters == 10
    assert cfg.inference.max_tool_calls == 30
    assert cfg.conversation_cache.type is None
    assert cfg.compaction.enabled is False
    assert cfg.compaction.threshold_ratio == 0.7
    assert cfg.approvals.approval_timeout_seconds == 300
    assert cfg.approvals.approval_retention_days == 30
    assert cfg.quota_handlers.limiters == []
    assert cfg.quota_handlers.scheduler.period == 1
    assert cfg.quota_handlers.scheduler.database_reconnection_count == 10
    assert cfg.quota_handlers.scheduler.database_reconnection_delay == 1
    assert cfg.rag.byok.max_chunks == 10
    assert cfg.rag.okp.max_chunks == 5
    assert cfg.rag.retrieval.inline.max_chunks == 10
    assert cfg.saved_prompts.max_prompts_per_user == 50
    assert cfg.deployment_environment == "development"
    assert cfg.mcp_servers == []
    assert cfg.shields == []


@pytest.mark.parametrize(
    ("section", "block"),
    [
        ("service", {}),
        ("database", {}),
        ("mcp_servers", []),
        ("authentication", {}),
        ("authorization", {}),
        ("customization", {}),
        ("inference", {}),
        ("conversation_cache", {}),
        ("compaction", {}),
        ("approvals", {}),
        ("vector_store", {}),
        ("a2a_state", {}),
        ("quota_handlers", {}),
        ("rlsapi_v1", {}),
        ("splunk", {}),
        ("observability", {}),
        ("rag", {}),
        ("rag", {"byok": {}, "okp": {}, "retrieval": {"inline": {}, "tool": {}}}),
        ("skills", {}),
        ("saved_prompts", {}),
        ("shields", []),
        ("user_data_collection", {}),
    ],
)
def test_each_section_parses_with_defaults(section: str, block: object) -> None:
    cfg = load(minimal(**{section: block}))
    assert getattr(cfg, section) is not None


def test_null_optional_sections_are_accepted() -> None:
    cfg = load(minimal(authorization=None, customization=None, splunk=None, skills=None))
    assert cfg.splunk is None


@pytest.mark.parametrize(
    "block",
    [
        {"url": "http://localhost:8321"},
        {"use_as_library_client": True, "library_client_config_path": "run.yaml"},
        {"use_as_library_client": True, "config": {}},
    ],
)
def test_llama_stack_modes(block: dict[str, object]) -> None:
    assert load(minimal(llama_stack=block)).llama_stack is not None


def test_library_mode_with_inference_providers_only() -> None:
    cfg = load(
        minimal(
            llama_stack={"use_as_library_client": True},
            inference={"providers": [{"type": "ollama"}]},
        )
    )
    assert cfg.uses_unified_synthesis
    assert cfg.inference.providers[0].provider_id == "ollama"


def test_built_in_default() -> None:
    cfg = built_in_default_configuration(environ={"LIGHTSPEED_CORE_DATA_DIR": "/srv/lcore"})
    assert cfg.name == "Lightspeed Core"
    assert cfg.service.host == "127.0.0.1"
    assert cfg.service.port == 8080
    assert cfg.llama_stack.use_as_library_client is True
    assert cfg.llama_stack.url is None
    assert cfg.llama_stack.config is not None
    assert cfg.llama_stack.config.baseline == "default"
    assert cfg.user_data_collection.feedback_enabled is False
    assert cfg.user_data_collection.transcripts_enabled is False
    assert cfg.database.sqlite is not None
    assert cfg.database.sqlite.db_path == Path("/srv/lcore/lightspeed.db")


def test_built_in_default_data_dir_falls_back_to_home() -> None:
    cfg = built_in_default_configuration(environ={})
    assert cfg.database.sqlite is not None
    expected = Path("~/.local/share/lightspeed-core/lightspeed.db").expanduser()
    assert cfg.database.sqlite.db_path == expected


@pytest.mark.parametrize("environ", [{}, {"LIGHTSPEED_CORE_DATA_DIR": "/var/lib/lcore"}])
def test_example_file_equals_built_in_default(environ: dict[str, str]) -> None:
    example = load_configuration(REPO_ROOT / "examples" / "lightspeed-stack.yaml", environ=environ)
    default = built_in_default_configuration(environ=environ)
    assert example.database.db_type == default.database.db_type == "sqlite"
    assert example.llama_stack.library_mode
    assert default.llama_stack.library_mode
    assert dump_configuration(example) == dump_configuration(default)


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    from lightspeed_core.config.introspect import unwrap

    def visit(annotation: object) -> None:
        bare, _ = unwrap(annotation)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            if bare not in seen:
                seen.add(bare)
                _models(bare, seen)
            return
        for arg in getattr(bare, "__args__", ()):
            visit(arg)

    for info in model.model_fields.values():
        visit(info.annotation)


def test_every_model_forbids_extra_keys_and_is_frozen() -> None:
    seen: set[type[BaseModel]] = {Configuration}
    _models(Configuration, seen)
    assert len(seen) > 50
    for model in seen:
        assert model.model_config.get("extra") == "forbid", model
        assert model.model_config.get("frozen") is True, model
