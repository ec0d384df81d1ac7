"""OGX's inference router gets one pydantic adapter per type (``llm/ogx_router.py``)."""

from __future__ import annotations

import importlib
from typing import Any

import pydantic
import pytest

from lightspeed_core.llm import ogx_router

TOOL = {
    "type": "function",
    "function": {"type": "function", "name": "add", "parameters": {"type": "object"}},
}


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Any:
    module = importlib.import_module("ogx.core.routers.inference")
    monkeypatch.setattr(module, "TypeAdapter", pydantic.TypeAdapter)  # restored afterwards
    return module


def test_the_router_validates_with_one_adapter_per_type(router: Any) -> None:
    assert ogx_router.install()
    assert ogx_router.install()  # once is enough
    assert router.TypeAdapter is ogx_router.type_adapter
    kind = router.OpenAIChatCompletionToolParam
    assert router.TypeAdapter(kind) is router.TypeAdapter(kind)
    fresh = pydantic.TypeAdapter(kind)
    assert router.TypeAdapter(kind).validate_python(TOOL) == fresh.validate_python(TOOL)
    bad = {"type": "function", "function": {"parameters": {}}}  # no name
    with pytest.raises(pydantic.ValidationError) as cached_error:
        router.TypeAdapter(kind).validate_python(bad)
    with pytest.raises(pydantic.ValidationError) as fresh_error:
        fresh.validate_python(bad)
    assert cached_error.value.errors() == fresh_error.value.errors()
    choice = router.OpenAIChatCompletionToolChoiceOptionParam
    assert router.TypeAdapter(choice).validate_python("auto") == "auto"


def test_other_arguments_build_a_new_adapter() -> None:
    config = pydantic.ConfigDict(strict=True)
    assert ogx_router.type_adapter(int, config=config) is not ogx_router.type_adapter(int)
    assert ogx_router.type_adapter(int) is ogx_router.type_adapter(int)


def test_a_router_that_changed_shape_is_left_alone(
    router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(router, "TypeAdapter")
    assert not ogx_router.install()
    assert not hasattr(router, "TypeAdapter")
