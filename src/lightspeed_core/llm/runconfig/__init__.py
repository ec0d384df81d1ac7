"""Synthesis of the OGX run config used in library mode.

``synthesize_run_config(config, paths)`` = baseline (built-in default, ``empty``, a
``profile`` file or the legacy ``library_client_config_path``) → skeleton (the APIs and
providers this service needs, added only where missing) → ``inference.providers`` →
``llama_stack.config.native_override`` (deep merge). The result is written with mode 0600.
"""

from lightspeed_core.llm.runconfig.synthesize import SynthesizedRunConfig, synthesize_run_config

__all__ = ["SynthesizedRunConfig", "synthesize_run_config"]
