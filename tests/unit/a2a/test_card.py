"""The agent card from the configuration (contract 10): defaults, keys, the card file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.a2a.card import (
    AgentCardError,
    build_card,
    card_document,
    missing_card_reason,
)
from lightspeed_core.config import Configuration, configuration_from_data, load_configuration

BASE: dict[str, Any] = {
    "name": "card test",
    "service": {},
    "llama_stack": {"url": "http://localhost:8321"},
    "user_data_collection": {},
}


def config(**sections: Any) -> Configuration:
    return configuration_from_data({**BASE, **sections}, environ={})


def dumped(configuration: Configuration, folder: Path) -> dict[str, Any]:
    card = build_card(configuration, folder, "9.9.9")
    assert card is not None
    return card.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_defaults_as_the_reference(tmp_path: Path) -> None:
    card = dumped(config(customization={"agent_card_config": {}}), tmp_path)
    assert card == {
        "name": "Lightspeed AI Assistant",
        "description": "",
        "version": "9.9.9",
        "url": "http://localhost:8080/a2a",
        "documentationUrl": "http://localhost:8080/docs",
        "skills": [],
        "capabilities": {
            "streaming": True,
            "pushNotifications": False,
            "stateTransitionHistory": False,
        },
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["text/plain"],
        "preferredTransport": "JSONRPC",
        "protocolVersion": "0.3.0",
        "security": [{"bearer": []}],
        "supportedInterfaces": [
            {
                "url": "http://localhost:8080/a2a",
                "protocolBinding": "JSONRPC",
                "protocolVersion": "1.0",
            },
            {
                "url": "http://localhost:8080/a2a",
                "protocolBinding": "JSONRPC",
                "protocolVersion": "0.3",
            },
        ],
    }


def test_configured_card(tmp_path: Path) -> None:
    card_config = {
        "name": "OpenShift Assistant",
        "description": "Helps with clusters",
        "provider": {"organization": "Red Hat", "url": "https://redhat.com"},
        "skills": [
            {
                "id": "troubleshoot",
                "name": "Troubleshooting",
                "description": "Finds out what is wrong",
                "tags": ["openshift"],
                "inputModes": ["text/plain"],
                "output_modes": ["text/markdown"],
                "examples": ["Why is my pod pending?"],
            }
        ],
        "capabilities": {"streaming": False, "push_notifications": False},
        "defaultOutputModes": ["text/markdown"],
        "security": [{"oauth": ["read"]}],
        "security_schemes": {"oauth": {"type": "http", "scheme": "bearer"}},
    }
    configured = config(
        service={"base_url": "https://ls.example.com/"},
        customization={"agent_card_config": card_config},
    )
    card = dumped(configured, tmp_path)
    assert card["url"] == "https://ls.example.com/a2a"
    assert card["documentationUrl"] == "https://ls.example.com/docs"
    assert card["provider"] == {"organization": "Red Hat", "url": "https://redhat.com"}
    (skill,) = card["skills"]
    assert skill["inputModes"] == ["text/plain"]
    assert skill["outputModes"] == ["text/markdown"]
    assert skill["examples"] == ["Why is my pod pending?"]
    assert card["capabilities"]["streaming"] is False
    assert card["defaultOutputModes"] == ["text/markdown"]
    assert card["security"] == [{"oauth": ["read"]}]
    assert card["securitySchemes"] == {"oauth": {"type": "http", "scheme": "bearer"}}


def test_card_file_relative_to_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "card.yaml").write_text("name: From a file\nskills: []\n")
    card = dumped(config(customization={"agent_card_path": "card.yaml"}), tmp_path)
    assert card["name"] == "From a file"


def test_no_card_and_the_reference_texts(tmp_path: Path) -> None:
    assert build_card(config(), tmp_path, "1") is None
    assert missing_card_reason(config()) == "Customization configuration not found"
    empty = config(customization={"system_prompt": "x"})
    assert build_card(empty, tmp_path, "1") is None
    assert missing_card_reason(empty) == "Agent card configuration not found"


def test_invalid_cards_stop_start_up(tmp_path: Path) -> None:
    broken = config(customization={"agent_card_config": {"skills": [{"id": "s"}]}})
    with pytest.raises(AgentCardError, match=r"^customization.agent_card_config: not a valid"):
        build_card(broken, tmp_path, "1")
    missing = config(customization={"agent_card_path": "nowhere.yaml"})
    with pytest.raises(AgentCardError, match=r"^customization.agent_card_path: cannot read"):
        build_card(missing, tmp_path, "1")
    (tmp_path / "list.yaml").write_text("- a\n")
    with pytest.raises(AgentCardError, match="not a YAML mapping"):
        build_card(config(customization={"agent_card_path": "list.yaml"}), tmp_path, "1")


def test_document_keeps_snake_and_camel_keys() -> None:
    document = card_document({"protocol_version": "0.3.1", "defaultInputModes": ["a"]}, None, "1")
    assert (document["protocolVersion"], document["defaultInputModes"]) == ("0.3.1", ["a"])


def test_the_example_configuration(tmp_path: Path) -> None:
    example = Path(__file__).parents[3] / "examples" / "lightspeed-stack-a2a.yaml"
    configuration = load_configuration(example, environ={"LIGHTSPEED_CORE_DATA_DIR": "/data"})
    assert configuration.a2a_state.sqlite is not None
    card = dumped(configuration, example.parent)
    assert card["url"] == "http://127.0.0.1:8080/a2a"
    assert card["skills"][0]["id"] == "answer"
