"""``/`` (HTML index), ``/v1/info``, ``/v1/config`` and ``POST /authorized``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from lightspeed_core import __version__
from lightspeed_core.api.deps import CurrentUser, ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.config import Configuration
from lightspeed_core.config.redact import dump_configuration
from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.service import (
    AuthorizedResponse,
    ConfigurationResponse,
    InfoResponse,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter()

INDEX_HTML = """<!DOCTYPE html>
<html><head><title>{name}</title></head>
<body><h1>{name}</h1>
<p>Lightspeed Core {version}.</p>
<ul><li><a href="docs">Swagger UI</a></li><li><a href="redoc">ReDoc</a></li>
<li><a href="openapi.json">OpenAPI document</a></li></ul></body></html>
"""


class ConfigurationDocument(BaseModel):
    """The published schema of ``GET /v1/config`` (the reference's): the configuration model.

    The body itself is :class:`ConfigurationResponse` - the same data, secrets masked, which
    would not validate as a ``Configuration`` again (masked values, paths) - so the route
    answers it directly and this model only documents it.
    """

    configuration: Configuration


@router.get("/", response_class=HTMLResponse, tags=["root"])
async def root(
    _auth: Annotated[Authorized, Depends(require(Action.INFO))], services: ServicesDep
) -> HTMLResponse:
    """Index page linking to the API documentation."""
    return HTMLResponse(INDEX_HTML.format(name=services.config.name, version=__version__))


@router.get("/v1/info", response_model=InfoResponse, responses=error_responses(401, 403, 503))
async def info(
    _auth: Annotated[Authorized, Depends(require(Action.INFO))], services: ServicesDep
) -> InfoResponse:
    """Service name, our version and the OGX version."""
    version = services.backend_state.version
    if version is None:
        version = await services.llm.version()
    if not version:
        raise BackendUnavailableError("OGX version unknown")
    return InfoResponse(
        name=services.config.name, service_version=__version__, llama_stack_version=version
    )


@router.get(
    "/v1/config", response_model=ConfigurationDocument, responses=error_responses(401, 403, 500)
)
async def config(
    _auth: Annotated[Authorized, Depends(require(Action.GET_CONFIG))], services: ServicesDep
) -> JSONResponse:
    """The running configuration with every secret masked."""
    body = ConfigurationResponse(configuration=dump_configuration(services.config))
    return JSONResponse(body.model_dump(mode="json"))


@router.post("/authorized", response_model=AuthorizedResponse, responses=error_responses(401, 403))
async def authorized(principal: CurrentUser) -> AuthorizedResponse:
    """Who the credentials identify (the token is never echoed)."""
    return AuthorizedResponse(
        user_id=principal.user_id,
        username=principal.username,
        skip_userid_check=principal.skip_userid_check,
    )
