"""``/v1/saved-prompts``: each user's saved prompts (stored in the main database)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.saved_prompts.repository import SavedPromptRecord
from lightspeed_core.schemas.common import ErrorResponse, error_responses
from lightspeed_core.schemas.saved_prompts import (
    SavedPromptCreateRequest,
    SavedPromptDeleteResponse,
    SavedPromptResponse,
    SavedPromptsConfigResponse,
    SavedPromptsListResponse,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1/saved-prompts", tags=["saved-prompts"])
Manage = Annotated[Authorized, Depends(require(Action.MANAGE_SAVED_PROMPTS))]
CREATE_ERRORS: dict[int | str, dict[str, object]] = {
    **error_responses(401, 403, 500),
    409: {"model": ErrorResponse, "description": "Resource already exists"},
    422: {"model": ErrorResponse, "description": "Invalid value or limit exceeded"},
}


def _body(record: SavedPromptRecord) -> SavedPromptResponse:
    return SavedPromptResponse(
        id=record.id,
        name=record.name,
        content=record.content,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


@router.get(
    "/config",
    response_model=SavedPromptsConfigResponse,
    responses=error_responses(401, 403, 500, 503),
)
async def saved_prompts_config(
    _auth: Annotated[Authorized, Depends(require(Action.GET_CONFIG))], services: ServicesDep
) -> SavedPromptsConfigResponse:
    """The limits that apply to saved prompts."""
    limits = services.config.saved_prompts
    return SavedPromptsConfigResponse(**limits.model_dump())


@router.get("", response_model=SavedPromptsListResponse, responses=error_responses(401, 403, 500))
async def list_saved_prompts(auth: Manage, services: ServicesDep) -> SavedPromptsListResponse:
    """The caller's saved prompts, oldest first."""
    records = await services.saved_prompts.list_for(auth.principal.user_id)
    return SavedPromptsListResponse(prompts=[_body(r) for r in records])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SavedPromptResponse,
    responses=CREATE_ERRORS,
)
async def create_saved_prompt(
    body: SavedPromptCreateRequest, auth: Manage, services: ServicesDep
) -> SavedPromptResponse:
    """Save a prompt under a name the caller does not use yet."""
    record = await services.saved_prompts.create(auth.principal.user_id, body.name, body.content)
    return _body(record)


@router.delete(
    "/{prompt_id}",
    response_model=SavedPromptDeleteResponse,
    responses=error_responses(400, 401, 403, 500),
)
async def delete_saved_prompt(
    prompt_id: str, auth: Manage, services: ServicesDep
) -> SavedPromptDeleteResponse:
    """Delete one of the caller's saved prompts (``deleted: false`` if there is none)."""
    deleted = await services.saved_prompts.delete(auth.principal.user_id, prompt_id)
    return SavedPromptDeleteResponse(deleted=deleted, prompt_id=prompt_id)
