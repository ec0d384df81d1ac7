"""The ``/v1/infer`` system prompt: the configured prompt rendered as a sandboxed template.

The prompt (``customization.system_prompt``, its file or profile) is a Jinja2 template with
the variables ``date`` (today, ISO ``YYYY-MM-DD``, UTC), ``os``, ``version`` and ``arch``
(from the request's ``context.systeminfo``). It renders in Jinja2's
``ImmutableSandboxedEnvironment``: a template that reaches for Python internals
(``__class__``, ``__globals__`` ...) or mutates a value is refused with a 500 that names the
problem, never evaluated. A prompt without ``{`` is used as it is (nothing to compile).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from jinja2 import Template, TemplateError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lightspeed_core.errors import InternalError
from lightspeed_core.schemas.rlsapi import RlsapiV1SystemInfo

log = logging.getLogger(__name__)


class _RefusingSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, refusing an unsafe attribute at once (not rendering it empty)."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} is unsafe"
        )


def _refused(exc: SecurityError) -> InternalError:
    log.error("the /v1/infer system prompt template was refused by the sandbox: %s", exc)
    return InternalError(
        "System prompt template refused",
        "The configured system prompt template tries an operation the sandbox forbids.",
    )


def _invalid(exc: TemplateError) -> InternalError:
    log.error("the /v1/infer system prompt template does not render: %s", exc)
    return InternalError(
        "System prompt template invalid",
        f"The configured system prompt template does not render: {exc}",
    )


class PromptTemplate:
    """The configured prompt, compiled once (at start-up) and rendered per request.

    Compiling costs about a millisecond; rendering a compiled template a few microseconds.
    A template that does not compile is reported on every request (500), not at start-up,
    as the reference does.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._template: Template | None = None
        self._error: TemplateError | None = None
        if "{" in source:  # no template syntax: used as it is
            try:
                self._template = _RefusingSandbox(
                    autoescape=False, keep_trailing_newline=True
                ).from_string(source)
            except TemplateError as exc:
                self._error = exc

    def render(self, systeminfo: RlsapiV1SystemInfo, now: datetime | None = None) -> str:
        """The prompt of one request; ``InternalError`` if the template is refused."""
        if self._error is not None:
            raise _invalid(self._error)
        if self._template is None:
            return self.source
        moment = now or datetime.now(UTC)
        try:
            return self._template.render(
                date=moment.date().isoformat(),
                os=systeminfo.os,
                version=systeminfo.version,
                arch=systeminfo.arch,
            )
        except SecurityError as exc:
            raise _refused(exc) from exc
        except TemplateError as exc:
            raise _invalid(exc) from exc


def render_system_prompt(
    source: str, systeminfo: RlsapiV1SystemInfo, now: datetime | None = None
) -> str:
    """``source`` compiled and rendered for one request (see :class:`PromptTemplate`)."""
    return PromptTemplate(source).render(systeminfo, now)
