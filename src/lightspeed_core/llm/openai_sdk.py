"""Two fast paths in the OpenAI SDK as OGX's OpenAI-compatible providers use it.

OGX's remote inference providers (``openai``, ``vllm``, ...) call
``AsyncOpenAI.chat.completions.create``. The SDK spends most of a model call's CPU on two
type-driven walks that change nothing for what OGX sends and what a backend returns:

* **The request transform** (``async_maybe_transform``): before sending, the SDK walks the
  request against its ``TypedDict`` annotations to rename aliased keys and format dates and
  files, running every message through every member of every union: 0.63 ms of CPU for a
  two-message request on this machine. The chat completion parameter types have no aliases
  and no formats anywhere (checked here, once per type, by walking the same annotations), so
  for plain JSON data - dicts with string keys, lists, strings, numbers, booleans, None: what
  OGX passes - the transform returns an equal copy without the parameters not given
  (``omit``); :func:`fast_transform` returns that copy at once (0.03 ms). Anything else (a
  pydantic model, a file, a date, a type that does have an alias or a format) goes through
  the SDK as before.
* **Building each streamed chunk** (``_process_response_data``): the SDK builds every
  ``ChatCompletionChunk`` with its lenient ``construct_type`` - no validation, but the same
  annotation walk per field: 0.11 ms per chunk, i.e. per token of a streamed answer, well
  over half of what a token costs the whole service. :func:`fast_process` first tries
  pydantic's own (compiled) strict validation, 0.006 ms; data that does not validate
  strictly (a missing field, a value of another type: what the lenient path exists for) is
  built by the SDK as before. Values come out the same; only the extra keys a backend adds
  would count as "set" fields after validation, so they are taken out of each model's
  ``model_fields_set``, as the SDK's construction leaves them.

:func:`install` puts both in place once, when the service starts OGX in-process.
"""

from __future__ import annotations

import functools
import importlib
import logging
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pydantic

log = logging.getLogger(__name__)
Transform = Callable[[object, object], Awaitable[object]]
_MODULE = "openai.resources.chat.completions.completions"
_PLAIN = (str, int, float, bool, type(None))


@dataclass(slots=True)
class Taken:
    """How often each path ran in this process (diagnostics, and the tests' proof)."""

    fast_transforms: int = 0
    sdk_transforms: int = 0
    fast_chunks: int = 0
    sdk_chunks: int = 0


taken = Taken()


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
    return issubclass(annotation, pydantic.BaseModel)


def fast_transform(original: Transform) -> Transform:
    """``original`` with the identity cases answered without walking the annotations."""
    from openai._utils import is_given

    async def transform(data: object, expected_type: object) -> object:
        if type(data) is dict and transform_is_identity(expected_type):
            # the SDK passes every parameter, those not given as ``omit``/``NOT_GIVEN``
            given = {key: value for key, value in data.items() if is_given(value)}
            if is_plain_json(given):
                taken.fast_transforms += 1
                return given
        taken.sdk_transforms += 1
        return await original(data, expected_type)

    transform.__wrapped__ = original  # type: ignore[attr-defined]
    return transform


Process = Callable[..., object]


def as_constructed[M: pydantic.BaseModel](model: M) -> M:
    """``model`` with extra keys out of every ``model_fields_set`` (as the SDK builds it)."""
    extra = model.__pydantic_extra__
    if extra:
        object.__setattr__(model, "__pydantic_fields_set__", model.model_fields_set - set(extra))
    for value in model.__dict__.values():
        if type(value) is list:
            for item in value:
                if isinstance(item, pydantic.BaseModel):
                    as_constructed(item)
        elif isinstance(value, pydantic.BaseModel):
            as_constructed(value)
    return model


def fast_process(original: Process, types_: tuple[type[pydantic.BaseModel], ...]) -> Process:
    """``original`` (``_process_response_data``) validating ``types_`` strictly first."""

    def process(self: Any, *, data: object, cast_to: type[Any], response: Any) -> object:
        if cast_to in types_ and type(data) is dict and not self._strict_response_validation:
            try:
                model = as_constructed(cast_to.model_validate(data, strict=True))
            except pydantic.ValidationError:
                pass  # what the lenient construction is for
            else:
                taken.fast_chunks += 1
                return model
        taken.sdk_chunks += 1
        return original(self, data=data, cast_to=cast_to, response=response)

    process.__wrapped__ = original  # type: ignore[attr-defined]
    return process


def _install_transform() -> bool:
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


def _install_chunks() -> bool:
    try:
        from openai import AsyncOpenAI
        from openai.types.chat import ChatCompletion, ChatCompletionChunk
    except ImportError:
        return False
    original: Any = getattr(AsyncOpenAI, "_process_response_data", None)
    if original is None:
        log.debug("openai SDK without AsyncOpenAI._process_response_data: nothing to speed up")
        return False
    if not hasattr(original, "__wrapped__"):
        fast = fast_process(original, (ChatCompletionChunk, ChatCompletion))
        AsyncOpenAI._process_response_data = fast  # type: ignore[assignment,method-assign]
    return True


def install() -> bool:
    """Put both fast paths in place (once); False if the SDK changed shape (nothing done)."""
    return _install_transform() & _install_chunks()
