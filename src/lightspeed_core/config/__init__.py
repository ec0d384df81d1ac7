"""Configuration: the ``lightspeed-stack.yaml`` models, loader and helpers.

Build the configuration once, in ``main()``, and pass it down::

    from lightspeed_core.config import load_configuration
    cfg = load_configuration(Path("lightspeed-stack.yaml"))   # raises ConfigError

Modules: ``models`` (pydantic models), ``loader`` (file -> Configuration), ``envsubst``
(``${env.*}``), ``checks`` (file-system checks), ``redact`` (safe dumps and JSON schema),
``inactive`` (keys without effect yet), ``defaults`` (configuration used without a file),
``docs`` (generates docs/configuration.md).
"""

from __future__ import annotations

from lightspeed_core.config.checks import check_runtime_paths
from lightspeed_core.config.defaults import built_in_default_configuration
from lightspeed_core.config.errors import ConfigError, ConfigProblem
from lightspeed_core.config.inactive import inactive_settings
from lightspeed_core.config.loader import configuration_from_data, load_configuration
from lightspeed_core.config.models.root import Configuration
from lightspeed_core.config.redact import config_json_schema, dump_configuration

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "Configuration",
    "built_in_default_configuration",
    "check_runtime_paths",
    "config_json_schema",
    "configuration_from_data",
    "dump_configuration",
    "inactive_settings",
    "load_configuration",
]
