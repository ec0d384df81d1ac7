"""The reference CLI's one-shot tools; each does its work and exits.

``-m``/``-gr`` (the API's body schemas), ``--synthesized-config-output`` (the OGX run
config of library mode), ``--migrate-config --run-yaml X --migrate-output Y``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from lightspeed_core.config import ConfigError
from lightspeed_core.config.settings import Environment
from lightspeed_core.schemas.groups import GROUPS, group_schemas

MODELS_FILE = "models.json"


def add_tool_options(parser: argparse.ArgumentParser) -> None:
    """The tools' options, on the main parser (as in ``lightspeed-stack``)."""
    parser.add_argument(
        "-m",
        "--dump-models",
        action="store_true",
        help=f"write the JSON schemas of the API's request and response bodies to {MODELS_FILE}, "
        "grouped (see -gr), and exit",
    )
    parser.add_argument(
        "-gr",
        "--dump-models-group",
        choices=GROUPS,
        metavar="GROUP",
        help="with -m: write only this group, one of: " + ", ".join(GROUPS),
    )
    parser.add_argument(
        "--synthesized-config-output",
        type=Path,
        metavar="PATH",
        help="write the OGX run config that library mode synthesises from the configuration "
        "(-c) to PATH (mode 0600; ${env.*} references kept) and exit",
    )
    parser.add_argument(
        "--migrate-config",
        action="store_true",
        help="lift a legacy setup (the configuration -c plus an OGX run.yaml) into one "
        "configuration: the run.yaml becomes llama_stack.config.native_override over "
        "baseline: empty; needs --migrate-output",
    )
    parser.add_argument(
        "--run-yaml",
        type=Path,
        metavar="FILE",
        help="with --migrate-config: the run.yaml to lift (default: the configuration's "
        "llama_stack.library_client_config_path)",
    )
    parser.add_argument(
        "--migrate-output",
        type=Path,
        metavar="FILE",
        help="with --migrate-config: where to write the migrated configuration",
    )


def wants_tool(args: argparse.Namespace) -> bool:
    return bool(args.dump_models or args.synthesized_config_output or args.migrate_config)


def run_tool(args: argparse.Namespace, env: Environment) -> int:
    """Run the requested tool; 0 on success, 1 (message on stderr) on a problem."""
    try:
        if args.migrate_config:
            return _migrate(args)
        if args.synthesized_config_output:
            return _synthesize(args, env)
        return _dump_models(args, env)
    except ConfigError as error:
        _fail(str(error))
    except (OSError, yaml.YAMLError, ValueError) as error:
        _fail(f"{type(error).__name__}: {error}")
    return 1


def _fail(message: str) -> None:
    print(message, file=sys.stderr)  # noqa: T201


def _dump_models(args: argparse.Namespace, env: Environment) -> int:
    from lightspeed_core.app import create_app, load_settings

    openapi = create_app(load_settings(args.config, env)).openapi()
    grouped: dict[str, Any] = group_schemas(openapi)
    if args.dump_models_group:
        grouped = {args.dump_models_group: grouped[args.dump_models_group]}
    Path(MODELS_FILE).write_text(json.dumps(grouped, indent=2))
    count = sum(len(group) for group in grouped.values())
    print(f"{count} models written to {MODELS_FILE}")  # noqa: T201
    return 0


def _synthesize(args: argparse.Namespace, env: Environment) -> int:
    from lightspeed_core.app import load_settings
    from lightspeed_core.llm.runconfig import synthesize_run_config

    settings = load_settings(args.config, env)
    if not settings.config.llama_stack.library_mode:
        _fail("the configuration uses server mode (llama_stack.url): nothing is synthesised")
        return 1
    output: Path = args.synthesized_config_output
    run = synthesize_run_config(
        settings.config, settings.config_dir, env.ogx_state_dir, output, env.variables
    )
    print(f"OGX run config written to {run.path}")  # noqa: T201
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from lightspeed_core.llm.runconfig.migrate import migrate_configuration

    if args.config is None or args.migrate_output is None:
        _fail("--migrate-config needs the configuration (-c FILE) and --migrate-output FILE")
        return 1
    config = yaml.safe_load(args.config.read_text())
    if not isinstance(config, dict):
        _fail(f"{args.config} is not a YAML mapping")
        return 1
    run_yaml: Path | None = args.run_yaml
    if run_yaml is None:
        legacy = (config.get("llama_stack") or {}).get("library_client_config_path")
        if not legacy:
            _fail("give --run-yaml: the configuration has no library_client_config_path")
            return 1
        run_yaml = args.config.resolve().parent / legacy
    run = yaml.safe_load(run_yaml.read_text())
    if not isinstance(run, dict):
        _fail(f"{run_yaml} is not a YAML mapping")
        return 1
    migrated = migrate_configuration(config, run)
    args.migrate_output.write_text(yaml.safe_dump(migrated, sort_keys=False))
    print(f"migrated configuration written to {args.migrate_output}")  # noqa: T201
    return 0
