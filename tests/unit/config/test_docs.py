from __future__ import annotations

from pydantic import BaseModel

from lightspeed_core.config.docs import render_config_docs
from lightspeed_core.config.introspect import unwrap
from lightspeed_core.config.models import Configuration

from .helpers import REPO_ROOT


def test_committed_reference_is_up_to_date() -> None:
    committed = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render_config_docs(), (
        "docs/configuration.md is stale: run "
        "`uv run python -m lightspeed_core.config.docs > docs/configuration.md`"
    )


def _all_fields(model: type[BaseModel], prefix: str, out: dict[str, str | None]) -> None:
    for name, info in model.model_fields.items():
        out[f"{prefix}{model.__name__}.{name}"] = info.description
        stack = [info.annotation]
        while stack:
            bare, _ = unwrap(stack.pop())
            if isinstance(bare, type) and issubclass(bare, BaseModel):
                if not any(key.startswith(f"{bare.__name__}.") for key in out):
                    _all_fields(bare, "", out)
            else:
                stack.extend(getattr(bare, "__args__", ()))


def test_every_key_has_a_description() -> None:
    fields: dict[str, str | None] = {}
    _all_fields(Configuration, "", fields)
    missing = [name for name, description in fields.items() if not description]
    assert missing == []


def test_every_key_appears_in_the_reference() -> None:
    text = render_config_docs()
    for key in (
        "`service.cors.allow_origins`",
        "`mcp_servers[].require_approval.always`",
        "`shields[].config.rules[].pattern`",
        "`authentication.jwk_config.jwt_configuration.role_rules[].operator`",
        "`vector_store.providers[].config.password`",
        "`rag.retrieval.inline.reranker.model`",
        "`quota_handlers.scheduler.database_reconnection_delay`",
    ):
        assert key in text
    assert "python -m lightspeed_core.config.docs > docs/configuration.md" in text
