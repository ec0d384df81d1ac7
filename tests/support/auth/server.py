"""Serve an ASGI app from a daemon thread on 127.0.0.1 (port 0), optionally over TLS."""

from __future__ import annotations

import ssl
import threading
import time
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp


class ThreadedServer:
    """uvicorn in its own thread and event loop; ``start()`` waits until it listens."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        certfile: Path | None = None,
        keyfile: Path | None = None,
        client_ca: Path | None = None,
    ) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            access_log=False,
            ssl_certfile=str(certfile) if certfile else None,
            ssl_keyfile=str(keyfile) if keyfile else None,
            ssl_ca_certs=str(client_ca) if client_ca else None,
            ssl_cert_reqs=ssl.CERT_REQUIRED if client_ca else ssl.CERT_NONE,
            timeout_graceful_shutdown=1,
        )
        self._tls = certfile is not None
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="test-server")

    @property
    def port(self) -> int:
        return int(self._server.servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
