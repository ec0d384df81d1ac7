"""Skip the OpenAI SDK's request transform for chat completions when it would change nothing.

OGX's OpenAI-compatible inference providers call ``AsyncOpenAI.chat.completions.create``.
Before sending, the SDK walks the request against its ``TypedDict`` annotations
(``async_maybe_transform``) to rename aliased keys and format dates and files. For a chat
completion it runs every message through every member of every union: 0.6 ms of CPU for
a two-message request on this machine, once per model call (the answer, and the topic
summary of a new conversation) - about a tenth of what a production-shaped ``/v1/query``
costs in all.

The chat completion parameter types have no aliases and no formats anywhere (checked here,
once per type, by walking the same annotations), so for plain JSON data - dicts with string
keys, lists, strings, numbers, booleans, None: what OGX passes - the transform returns an
equal copy. :func:`install` wraps the SDK's function in the chat completions module: such
data is passed on as a shallow copy, anything else (a pydantic model, a file, a date, an
omitted value, a type that does have an alias or a format) goes through the SDK as before.
"""

from __future__ import annotations

import functools
import importlib
import logging
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)
Transform = Callable[[object, object], Awaitable[object]]
_MODULE = "openai.resources.chat.completions.completions"
_PLAIN = (str, int, float, bool, type(None))


def is_plain_json(data: object) -> bool:
    """``data`` holds only dicts with string keys, lists and JSON scalars."""
    if isinstance(data, _PLAIN):
        return True
    if type(data) is dict:
        return all(type(k) is str and is_plain_json(v) for k, v in data.items())
    if type(data) is list:
        return all(is_plain_json(item) for item in data)
    return False


def _changes_keys_or_values(metadata: tuple[object, ...]) -> bool:
    from openai._utils._transform import PropertyInfo

    return any(
        isinstance(item, PropertyInfo) and (item.alias is not None or item.format is not None)
        for item in metadata
    )


@functools.cache
def transform_is_identity(expected_type: object) -> bool:
    """No alias or format anywhere in ``expected_type``'s annotations (walked once per type)."""
    seen: set[int] = set()
    pending: list[object] = [expected_type]
    while pending:
        annotation = pending.pop()
        if id(annotation) in seen:
            continue
        seen.add(id(annotation))
        if typing.get_origin(annotation) is typing.Annotated:
            if _changes_keys_or_values(getattr(annotation, "__metadata__", ())):
                return False
            pending.append(annotation.__origin__)  # type: ignore[attr-defined]
            continue
        if typing.is_typeddict(annotation):
            hints = typing.get_type_hints(annotation, include_extras=True)
            pending.extend(hints.values())
            continue
        if isinstance(annotation, type) and not typing.get_args(annotation):
            if _is_model(annotation):
                return False  # the SDK dumps models: not plain data, never identity
            continue
        pending.extend(typing.get_args(annotation))
    return True


def _is_model(annotation: type) -> bool:
    import pydantic

    return issubclass(annotation, pydantic.BaseModel)


def fast_transform(original: Transform) -> Transform:
    """``original`` with the identity cases answered without walking the annotations."""

    async def transform(data: object, expected_type: object) -> object:
        if (
            isinstance(data, Mapping)
            and type(data) is dict
            and is_plain_json(data)
            and transform_is_identity(expected_type)
        ):
            return dict(data)
        return await original(data, expected_type)

    transform.__wrapped__ = original  # type: ignore[attr-defined]
    return transform


def install() -> bool:
    """Wrap the SDK's transform for chat completions (once); False if the SDK changed shape."""
    try:
        module: types.ModuleType = importlib.import_module(_MODULE)
    except ImportError:
        return False
    original: Any = getattr(module, "async_maybe_transform", None)
    if original is None:
        log.debug("openai SDK without %s.async_maybe_transform: nothing to speed up", _MODULE)
        return False
    if not hasattr(original, "__wrapped__"):
        module.async_maybe_transform = fast_transform(original)  # type: ignore[attr-defined]
    return True
