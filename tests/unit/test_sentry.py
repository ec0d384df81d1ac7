"""The Sentry sampling decision and the off switch (the SDK itself: tests/integration)."""

from __future__ import annotations

import pytest

from lightspeed_core.sentry import init_sentry, traces_sampler


@pytest.mark.parametrize("path", ["/readiness", "/liveness", "/metrics", "/"])
def test_probe_and_scrape_routes_are_never_traced(path: str) -> None:
    assert traces_sampler(0.25)({"asgi_scope": {"path": path}}) == 0.0


@pytest.mark.parametrize("path", ["/v1/query", "/v1/streaming_query", "/v1/info", "/readiness/x"])
def test_other_routes_use_the_rate(path: str) -> None:
    assert traces_sampler(0.25)({"asgi_scope": {"path": path}}) == 0.25


def test_root_path_is_stripped() -> None:
    sample = traces_sampler(0.5, root_path="/api/lightspeed")
    assert sample({"asgi_scope": {"path": "/api/lightspeed/readiness"}}) == 0.0
    assert sample({"asgi_scope": {"path": "/api/lightspeed"}}) == 0.0
    assert sample({"asgi_scope": {"path": "/api/lightspeed/v1/query"}}) == 0.5


def test_spans_outside_a_request_use_the_rate() -> None:
    assert traces_sampler(0.25)({}) == 0.25


def test_no_dsn_initialises_nothing() -> None:
    assert init_sentry(None, "development") is False
    assert init_sentry("", "development") is False
