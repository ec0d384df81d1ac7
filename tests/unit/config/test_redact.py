from __future__ import annotations

import json

from lightspeed_core.config import config_json_schema, dump_configuration
from lightspeed_core.config.redact import MASK

from .helpers import load, minimal

SECRETS = ("llama-secret", "pg-secret", "key-secret", "azure-secret", "override-secret")


def secret_configuration() -> dict[str, object]:
    return minimal(
        llama_stack={
            "url": "http://x:1",
            "api_key": "llama-secret",
            "config": {"native_override": {"x": {"api_key": "override-secret"}}},
        },
        database={"postgres": {"db": "d", "user": "u", "password": "pg-secret"}},
        authentication={"module": "api-key-token", "api_key_config": {"api_key": "key-secret"}},
        azure_entra_id={"tenant_id": "t", "client_id": "c", "client_secret": "azure-secret"},
    )


def test_dump_masks_every_secret() -> None:
    dumped = dump_configuration(load(secret_configuration()))
    text = json.dumps(dumped)
    for secret in SECRETS:
        assert secret not in text
    assert dumped["llama_stack"]["api_key"] == MASK
    assert dumped["database"]["postgres"]["password"] == MASK
    assert dumped["llama_stack"]["config"]["native_override"]["x"]["api_key"] == MASK


def test_dump_is_json_compatible_and_keeps_other_values() -> None:
    dumped = dump_configuration(load(minimal()))
    assert json.loads(json.dumps(dumped)) == dumped
    assert dumped["database"]["sqlite"]["db_path"] == "/tmp/lightspeed-stack.db"
    assert dumped["service"]["port"] == 8080


def test_schema_uses_reference_names() -> None:
    schema = config_json_schema()
    assert schema["title"] == "Configuration"
    assert schema["additionalProperties"] is False
    definitions = schema["$defs"]
    for name in (
        "ServiceConfiguration",
        "LlamaStackConfiguration",
        "ModelContextProtocolServer",
        "QuestionValidityShieldConfiguration",
        "RedactionShieldConfiguration",
        "FaissVectorStoreProvider",
        "Action",
    ):
        assert name in definitions
    assert definitions["LlamaStackConfiguration"]["properties"]["api_key"]["anyOf"][0] == {
        "format": "password",
        "type": "string",
        "writeOnly": True,
    }
