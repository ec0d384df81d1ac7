"""``/v1/prompts``: prompt templates stored by OGX (its Prompts API, in both modes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.llm.prompt_store import StoredPrompt
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.prompts import (
    PromptCreateRequest,
    PromptDeleteResponse,
    PromptResourceResponse,
    PromptsListResponse,
    PromptUpdateRequest,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1/prompts", tags=["prompts"])
Read = Annotated[Authorized, Depends(require(Action.READ_PROMPTS))]
Manage = Annotated[Authorized, Depends(require(Action.MANAGE_PROMPTS))]


def _body(prompt: StoredPrompt) -> PromptResourceResponse:
    return PromptResourceResponse(
        prompt_id=prompt.prompt_id,
        version=prompt.version,
        is_default=prompt.is_default,
        prompt=prompt.prompt,
        variables=prompt.variables,
    )


@router.get("", response_model=PromptsListResponse, responses=error_responses(401, 403, 500, 503))
async def list_prompts(_auth: Read, services: ServicesDep) -> PromptsListResponse:
    """The default version of every stored prompt."""
    return PromptsListResponse(
        data=[_body(p) for p in await services.prompt_templates.list_prompts()]
    )


@router.post(
    "", response_model=PromptResourceResponse, responses=error_responses(401, 403, 500, 503)
)
async def create_prompt(
    body: PromptCreateRequest, _auth: Manage, services: ServicesDep
) -> PromptResourceResponse:
    """Store a new prompt template (version 1)."""
    return _body(await services.prompt_templates.create(body.prompt, body.variables))


@router.get(
    "/{prompt_id}",
    response_model=PromptResourceResponse,
    responses=error_responses(400, 401, 403, 404, 500, 503),
)
async def get_prompt(
    prompt_id: str, _auth: Read, services: ServicesDep, version: int | None = None
) -> PromptResourceResponse:
    """One version of a prompt (the default one unless ``version`` is given)."""
    return _body(await services.prompt_templates.get(prompt_id, version))


@router.put(
    "/{prompt_id}",
    response_model=PromptResourceResponse,
    responses=error_responses(400, 401, 403, 404, 500, 503),
)
async def update_prompt(
    prompt_id: str, body: PromptUpdateRequest, _auth: Manage, services: ServicesDep
) -> PromptResourceResponse:
    """Store a new version after ``version`` (which must be the latest)."""
    set_as_default = True if body.set_as_default is None else body.set_as_default
    updated = await services.prompt_templates.update(
        prompt_id, body.prompt, body.version, body.variables, set_as_default
    )
    return _body(updated)


@router.delete(
    "/{prompt_id}",
    response_model=PromptDeleteResponse,
    responses=error_responses(400, 401, 403, 500, 503),
)
async def delete_prompt(
    prompt_id: str, _auth: Manage, services: ServicesDep
) -> PromptDeleteResponse:
    """Delete every version of a prompt (``deleted: false`` when there is none)."""
    return PromptDeleteResponse(
        deleted=await services.prompt_templates.delete(prompt_id), prompt_id=prompt_id
    )
