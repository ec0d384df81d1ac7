"""``Settings``: what ``create_app`` needs, with the process environment read once.

:meth:`Environment.read` is the one place the service reads environment variables (built in
``main()`` / ``app_from_env()`` and passed down); the names and meanings are those the
reference service and the CLI document:

=========================================  =================================================
``LIGHTSPEED_STACK_CONFIG_PATH``           the configuration file (the CLI sets it for its
                                           uvicorn workers)
``LIGHTSPEED_CORE_DATA_DIR``               local state (default ``~/.local/share/lightspeed-core``)
``LIGHTSPEED_STACK_SYNTHESIZED_CONFIG_PATH``  where the synthesized OGX run config is written
                                           (default ``<data dir>/ogx/run.yaml``)
``LIGHTSPEED_STACK_LOG_LEVEL``             DEBUG, INFO (default), WARNING, ERROR
``PROMETHEUS_MULTIPROC_DIR``               metric files shared by several workers
``SENTRY_DSN``                             report errors and traces to Sentry (off if unset)
``SENTRY_ENVIRONMENT``                     Sentry's environment tag (default ``development``)
``SENTRY_CA_CERTS``                        CA bundle for the Sentry server's certificate
``SENTRY_TRACES_SAMPLE_RATE``              share of requests traced (default 0.25)
``AZURE_AUTHORITY_HOST``                   Entra ID authority (default: Azure's public cloud)
``SSL_CERT_FILE``                          CA bundle for the Entra ID authority (default: the
                                           system's)
``OTEL_*``                                 OpenTelemetry tracing (``tracing/factory.py``):
                                           ``OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`` turns it
                                           on; ``OTEL_ANONYMIZATION_SECRET`` keys the HMAC
                                           of user ids, questions and answers
everything else                            ``${env.*}`` in the configuration, the built-in
                                           baseline's provider keys, Kubernetes discovery
=========================================  =================================================

Exceptions, on purpose: variables the service *sets* for OGX or its own workers
(``llm/factory.py``, ``main.py``) are written to ``os.environ``, not read from here; the
``observability`` block of a configuration loaded outside the service is a snapshot of the
process environment (the service replaces it with :attr:`Environment.otel`); the
OpenTelemetry SDK reads its own tuning variables (``OTEL_BSP_*``, timeouts, certificates);
the Alembic command-line script reads ``LIGHTSPEED_DATABASE_URL``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lightspeed_core.config.defaults import data_dir
from lightspeed_core.config.models.root import Configuration

CONFIG_PATH_ENV = "LIGHTSPEED_STACK_CONFIG_PATH"
SYNTHESIZED_RUN_CONFIG_ENV = "LIGHTSPEED_STACK_SYNTHESIZED_CONFIG_PATH"
LOG_LEVEL_ENV = "LIGHTSPEED_STACK_LOG_LEVEL"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SENTRY_DSN_ENV = "SENTRY_DSN"
SENTRY_ENVIRONMENT_ENV = "SENTRY_ENVIRONMENT"
SENTRY_CA_CERTS_ENV = "SENTRY_CA_CERTS"
SENTRY_TRACES_SAMPLE_RATE_ENV = "SENTRY_TRACES_SAMPLE_RATE"
AZURE_AUTHORITY_HOST_ENV = "AZURE_AUTHORITY_HOST"
SSL_CERT_FILE_ENV = "SSL_CERT_FILE"


@dataclass(frozen=True)
class Environment:
    """The environment variables the service reads, as typed values."""

    variables: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """A snapshot of ``environ`` (the process environment by default)."""
        return cls(dict(os.environ if environ is None else environ))

    def _get(self, name: str) -> str | None:
        return self.variables.get(name) or None

    @property
    def config_path(self) -> Path | None:
        value = self._get(CONFIG_PATH_ENV)
        return Path(value) if value else None

    @property
    def data_dir(self) -> Path:
        return data_dir(self.variables)

    @property
    def ogx_state_dir(self) -> Path:
        """OGX's storage in library mode (its registry, files, vector indexes)."""
        return self.data_dir / "ogx"

    @property
    def run_config_path(self) -> Path:
        """Where the synthesized OGX run config is written."""
        value = self._get(SYNTHESIZED_RUN_CONFIG_ENV)
        return Path(value).expanduser() if value else self.ogx_state_dir / "run.yaml"

    @property
    def log_level(self) -> str | None:
        return self._get(LOG_LEVEL_ENV)

    @property
    def metrics_multiprocess_dir(self) -> str | None:
        return self._get(MULTIPROC_ENV)

    @property
    def sentry_dsn(self) -> str | None:
        return self._get(SENTRY_DSN_ENV)

    @property
    def sentry_environment(self) -> str:
        return self._get(SENTRY_ENVIRONMENT_ENV) or "development"

    @property
    def sentry_ca_certs(self) -> str | None:
        return self._get(SENTRY_CA_CERTS_ENV)

    @property
    def sentry_traces_sample_rate(self) -> float:
        """Between 0 and 1; default 0.25 (the reference's fixed rate)."""
        value = self._get(SENTRY_TRACES_SAMPLE_RATE_ENV)
        if value is None:
            return 0.25
        try:
            rate = float(value)
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 1.0:
            name = SENTRY_TRACES_SAMPLE_RATE_ENV
            raise ValueError(f"{name} must be a number between 0 and 1, not {value!r}")
        return rate

    @property
    def azure_authority_host(self) -> str | None:
        return self._get(AZURE_AUTHORITY_HOST_ENV)

    @property
    def ssl_cert_file(self) -> str | None:
        return self._get(SSL_CERT_FILE_ENV)

    @property
    def otel(self) -> dict[str, str]:
        """The ``OTEL_*`` variables (tracing, ``OTEL_ANONYMIZATION_SECRET``)."""
        return {k: v for k, v in self.variables.items() if k.startswith("OTEL_") and v}


@dataclass(frozen=True)
class Settings:
    """The configuration, where its relative paths resolve, and the environment."""

    config: Configuration
    config_dir: Path
    env: Environment = field(default_factory=Environment.read)
