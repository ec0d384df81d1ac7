"""``GET /v1/skills``: the skills found under ``skills.paths``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.skills import SkillMetadata, SkillsResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["skills"])


@router.get("/skills", response_model=SkillsResponse, responses=error_responses(401, 403, 500))
async def skills(
    _auth: Annotated[Authorized, Depends(require(Action.GET_SKILLS))], services: ServicesDep
) -> SkillsResponse:
    """Name and description of every configured skill (from its ``SKILL.md`` front matter)."""
    return SkillsResponse(
        skills=[
            SkillMetadata(name=s.name, description=s.description) for s in services.skills.skills
        ]
    )
