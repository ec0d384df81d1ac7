"""OGX's log events below their logger's level are dropped before structlog processes them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from lightspeed_core.llm.library import skip_disabled_log_events


@pytest.fixture
def processors() -> Iterator[list[Any]]:
    """OGX's structlog configuration, restored afterwards."""
    from ogx.log import get_logger

    get_logger(name="ogx.test", category="core")  # configures structlog as OGX does
    shared: list[Any] = structlog.get_config()["processors"]
    before = list(shared)
    yield shared
    shared[:] = before


def test_the_level_filter_comes_first_once(processors: list[Any]) -> None:
    skip_disabled_log_events()
    skip_disabled_log_events()
    assert processors[0] is structlog.stdlib.filter_by_level
    assert processors.count(structlog.stdlib.filter_by_level) == 1


def test_disabled_events_are_not_processed_and_enabled_ones_are_logged(
    processors: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    from ogx.log import get_logger

    logger = get_logger(name="ogx.test.levels", category="core")
    logging.getLogger("ogx.test.levels").setLevel(logging.WARNING)
    seen: list[str] = []

    def record(_logger: Any, method: str, event: Any) -> Any:
        seen.append(method)
        return event

    processors.insert(0, record)
    logger.debug("cheap")  # before: processed, then dropped by the stdlib logger
    assert seen == ["debug"]
    processors.remove(record)
    skip_disabled_log_events()
    processors.insert(1, record)  # after the level filter
    seen.clear()
    with caplog.at_level(logging.WARNING, logger="ogx.test.levels"):
        logger.debug("dropped")
        logger.warning("kept")
    assert seen == ["warning"]
    assert "kept" in caplog.text
    assert "dropped" not in caplog.text
