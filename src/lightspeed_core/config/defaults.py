"""The configuration used when no ``lightspeed-stack.yaml`` exists.

It runs everything in-process: OGX in library mode with the embedded local-model baseline
(``llama_stack.config.baseline: default``), SQLite under the user's data directory, no
feedback or transcript collection, listening on 127.0.0.1 only.
``examples/lightspeed-stack.yaml`` is the same configuration written as YAML.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from lightspeed_core.config.models.databases import (
    DatabaseConfiguration,
    SQLiteDatabaseConfiguration,
)
from lightspeed_core.config.models.llama_stack import (
    LlamaStackConfiguration,
    UnifiedLlamaStackConfig,
)
from lightspeed_core.config.models.root import Configuration
from lightspeed_core.config.models.service import ServiceConfiguration
from lightspeed_core.config.models.user_data import UserDataCollection

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_DATA_DIR",
    "DEFAULT_SERVICE_NAME",
    "built_in_default_configuration",
    "data_dir",
]

DATA_DIR_ENV = "LIGHTSPEED_CORE_DATA_DIR"
DEFAULT_DATA_DIR = "~/.local/share/lightspeed-core"
DEFAULT_SERVICE_NAME = "Lightspeed Core"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return ``$LIGHTSPEED_CORE_DATA_DIR`` if set and non-empty, else the default data dir."""
    env = os.environ if environ is None else environ
    return Path(env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR).expanduser()


def built_in_default_configuration(environ: Mapping[str, str] | None = None) -> Configuration:
    """Return the built-in default configuration (see the module docstring)."""
    return Configuration(
        name=DEFAULT_SERVICE_NAME,
        service=ServiceConfiguration(host="127.0.0.1", port=8080),
        llama_stack=LlamaStackConfiguration(
            use_as_library_client=True,
            config=UnifiedLlamaStackConfig(baseline="default"),
        ),
        user_data_collection=UserDataCollection(feedback_enabled=False, transcripts_enabled=False),
        database=DatabaseConfiguration(
            sqlite=SQLiteDatabaseConfiguration(db_path=data_dir(environ) / "lightspeed.db")
        ),
    )
