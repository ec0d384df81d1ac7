"""The ``lightspeed-core`` command (also installed as ``lightspeed-stack``).

``lightspeed-core [-c FILE]`` starts the service; ``lightspeed-core config check FILE``
validates a configuration; ``-d``/``-s``/``-m`` dump the configuration / its JSON schema /
the API's body schemas; ``--synthesized-config-output`` writes the OGX run config;
``--migrate-config`` lifts a legacy run.yaml into the configuration (``cli_tools.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lightspeed_core import __version__
from lightspeed_core.cli_tools import add_tool_options, run_tool, wants_tool
from lightspeed_core.config import (
    ConfigError,
    ConfigProblem,
    Configuration,
    check_runtime_paths,
    config_json_schema,
    dump_configuration,
    inactive_settings,
    load_configuration,
)
from lightspeed_core.config.settings import CONFIG_PATH_ENV, MULTIPROC_ENV, Environment
from lightspeed_core.log import setup_logging
from lightspeed_core.shutdown import UVICORN_MARGIN

log = logging.getLogger("lightspeed_core")

DESCRIPTION = """\
Lightspeed Core: an enterprise middleware service between client applications and LLM
backends, built on OGX. Without arguments it serves the API using ./lightspeed-stack.yaml,
or, if that file does not exist, a built-in configuration that runs a local model
in-process (no API key, no network) with SQLite storage on 127.0.0.1:8080.
"""
EPILOG = """\
examples:
  lightspeed-core                              serve (./lightspeed-stack.yaml or built-in default)
  lightspeed-core -c examples/lightspeed-stack.yaml
  lightspeed-core config check my.yaml         validate a file and list every problem
  lightspeed-core -d -c my.yaml                write configuration.json (secrets masked)
  lightspeed-core -m -gr requests              write models.json (the request bodies' schemas)
  lightspeed-core -c my.yaml --synthesized-config-output run.yaml
                                               write the OGX run config it synthesises
  lightspeed-core -c old.yaml --migrate-config --run-yaml run.yaml --migrate-output new.yaml
                                               one file instead of a config and a run.yaml

lightspeed-stack is the same command, under the reference service's name.

environment:
  LIGHTSPEED_CORE_DATA_DIR        where local state lives (~/.local/share/lightspeed-core)
  LIGHTSPEED_STACK_LOG_LEVEL      DEBUG, INFO (default), WARNING, ERROR
  SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_CA_CERTS, SENTRY_TRACES_SAMPLE_RATE
                                  report errors and traces to Sentry
  OPENAI_API_KEY, VLLM_URL, OLLAMA_URL
                                  enable that provider in the built-in configuration and
                                  make it the default model
"""


def build_parser() -> argparse.ArgumentParser:
    invoked = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    parser = argparse.ArgumentParser(
        prog=invoked if invoked == "lightspeed-stack" else "lightspeed-core",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-c",
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: ./lightspeed-stack.yaml, else the built-in one)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    parser.add_argument(
        "-d",
        "--dump-configuration",
        action="store_true",
        help="write the loaded configuration to configuration.json (secrets masked) and exit",
    )
    parser.add_argument(
        "-s",
        "--dump-schema",
        action="store_true",
        help="write the configuration's JSON schema to schema.json and exit",
    )
    add_tool_options(parser)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    config = commands.add_parser(
        "config",
        help="work with configuration files",
        description="Validate configuration files without starting the service.",
    )
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_commands.add_parser(
        "check",
        help="validate FILE and print every problem with its key path",
        description="Validate FILE: YAML syntax, ${env.*} variables, every key and value, and "
        "the files and folders it names. Exit status 0 = valid, 1 = problems found.",
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the lightspeed-stack.yaml to check")
    _add_rag_commands(commands)
    return parser


def _add_rag_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rag = commands.add_parser("rag", help="build RAG knowledge stores", description="RAG tools.")
    rag_commands = rag.add_subparsers(dest="rag_command", metavar="ACTION", required=True)
    index = rag_commands.add_parser(
        "index",
        help="index a folder of Markdown/PDF/text into a faiss store (offline)",
        description="Chunk and embed (all-MiniLM-L6-v2, offline) every Markdown, text and PDF "
        "file under FOLDER into a faiss store usable as a rag.byok.stores entry; prints the "
        "configuration snippet.",
    )
    index.add_argument("folder", type=Path, metavar="FOLDER", help="folder to index")
    index.add_argument("--store", required=True, metavar="NAME", help="store name and rag_id")
    index.add_argument(
        "--db", type=Path, metavar="PATH", help="output file (default: ./NAME.faiss.db)"
    )
    index.add_argument("--vector-db-id", metavar="ID", help="OGX vector store id (default: NAME)")
    index.add_argument(
        "--base-url", metavar="URL", help="doc_url = URL/<relative path> without front matter url"
    )


def _reranker_problems(config: Configuration, env: Environment, base: Path) -> list[ConfigProblem]:
    """The inline reranker enabled without its weights on this machine (start-up refuses it)."""
    from lightspeed_core.rag.reranker import find_weights, reranker_wanted

    enabled, explicit, model = reranker_wanted(config.rag)
    if not (enabled and explicit) or find_weights(model, env.variables, base) is not None:
        return []
    message = (
        f"the weights of the cross-encoder {model!r} are not on this machine (a folder with "
        "config.json, model.safetensors and tokenizer.json, or the local Hugging Face cache)"
    )
    return [ConfigProblem("rag.retrieval.inline.reranker.model", message)]


def config_check(path: Path) -> int:
    """Print every problem of ``path``; 0 when valid."""
    env = Environment.read()
    try:
        config = load_configuration(path, environ=env.variables)
    except ConfigError as error:
        print(f"{path}: {len(error.problems)} problem(s)")  # noqa: T201
        for problem in error.problems:
            print(f"  {problem.path or '<root>'}: {problem.message}")  # noqa: T201
        return 1
    problems = check_runtime_paths(config) + _reranker_problems(config, env, path.parent)
    for problem in problems:
        print(f"  {problem.path}: {problem.message}")  # noqa: T201
    for warning in inactive_settings(config):
        print(f"  warning: {warning}")  # noqa: T201
    if problems:
        print(f"{path}: {len(problems)} problem(s)")  # noqa: T201
        return 1
    print(f"{path}: configuration is valid")  # noqa: T201
    return 0


def _serve(config_path: Path | None, env: Environment) -> int:
    # Imports and OGX's start create hundreds of thousands of long-lived objects, and the
    # cyclic collector would scan them again and again (measured: 18 % of the import CPU).
    # It is switched back on, after one collection and a freeze, once the service is ready
    # (app.py's lifespan; prestart.py before forking workers).
    gc.disable()
    import uvicorn

    from lightspeed_core.app import load_settings

    settings = load_settings(config_path, env)
    service = settings.config.service
    if config_path is not None or Path("lightspeed-stack.yaml").exists():
        resolved = (config_path or Path("lightspeed-stack.yaml")).resolve()
        os.environ[CONFIG_PATH_ENV] = str(resolved)
    if service.workers > 1:
        os.environ.setdefault(MULTIPROC_ENV, tempfile.mkdtemp(prefix="lightspeed-metrics-"))
        # prometheus-client chooses where values live (this process's memory or the shared
        # files) when it is first imported, and load_settings has imported it already:
        # choose again, or every worker would count in its own memory and /metrics (read
        # from the files) would show no ls_* metric at all
        from prometheus_client import values

        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    tls = service.tls_config
    password = None
    if tls is not None and tls.tls_key_password is not None:
        password = Path(tls.tls_key_password).read_text().strip()
    log.info("starting on %s:%s with %d worker(s)", service.host, service.port, service.workers)
    healthcheck = 5  # uvicorn's default; only used with several workers
    if service.workers > 1:
        from lightspeed_core.prestart import WORKER_HEALTHCHECK_TIMEOUT, prepare_workers

        prepare_workers(settings)
        healthcheck = WORKER_HEALTHCHECK_TIMEOUT
    uvicorn.run(
        "lightspeed_core.app:app_from_env",
        factory=True,
        host=service.host,
        port=service.port,
        workers=service.workers,
        access_log=service.access_log,
        log_config=None,
        ssl_certfile=str(tls.tls_certificate_path) if tls and tls.tls_certificate_path else None,
        ssl_keyfile=str(tls.tls_key_path) if tls and tls.tls_key_path else None,
        ssl_keyfile_password=password,
        # the runs end themselves after the grace period (shutdown.py); this is a backstop
        timeout_graceful_shutdown=int(service.shutdown_grace_period + UVICORN_MARGIN),
        timeout_worker_healthcheck=healthcheck,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    env = Environment.read()
    setup_logging("DEBUG" if args.verbose else env.log_level)
    if args.command == "config":
        return config_check(args.file)
    if args.command == "rag":
        from lightspeed_core.rag.indexer import run_index

        return run_index(args)
    if wants_tool(args):
        return run_tool(args, env)
    if args.dump_configuration or args.dump_schema:
        if args.dump_schema:
            Path("schema.json").write_text(json.dumps(config_json_schema(), indent=2))
            print("schema written to schema.json")  # noqa: T201
        if args.dump_configuration:
            from lightspeed_core.app import load_settings

            try:
                settings = load_settings(args.config, env)
            except ConfigError as error:
                print(error, file=sys.stderr)  # noqa: T201
                return 1
            dumped = json.dumps(dump_configuration(settings.config), indent=2)
            Path("configuration.json").write_text(dumped)
            print("configuration written to configuration.json")  # noqa: T201
        return 0
    try:
        return _serve(args.config, env)
    except ConfigError as error:
        print(f"invalid configuration: {error}", file=sys.stderr)  # noqa: T201
        print("run `lightspeed-core config check FILE` to list every problem", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
