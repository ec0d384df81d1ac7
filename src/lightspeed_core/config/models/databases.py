"""Sections backed by databases: user database, conversation cache, quota and A2A state.

``database``, ``conversation_cache``, ``quota_handlers`` and ``a2a_state`` share the SQLite
and PostgreSQL connection blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    NonNegativeInt,
    PortNumber,
    PositiveInt,
    raise_issues,
)

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "A2AStateConfiguration",
    "ConversationHistoryConfiguration",
    "DatabaseConfiguration",
    "InMemoryCacheConfig",
    "PostgreSQLDatabaseConfiguration",
    "QuotaHandlersConfiguration",
    "QuotaLimiterConfiguration",
    "QuotaSchedulerConfiguration",
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
            "'1 day', '30 seconds')"
        ),
    )


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

    @model_validator(mode="after")
    def _check_one(self) -> QuotaHandlersConfiguration:
        _at_most_one_backend(self, "quota handlers")
        return self


class A2AStateConfiguration(ConfigModel):
    """A2A protocol persistent state storage; neither block means in-memory storage."""

    sqlite: SQLiteDatabaseConfiguration | None = Field(
        default=None,
        title="SQLite configuration",
        description="SQLite database configuration for A2A state storage.",
    )
    postgres: PostgreSQLDatabaseConfiguration | None = Field(
        default=None,
        title="PostgreSQL configuration",
        description="PostgreSQL database configuration for A2A state storage.",
    )

    @model_validator(mode="after")
    def _check_one(self) -> A2AStateConfiguration:
        _at_most_one_backend(self, "A2A state")
        return self
