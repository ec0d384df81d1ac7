"""What Sentry costs per request, off and on (issue 13: < 0.3 ms off, < 1 ms on).

``uv run --no-sync python -m bench.sentry_overhead [--n 400] [--rounds 3]`` runs the real
app in-process (library mode, the scripted backend) in one child process per variant, since
the SDK patches its process: ``off`` (no ``SENTRY_DSN``: the production default), ``on``
(DSN of a local envelope receiver, traces at the default 0.25) and ``on-all`` (every
request traced: the worst case). Each child sends ``--n`` sequential ``/v1/query`` and
``/v1/info`` requests after a warm-up and reports the median wall time and the CPU time of
the whole process per request (so the SDK's sending thread is counted). Variants alternate
over ``--rounds`` rounds so machine load hits each alike; the medians over rounds are
printed with the difference to ``off``. "Off" costs nothing by construction: without a DSN
``sentry_sdk`` is not even imported (``lightspeed_core/sentry.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.processes import service_data
from lightspeed_core.testing.scripted_backend import BackgroundServer

VARIANTS = {
    "off": {},
    "on": {"SENTRY_DSN": "http://key@127.0.0.1:{port}/1"},
    "on-all": {"SENTRY_DSN": "http://key@127.0.0.1:{port}/1", "SENTRY_TRACES_SAMPLE_RATE": "1"},
}
BODY = {"query": "Say hello", "generate_topic_summary": False}


class Receiver:
    """Accepts envelopes and counts them (a Sentry server stand-in, plain HTTP)."""

    def __init__(self) -> None:
        self.envelopes = 0

        async def envelope(_request: Request) -> Response:
            self.envelopes += 1
            return JSONResponse({})

        self.app = Starlette(routes=[Route("/api/{p}/envelope/", envelope, methods=["POST"])])


def serve_receiver() -> tuple[int, uvicorn.Server]:
    receiver = Receiver()
    server = uvicorn.Server(
        uvicorn.Config(receiver.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return int(server.servers[0].sockets[0].getsockname()[1]), server


async def child(backend: str, n: int, warmup: int) -> dict[str, Any]:
    """One variant, in this process: the environment says whether Sentry is on."""
    from lightspeed_core.app import create_app
    from lightspeed_core.config import configuration_from_data
    from lightspeed_core.config.settings import Environment, Settings

    folder = Path(tempfile.mkdtemp(prefix="bench-sentry-"))
    os.environ["BENCH_STUB_KEY"] = "x"  # OGX resolves the run config's ${env.*} itself
    data = service_data(folder, backend, 8080, name="sentry overhead")
    env = Environment.read(
        {**os.environ, "BENCH_STUB_KEY": "x", "LIGHTSPEED_CORE_DATA_DIR": str(folder)}
    )
    app = create_app(Settings(configuration_from_data(data, base_dir=folder), folder, env))
    results: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        for noisy in ("httpx", "httpx2"):  # ogx_client turns request logging on
            logging.getLogger(noisy).setLevel(logging.WARNING)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, method, path, body in (
                ("query", "POST", "/v1/query", BODY),
                ("info", "GET", "/v1/info", None),
            ):
                for _ in range(warmup):
                    await client.request(method, path, json=body)
                walls = []
                cpu_start = time.process_time()
                for _ in range(n):
                    started = time.perf_counter()
                    answer = await client.request(method, path, json=body)
                    walls.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, answer.text
                cpu = (time.process_time() - cpu_start) * 1000 / n
                results[name] = {"wall_ms": statistics.median(walls), "cpu_ms": cpu}
    return results


def run_variant(variant: str, backend: str, port: int, n: int, warmup: int) -> dict[str, Any]:
    env = {k: v.format(port=port) for k, v in VARIANTS[variant].items()}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    argv = [sys.executable, "-m", "bench.sentry_overhead", "--child", backend]
    argv += ["--n", str(n), "--warmup", str(warmup)]
    done = subprocess.run(argv, env={**clean, **env}, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", metavar="BACKEND_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.n, args.warmup))))
        return
    backend = BackgroundServer().start()
    port, receiver = serve_receiver()
    samples: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    try:
        for _ in range(args.rounds):
            for variant in VARIANTS:
                samples[variant].append(
                    run_variant(variant, backend.base_url, port, args.n, args.warmup)
                )
    finally:
        receiver.should_exit = True
        backend.stop()
    report: dict[str, Any] = {}
    for variant, rounds in samples.items():
        report[variant] = {
            route: {
                key: round(statistics.median(r[route][key] for r in rounds), 3)
                for key in ("wall_ms", "cpu_ms")
            }
            for route in ("query", "info")
        }
    for variant in ("on", "on-all"):
        for route in ("query", "info"):
            for key in ("wall_ms", "cpu_ms"):
                report[variant][route][f"{key}_vs_off"] = round(
                    report[variant][route][key] - report["off"][route][key], 3
                )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
