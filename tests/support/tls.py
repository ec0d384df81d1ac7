"""Serve an ASGI app over HTTPS on 127.0.0.1 with a certificate from a ``trustme`` test CA."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import trustme
import uvicorn
from starlette.types import ASGIApp


@contextmanager
def https_server(app: ASGIApp, folder: Path) -> Iterator[tuple[str, str]]:
    """Yield the server's base URL and the path of the CA bundle that verifies it."""
    ca = trustme.CA()
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, ca_file = folder / "server.pem", folder / "ca.pem"
    certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    ca.cert_pem.write_to_path(str(ca_file))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            ssl_certfile=str(cert_file),
            ssl_keyfile=str(cert_file),
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True, name="https-stand-in")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the HTTPS stand-in did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}", str(ca_file)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
