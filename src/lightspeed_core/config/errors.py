"""Errors raised while loading a configuration.

Every failure of :func:`lightspeed_core.config.load_configuration` is reported as one
:class:`ConfigError` that carries *all* problems found, each located by a dotted key path
(``service.cors.allow_origins``, ``mcp_servers[1].url``) or, for problems with the file
itself, by the file name::

    Exception
    └── ConfigError            problems: list[ConfigProblem]

The models raise :class:`lightspeed_core.config.models.base.SettingsIssues` (a
``ValueError``) from their validators; the loader converts pydantic's validation errors,
including those, into :class:`ConfigProblem` entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ConfigError", "ConfigProblem"]


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem found in a configuration.

    Attributes:
        path: Dotted key path of the offending key (``service.port``,
            ``mcp_servers[0].url``), or the file name for problems with the file itself.
            Empty for problems concerning the whole document.
        message: Human readable description of the problem.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The configuration could not be loaded; ``problems`` lists every reason.

    Attributes:
        problems: One entry per problem, in document order where possible.
        source: The file (or other source) the configuration was read from, if any.
    """

    def __init__(self, problems: Iterable[ConfigProblem], source: str | None = None) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = f" in {self.source}" if self.source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid configuration{where} ({count} {noun}):"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._render()
