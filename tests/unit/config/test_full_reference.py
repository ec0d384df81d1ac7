"""A reference-service configuration using every section loads cleanly."""

from __future__ import annotations

from pathlib import Path

from lightspeed_core.config import Configuration, load_configuration
from lightspeed_core.config.models import (
    PgvectorVectorStoreProvider,
    QuestionValidityShieldConfiguration,
    RedactionShieldConfiguration,
)
from lightspeed_core.vocabulary.actions import Action

from .helpers import DATA_DIR

ENV = {"PG_PASSWORD": "pg-secret", "API_KEY": "api-secret", "AZURE_SECRET": "azure-secret"}
FULL = DATA_DIR / "full-reference.yaml"


def load_full() -> Configuration:
    return load_configuration(FULL, environ=ENV)


def test_every_top_level_section_is_set() -> None:
    cfg = load_full()
    assert cfg.model_fields_set == set(Configuration.model_fields)


def test_values() -> None:
    cfg = load_full()
    assert cfg.service.port == 8443
    assert cfg.service.root_path == "/api/lightspeed"
    assert cfg.service.tls_config.tls_key_path == Path("/etc/tls/tls.key")
    assert cfg.llama_stack.api_key is not None
    assert cfg.llama_stack.api_key.get_secret_value() == "api-secret"
    assert cfg.llama_stack.config is not None
    assert cfg.llama_stack.config.profile == FULL.parent.absolute() / "profiles" / "run.yaml"
    assert cfg.database.db_type == "postgres"
    assert cfg.database.postgres is not None
    assert cfg.database.postgres.port == 5432
    assert cfg.database.postgres.password.get_secret_value() == "pg-secret"
    assert [server.name for server in cfg.mcp_servers] == [
        "filesystem-tools",
        "github-api",
        "secret-server",
    ]
    assert cfg.mcp_servers[2].require_approval == "always"
    assert cfg.authentication.module == "jwk-token"
    assert cfg.authentication.jwk_config is not None
    assert len(cfg.authentication.jwk_config.jwt_configuration.role_rules) == 4
    assert cfg.authorization is not None
    assert cfg.authorization.access_rules[1].actions == [Action.ADMIN]
    assert cfg.inference.providers[2].provider_id == "rhaiis"
    assert cfg.inference.providers[1].provider_id == "sentence-transformers"
    assert cfg.inference.max_tool_calls is None
    provider = cfg.vector_store.providers[1]
    assert isinstance(provider, PgvectorVectorStoreProvider)
    assert provider.id == "pg-dynamic"
    assert cfg.rag.byok.stores[1].port == 5432
    assert isinstance(cfg.shields[0], QuestionValidityShieldConfiguration)
    assert isinstance(cfg.shields[1], RedactionShieldConfiguration)
    compiled = cfg.shields[1].config.compiled()
    assert compiled[0][0].sub("[SSN]", "id 123-45-6789") == "id [SSN]"
    assert cfg.quota_handlers.limiters[1].type == "cluster_limiter"
    assert cfg.splunk is not None
    assert cfg.splunk.index == "rhel_lightspeed"
    assert cfg.observability.otel == {"OTEL_SERVICE_NAME": "lightspeed-stack"}
