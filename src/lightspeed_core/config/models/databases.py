"""Sections backed by databases: user database, conversation cache, quota and A2A state.

``database``, ``conversation_cache``, ``quota_handlers`` and ``a2a_state`` share the SQLite
and PostgreSQL connection blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    NonNegativeInt,
    PortNumber,
    PositiveInt,
    duplicates,
    raise_issues,
)
from lightspeed_core.vocabulary.periods import Interval, PeriodError, parse_period

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "LIMITER_NAME_SEPARATOR",
    "A2AStateConfiguration",
    "ConversationHistoryConfiguration",
    "DatabaseConfiguration",
    "InMemoryCacheConfig",
    "PostgreSQLDatabaseConfiguration",
    "QuotaHandlersConfiguration",
    "QuotaLimiterConfiguration",
    "QuotaSchedulerConfiguration",
    "RateLimitConfiguration",
    "SQLiteDatabaseConfiguration",
]

DEFAULT_SQLITE_PATH = "/tmp/lightspeed-stack.db"  # noqa: S108 - the reference default


class SQLiteDatabaseConfiguration(ConfigModel):
    """SQLite database configuration."""

    db_path: Path = Field(
        title="DB path", description="Path to file where SQLite database is stored"
    )


class PostgreSQLDatabaseConfiguration(ConfigModel):
    """PostgreSQL database configuration."""

    host: str = Field(
        default="localhost",
        title="Hostname",
        description="Database server host or socket directory",
    )
    port: PortNumber = Field(default=5432, title="Port", description="Database server port")
    db: str = Field(title="Database name", description="Database name to connect to")
    user: str = Field(title="User name", description="Database user name used to authenticate")
    password: SecretStr = Field(title="Password", description="Password used to authenticate")
    namespace: str | None = Field(
        default="public",
        title="Name space",
        description="Database namespace (schema); created when missing unless 'public'.",
    )
    ssl_mode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = Field(
        default="prefer", title="SSL mode", description="SSL mode"
    )
    gss_encmode: Literal["disable", "prefer", "require"] = Field(
        default="prefer",
        title="GSS encmode",
        description=(
            "This option determines whether or with what priority a secure GSS TCP/IP "
            "connection will be negotiated with the server."
        ),
    )
    ca_cert_path: Path | None = Field(
        default=None, title="CA certificate path", description="Path to CA certificate"
    )
    pool_size: int = Field(
        default=10,
        ge=1,
        le=100,
        title="Connection pool size",
        description=(
            "Connections each worker process keeps open to this database; under bursts it "
            "opens as many again and closes them after. Size PostgreSQL's max_connections "
            "to at least 2 * pool_size * service.workers * pods (docs/deployment.md). A "
            "database named in several sections is opened once, with the first section's "
            "pool size (database, conversation_cache, quota_handlers, a2a_state)."
        ),
    )


def _at_most_one_backend(model: Any, what: str) -> None:
    if model.sqlite is not None and model.postgres is not None:
        raise_issues([("", f"configure only one of sqlite or postgres for {what}")])


class DatabaseConfiguration(ConfigModel):
    """User database (conversation ownership, turns, saved prompts): SQLite or PostgreSQL.

    When neither block is given, SQLite at ``/tmp/lightspeed-stack.db`` is used.
    """

    sqlite: SQLiteDatabaseConfiguration | None = Field(
        default=None,
        title="SQLite configuration",
        description=f"SQLite database configuration (default: db_path {DEFAULT_SQLITE_PATH}).",
    )
    postgres: PostgreSQLDatabaseConfiguration | None = Field(
        default=None,
        title="PostgreSQL configuration",
        description="PostgreSQL database configuration",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_sqlite(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("sqlite") is None and data.get("postgres") is None:
            return {**data, "sqlite": {"db_path": DEFAULT_SQLITE_PATH}}
        return data

    @model_validator(mode="after")
    def _check_one(self) -> DatabaseConfiguration:
        _at_most_one_backend(self, "the database")
        return self

    @property
    def db_type(self) -> Literal["sqlite", "postgres"]:
        """The configured backend."""
        return "postgres" if self.postgres is not None else "sqlite"


class InMemoryCacheConfig(ConfigModel):
    """In-memory cache configuration."""

    max_entries: PositiveInt = Field(
        title="Max entries",
        description="Maximum number of entries stored in the in-memory cache",
    )


ConversationCacheType = Literal["noop", "memory", "sqlite", "postgres"]
_CACHE_BLOCKS: tuple[ConversationCacheType, ...] = ("memory", "sqlite", "postgres")


class ConversationHistoryConfiguration(ConfigModel):
    """Conversation history (cache) configuration: ``type`` plus the matching block."""

    type: ConversationCacheType | None = Field(
        default=None,
        title="Conversation history database type",
        description="Type of database where the conversation history is to be stored.",
    )
    memory: InMemoryCacheConfig | None = Field(
        default=None,
        title="In-memory cache configuration",
        description="In-memory cache configuration",
    )
    sqlite: SQLiteDatabaseConfiguration | None = Field(
        default=None,
        title="SQLite configuration",
        description="SQLite database configuration",
    )
    postgres: PostgreSQLDatabaseConfiguration | None = Field(
        default=None,
        title="PostgreSQL configuration",
        description="PostgreSQL database configuration",
    )

    @model_validator(mode="after")
    def _check_blocks(self) -> ConversationHistoryConfiguration:
        issues: list[Issue] = []
        present = [name for name in _CACHE_BLOCKS if getattr(self, name) is not None]
        if self.type is None:
            issues.extend(
                (name, "a cache block needs 'type' to be set as well") for name in present
            )
        else:
            if self.type != "noop" and self.type not in present:
                issues.append((self.type, f"required when type is {self.type!r}"))
            issues.extend(
                (name, f"not allowed when type is {self.type!r}")
                for name in present
                if name != self.type
            )
        raise_issues(issues)
        return self


class QuotaLimiterConfiguration(ConfigModel):
    """Configuration of one quota limiter."""

    type: Literal["user_limiter", "cluster_limiter"] = Field(
        title="Quota limiter type",
        description="Quota limiter type, either user_limiter or cluster_limiter",
    )
    name: str = Field(title="Quota limiter name", description="Human readable quota limiter name")
    initial_quota: NonNegativeInt = Field(
        title="Initial quota", description="Quota set at beginning of the period"
    )
    quota_increase: NonNegativeInt = Field(
        title="Quota increase",
        description="Delta value used to increase quota when period is reached",
    )
    period: str = Field(
        min_length=1,
        title="Period",
        description=(
            "Period specified in human readable form (PostgreSQL interval text, e.g. "
            "'1 day', '30 seconds'); parsed identically for SQLite and PostgreSQL"
        ),
    )

    @field_validator("period")
    @classmethod
    def _check_period(cls, value: str) -> str:
        try:
            parse_period(value)
        except PeriodError as error:
            raise ValueError(str(error)) from None
        return value

    @property
    def interval(self) -> Interval:
        """The parsed ``period``."""
        return parse_period(self.period)


class QuotaSchedulerConfiguration(ConfigModel):
    """Quota scheduler configuration."""

    period: PositiveInt = Field(
        default=1, title="Period", description="Quota scheduler period specified in seconds"
    )
    database_reconnection_count: PositiveInt = Field(
        default=10,
        title="Database reconnection count on startup",
        description=(
            "When the quota database is not available on startup, the service tries to "
            "reconnect N times with the specified delay."
        ),
    )
    database_reconnection_delay: PositiveInt = Field(
        default=1,
        title="Database reconnection delay",
        description="Database reconnection delay specified in seconds.",
    )


class RateLimitConfiguration(ConfigModel):
    """Per-user request-rate limit shared by every worker and pod (not in the reference)."""

    requests_per_minute: PositiveInt = Field(
        title="Requests per minute",
        description=(
            "Requests one user may make per calendar minute to the endpoints that call a "
            "model; beyond it the answer is 429 with Retry-After."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        title="Redis URL",
        description=(
            "Count requests in Redis (e.g. redis://127.0.0.1:6379/0) instead of the quota database."
        ),
    )


LIMITER_NAME_SEPARATOR = "|"


class QuotaHandlersConfiguration(ConfigModel):
    """Quota limiters, their storage and the scheduler that refills them."""

    sqlite: SQLiteDatabaseConfiguration | None = Field(
        default=None, title="SQLite configuration", description="SQLite database configuration"
    )
    postgres: PostgreSQLDatabaseConfiguration | None = Field(
        default=None,
        title="PostgreSQL configuration",
        description="PostgreSQL database configuration",
    )
    limiters: list[QuotaLimiterConfiguration] = Field(
        default_factory=list,
        title="Quota limiters",
        description="Quota limiters configuration",
    )
    scheduler: QuotaSchedulerConfiguration = Field(
        default_factory=QuotaSchedulerConfiguration,
        title="Quota scheduler",
        description="Quota scheduler configuration",
    )
    enable_token_history: bool = Field(
        default=False,
        title="Enable token history",
        description="Enables storing information about token usage history",
    )
    default_output_tokens: PositiveInt = Field(
        default=1024,
        title="Default output tokens",
        description=(
            "Tokens reserved for the answer, before the model is called, when the model "
            "declares no max_output_tokens (the reservation is settled to the real usage)."
        ),
    )
    reservation_timeout: PositiveInt = Field(
        default=900,
        title="Reservation timeout",
        description=(
            "Seconds after which a reservation that was never settled (its process died) is "
            "given back by the scheduler."
        ),
    )
    rate_limit: RateLimitConfiguration | None = Field(
        default=None,
        title="Request rate limit",
        description="Optional per-user requests-per-minute limit",
    )

    @model_validator(mode="after")
    def _check_one(self) -> QuotaHandlersConfiguration:
        _at_most_one_backend(self, "quota handlers")
        issues: list[Issue] = [
            ("limiters", f"limiter name {name!r} is used more than once")
            for name in duplicates(limiter.name for limiter in self.limiters)
        ]
        for index, limiter in enumerate(self.limiters):
            shared = sum(other.type == limiter.type for other in self.limiters) > 1
            if shared and LIMITER_NAME_SEPARATOR in limiter.name:
                issues.append(
                    (
                        f"limiters[{index}].name",
                        f"must not contain {LIMITER_NAME_SEPARATOR!r} when several limiters "
                        f"have type {limiter.type!r}",
                    )
                )
        has_database = self.sqlite is not None or self.postgres is not None
        if self.rate_limit is not None and self.rate_limit.redis_url is None and not has_database:
            issues.append(
                ("rate_limit", "needs redis_url or a sqlite/postgres block in quota_handlers")
            )
        raise_issues(issues)
        return self


class A2AStateConfiguration(ConfigModel):
    """A2A protocol persistent state storage; neither block means in-memory storage."""

    sqlite: SQLiteDatabaseConfiguration | None = Field(
        default=None,
        title="SQLite configuration",
        description="SQLite database for A2A tasks and contexts (shared by one host's workers).",
    )
    postgres: PostgreSQLDatabaseConfiguration | None = Field(
        default=None,
        title="PostgreSQL configuration",
        description="PostgreSQL database for A2A tasks and contexts (shared by workers and pods).",
    )

    @model_validator(mode="after")
    def _check_one(self) -> A2AStateConfiguration:
        _at_most_one_backend(self, "A2A state")
        return self
