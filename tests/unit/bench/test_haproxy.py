"""The HAProxy configuration of the scaling benchmark (pure text; the real parser checks it)."""

from __future__ import annotations

import pytest
from bench.haproxy import haproxy_config


def test_round_robin_keep_alive_over_every_backend() -> None:
    text = haproxy_config(8000, [9001, 9002])
    assert "    bind 127.0.0.1:8000\n" in text
    assert "    balance roundrobin\n" in text
    assert "    option http-keep-alive\n" in text
    assert "    http-reuse always\n" in text
    assert "    nbthread 1\n" in text
    servers = [line.split()[2] for line in text.splitlines() if line.strip().startswith("server ")]
    assert servers == ["127.0.0.1:9001", "127.0.0.1:9002"]


def test_no_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend"):
        haproxy_config(8000, [])
