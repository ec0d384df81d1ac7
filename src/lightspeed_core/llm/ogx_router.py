"""OGX's inference router checks each offered tool with a pydantic adapter built once, not per call.

Before handing a chat completion to its provider, OGX's inference router
(``ogx.core.routers.inference``) checks every tool of the request, and the ``tool_choice``,
against the OpenAI SDK's ``TypedDict`` types - with ``TypeAdapter(T).validate_python(tool)``,
building a new adapter (its whole core schema) every time: 0.32 ms of CPU per tool and model
call on this machine, against 0.001 ms to validate with an adapter already built. A query that
offers six tools (an MCP server's three, a skill's three) paid ~1.9 ms per model round for it,
most of what offering tools costs (issue 15). :func:`install` gives that module a
``TypeAdapter`` that returns one adapter per type, built on first use: the same type, the
same schema, the same validation and errors. Anything but a bare type (other arguments, an
unhashable type) builds a new adapter as before.
"""

from __future__ import annotations

import functools
import importlib
import logging
from typing import Any

import pydantic

log = logging.getLogger(__name__)
_MODULE = "ogx.core.routers.inference"


@functools.cache
def _built(kind: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(kind)


def type_adapter(kind: Any, *args: Any, **kwargs: Any) -> pydantic.TypeAdapter[Any]:
    """``pydantic.TypeAdapter(kind)``, built once per ``kind``."""
    if args or kwargs:
        return pydantic.TypeAdapter(kind, *args, **kwargs)
    try:
        return _built(kind)
    except TypeError:  # unhashable
        return pydantic.TypeAdapter(kind)


def install() -> bool:
    """Put the cached adapters in OGX's inference router; False if it changed shape."""
    try:
        module = importlib.import_module(_MODULE)
    except ImportError:
        return False
    current = getattr(module, "TypeAdapter", None)
    if current is type_adapter:
        return True
    if current is not pydantic.TypeAdapter:
        log.warning("OGX's inference router no longer uses pydantic.TypeAdapter: not cached")
        return False
    module.TypeAdapter = type_adapter  # type: ignore[attr-defined]
    return True
