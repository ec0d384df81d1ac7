"""Where the service keeps local state (OGX storage, the default SQLite database ...).

``LIGHTSPEED_CORE_DATA_DIR`` overrides the default ``~/.local/share/lightspeed-core``
(see :func:`lightspeed_core.config.defaults.data_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path

from lightspeed_core.config.defaults import data_dir

SYNTHESIZED_RUN_CONFIG_ENV = "LIGHTSPEED_STACK_SYNTHESIZED_CONFIG_PATH"

__all__ = ["data_dir", "ogx_state_dir", "synthesized_run_config_path"]


def ogx_state_dir() -> Path:
    """OGX's storage in library mode (its registry, files, vector indexes)."""
    return data_dir() / "ogx"


def synthesized_run_config_path() -> Path:
    """Where the synthesized OGX run config is written."""
    configured = os.environ.get(SYNTHESIZED_RUN_CONFIG_ENV)
    return Path(configured).expanduser() if configured else ogx_state_dir() / "run.yaml"
