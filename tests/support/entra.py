"""A local HTTPS stand-in for Microsoft Entra ID's token endpoint (a ``trustme`` test CA)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.tls import https_server


class EntraStandIn:
    """Issues ``tok1``, ``tok2`` … at ``/<tenant>/oauth2/v2.0/token``.

    ``expires_in`` is the lifetime of the tokens it issues; ``failing`` makes it answer
    ``401 invalid_client`` as Entra does for a wrong secret. ``requests`` records the forms.
    """

    def __init__(self) -> None:
        self.expires_in = 3600
        self.failing = False
        self.requests: list[dict[str, Any]] = []
        self.issued: list[str] = []
        self.app = Starlette(
            routes=[Route("/{tenant}/oauth2/v2.0/token", self._token, methods=["POST"])]
        )

    async def _token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.requests.append({"tenant": request.path_params["tenant"], **form})
        if self.failing:
            body = {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            }
            return JSONResponse(body, status_code=401)
        token = f"tok{len(self.issued) + 1}"
        self.issued.append(token)
        issued = {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}
        return JSONResponse(issued)

    @property
    def last_token(self) -> str:
        return self.issued[-1]


@contextmanager
def entra_stand_in(folder: Path) -> Iterator[tuple[EntraStandIn, str, str]]:
    """Serve an :class:`EntraStandIn` over HTTPS on 127.0.0.1.

    Yields the stand-in, its authority URL and the path of the CA bundle that verifies it.
    """
    stand_in = EntraStandIn()
    with https_server(stand_in.app, folder) as (url, ca_file):
        yield stand_in, url, ca_file
