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


def _compiled(source: str) -> Template:
    return _RefusingSandbox(autoescape=False, keep_trailing_newline=True).from_string(source)


def render_system_prompt(
    source: str, systeminfo: RlsapiV1SystemInfo, now: datetime | None = None
) -> str:
    """``source`` rendered for one request; ``InternalError`` if the template is refused."""
    if "{" not in source:
        return source  # no template syntax: nothing to compile
    moment = now or datetime.now(UTC)
    try:
        return _compiled(source).render(
            date=moment.date().isoformat(),
            os=systeminfo.os,
            version=systeminfo.version,
            arch=systeminfo.arch,
        )
    except SecurityError as exc:
        log.error("the /v1/infer system prompt template was refused by the sandbox: %s", exc)
        raise InternalError(
            "System prompt template refused",
            "The configured system prompt template tries an operation the sandbox forbids.",
        ) from exc
    except TemplateError as exc:
        log.error("the /v1/infer system prompt template does not render: %s", exc)
        raise InternalError(
            "System prompt template invalid",
            f"The configured system prompt template does not render: {exc}",
        ) from exc
