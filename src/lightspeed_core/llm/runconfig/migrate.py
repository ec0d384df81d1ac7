"""``--migrate-config``: a legacy two-file setup lifted into one ``lightspeed-stack.yaml``.

The operator's OGX run config (``library_client_config_path`` or ``--run-yaml``) becomes
``llama_stack.config.native_override`` over ``baseline: empty``, as in the reference, and
``library_client_config_path`` goes. Every other key of the file is kept as written (the
raw YAML, ``${env.*}`` references unresolved).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def migrate_configuration(config: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` (raw ``lightspeed-stack.yaml``) with ``run`` as its native override."""
    migrated = copy.deepcopy(dict(config))
    stack = dict(migrated.get("llama_stack") or {})
    stack.pop("library_client_config_path", None)
    stack["use_as_library_client"] = True
    stack["config"] = {"baseline": "empty", "native_override": copy.deepcopy(dict(run))}
    migrated["llama_stack"] = stack
    return migrated
