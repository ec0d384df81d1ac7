"""Sentry through ``sentry-sdk``, against a local HTTPS envelope receiver (a test CA).

The service runs as a process (the SDK patches the process: never in the test process).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import stub_config
from tests.support.processes import free_port, lightspeed_service
from tests.support.sentry_receiver import EnvelopeReceiver
from tests.support.tls import https_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sentry")]
UNTRACED = ["/readiness", "/liveness", "/metrics", "/"]


def traced_paths(receiver: EnvelopeReceiver) -> list[str]:
    paths = []
    for transaction in receiver.of_type("transaction"):
        url: str = (transaction.get("request") or {}).get("url", "")
        paths.append("/" + url.split("/", 3)[3] if url.count("/") >= 3 else url)
    return paths


async def test_traces_reach_sentry_with_environment_and_private_ca(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    receiver = EnvelopeReceiver()
    with https_server(receiver.app, tmp_path / "sentry") as (url, ca_file):
        host = url.removeprefix("https://")
        env = {
            "SENTRY_DSN": f"https://public-key@{host}/42",
            "SENTRY_ENVIRONMENT": "staging",
            "SENTRY_CA_CERTS": ca_file,
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",
        }
        config = stub_config(scripted.base_url, service={"port": free_port()})
        with lightspeed_service(config, tmp_path, env) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                for path in ["/v1/info", *UNTRACED, "/v1/info"]:
                    answer = await client.get(path)
                    assert answer.status_code in (200, 503), (path, answer.text)
        # the service flushed the SDK on shutdown
    transactions: list[dict[str, Any]] = receiver.of_type("transaction")
    assert traced_paths(receiver) == ["/v1/info", "/v1/info"]
    assert {t["environment"] for t in transactions} == {"staging"}
    assert all("sentry_key=public-key" in header for header in receiver.auth_headers)
    log = (tmp_path / "service.log").read_text()
    assert "Sentry enabled (environment staging)" in log


async def test_no_dsn_no_sentry(scripted: BackgroundServer, tmp_path: Path) -> None:
    config = stub_config(scripted.base_url, service={"port": free_port()})
    with lightspeed_service(config, tmp_path, {"SENTRY_DSN": ""}) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            assert (await client.get("/v1/info")).status_code == 200
    assert "Sentry enabled" not in (tmp_path / "service.log").read_text()
